"""The reconciliation data tests fail when the marts drift from the imported spend or revenue."""

from __future__ import annotations

import json

import duckdb
import pytest
from dbt_homes import clone_home
from raw_fixtures import RawWriter

from xunpan.errors import XunpanError
from xunpan.transform import run_dbt

pytestmark = pytest.mark.slow

RECONCILIATION = [
    "reconcile_ad_spend_by_month",
    "reconcile_revenue_by_month",
    "reconcile_fixed_fees",
    "reconcile_reported_fixed_fees",
    "reconcile_marketing_allocation",
    "funnel_invariant",
]


def failing_tests(settings, *args: str) -> set[str]:
    """Run dbt and return the names of the data tests that failed (dbt must fail)."""
    with pytest.raises(XunpanError) as failure:
        run_dbt(settings, *args)
    nodes = str(failure.value).split("failing nodes: ", 1)[1].split("\n", 1)[0]
    return {node.rsplit(".", 1)[-1] for node in nodes.split(", ")}


def test_clean_build_reconciles(built_acme):
    with duckdb.connect(str(built_acme.settings.warehouse), read_only=True) as con:
        spend = con.execute(
            "select sum(spend_variable_cny), sum(spend_fixed_cny) from marts.mart_channel_cost_per_inquiry"
        ).fetchone()
    # 440.75 + 143.00 + 33.33 variable; fees up to the data-through date 2026-02-10:
    # 3347.24 + 5817.96 + 1000.00 (the whole schedule, 29800 + 6680 + 2800, is in the fee schedule)
    assert [str(v) for v in spend] == ["617.08", "10165.20"]
    results = json.loads((built_acme.settings.home / "dbt" / "target" / "run_results.json").read_text())
    statuses = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results["results"]}
    assert all(statuses[name] == "pass" for name in RECONCILIATION)


def test_edited_marts_fail_exactly_the_matching_checks(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "edited")
    with duckdb.connect(str(settings.warehouse)) as con:
        # 0.02 CNY more spend on one day: beyond the 0.01 tolerance for that month
        con.execute(
            "update marts.mart_channel_cost_per_inquiry set spend_variable_cny = "
            "spend_variable_cny + 0.02 where channel_id = 'sogou_ppc'"
        )
        con.execute(
            "update marts.mart_product_margin set revenue_cny = revenue_cny + 5 "
            "where product_sku = 'PUMP-100' and month_start = date '2026-02-01'"
        )
        con.execute(
            "update marts.mart_inquiry_funnel set inquiries_won = inquiries_effective + 1 "
            "where channel_id = 'wechat'"
        )
    failed = failing_tests(settings, "test", "--select", " ".join(RECONCILIATION))
    assert failed == {"reconcile_ad_spend_by_month", "reconcile_revenue_by_month", "funnel_invariant"}


def test_extra_raw_spend_file_double_counting_fails(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "double")
    # The same Baidu day exported again under another account name is not a restatement (other
    # key), so it adds 300.75 to January; the mart built before it no longer reconciles.
    RawWriter(settings.raw).write(
        "ad_spend",
        [
            {
                "spend_date": "2026-01-02",
                "platform": "baidu_search",
                "account": "bd-acct-copy",
                "report_level": "account",
                "impressions": 3000,
                "clicks": 30,
                "cost": "300.75",
                "currency": "CNY",
            }
        ],
        load_seq=100,
    )
    # staging views hold the raw folder they were built with: rebuild them over this copy,
    # but not the marts
    failed = failing_tests(
        settings, "build", "--select", "path:models/staging reconcile_ad_spend_by_month reconcile_fixed_fees"
    )
    assert failed == {"reconcile_ad_spend_by_month"}


def test_relabelled_contract_reexport_replaces_the_fee(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "relabel")
    # The contract file exported again with the membership's channel written "Alibaba.com":
    # same mapped channel (alibaba_intl) and start, so it replaces the 阿里巴巴国际站 row and the
    # schedule built before (29800.00) still reconciles; a second fee would add 29800.00.
    contract = {
        "channel_label": "Alibaba.com",
        "contract_start": "2026-01-01",
        "contract_end": "2026-12-31",
        "fee": "29800.00",
        "currency": "CNY",
        "description": "金品诚企 2026",
    }
    RawWriter(settings.raw).write("channel_contracts", [contract], load_seq=100)
    run_dbt(settings, "build", "--select", "path:models/staging reconcile_fixed_fees")
    # A re-export with another fee for the same key does replace it: the old schedule no longer
    # reconciles.
    RawWriter(settings.raw).write("channel_contracts", [contract | {"fee": "36500.00"}], load_seq=101)
    failed = failing_tests(settings, "build", "--select", "path:models/staging reconcile_fixed_fees")
    assert failed == {"reconcile_fixed_fees"}
