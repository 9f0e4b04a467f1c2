"""One grain of record per ad platform and day, on the real dbt project over landed files."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from dbt_homes import clone_home
from raw_fixtures import RawWriter

from xunpan.config import Settings
from xunpan.landing import ingest_inbox
from xunpan.transform import run_dbt

pytestmark = pytest.mark.slow


def test_accountless_report_is_not_added_to_the_account_report(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "grain")
    # acme's Google Ads campaign report of account g-acct says USD 10.00 on 2026-01-03. A campaign
    # report without an account column for the same day covers the whole platform: USD 12.50
    # counts, not 10.00 + 12.50.
    RawWriter(settings.raw).write(
        "ad_spend",
        [
            {
                "spend_date": "2026-01-03",
                "platform": "google_ads",
                "campaign": "Pumps EN",
                "report_level": "campaign",
                "impressions": 310,
                "clicks": 3,
                "cost": "12.50",
                "currency": "USD",
            }
        ],
        layout="google_ads_campaign",
        load_seq=100,
    )
    # models only: the marts downstream are not rebuilt here, so their reconciliation would fail
    run_dbt(
        settings,
        "run",
        "--select",
        "stg_raw__ad_spend_reports stg_raw__ad_spend ad_spend_level_differences",
    )
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        counted = con.execute(
            "select sum(cost), count(*) from staging.stg_raw__ad_spend "
            "where platform = 'google_ads' and spend_date = date '2026-01-03'"
        ).fetchone()
        other_day = con.execute(
            "select sum(cost) from staging.stg_raw__ad_spend "
            "where platform = 'google_ads' and spend_date = date '2026-01-05'"
        ).fetchone()
        difference = con.execute(
            "select record_cost, other_cost, cost_difference, is_platform_wide "
            "from marts.ad_spend_level_differences where platform = 'google_ads'"
        ).fetchall()
    assert counted == (D("12.50"), 1)
    # the account report still counts on the day the account-less report does not cover
    assert other_day == (D("10.00"),)
    # g-acct's own report (10.00) lost to the platform-wide one: 2.50 less
    assert difference == [(D("12.50"), D("10.00"), D("-2.50"), True)]


VARIANTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs" / "variants"


def test_campaign_and_keyword_exports_imported_together_count_once(tmp_path):
    """Issue 10, acceptance 3, through the real importer: Baidu's campaign report (.xls) and keyword
    report (GBK csv) of account acme-bd for 10-05..10-06 each hold 1,170.00; imported together the
    spend is 1,170.00 (the campaign report, the coarser level), not 2,340.00. An account report of
    10-05..10-07 (1,200.00 + 980.40 + 0.00) then becomes the record: 2,180.40, and the two finer
    reports are listed with their differences (10-05: 1,070.50 vs 1,200.00; 10-06: 99.50 vs 980.40)."""
    settings = Settings.from_env(tmp_path / "home")
    settings.ensure_dirs()
    inbox = settings.inbox / "acme"
    inbox.mkdir(parents=True)

    def load(*names: str) -> None:
        for name in names:
            shutil.copy(VARIANTS / name, inbox / name)
        report = ingest_inbox(settings, today=dt.date(2026, 10, 31))
        assert not report.quarantined, report.summary()
        run_dbt(
            settings,
            "build",
            "--select",
            "+ad_spend_level_differences",
            "+stg_raw__ad_spend",
            "--exclude",
            "resource_type:test",
            "resource_type:unit_test",
        )

    def spend() -> list[tuple]:
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            return con.execute(
                """select spend_date::varchar, report_level, sum(cost) from staging.stg_raw__ad_spend
                   where company_id = 'acme' group by all order by 1"""
            ).fetchall()

    load("baidu_campaign_202610.xls", "baidu_keyword_reordered_202610.csv")
    assert spend() == [("2026-10-05", "campaign", D("1070.50")), ("2026-10-06", "campaign", D("99.50"))]

    load("baidu_account_minimal_202610.csv")
    assert spend() == [
        ("2026-10-05", "account", D("1200.00")),
        ("2026-10-06", "account", D("980.40")),
        ("2026-10-07", "account", D("0.00")),
    ]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        differences = con.execute(
            """select spend_date::varchar, other_report_level, record_cost, other_cost, cost_difference
               from marts.ad_spend_level_differences order by 1, 2"""
        ).fetchall()
    assert differences == [
        ("2026-10-05", "campaign", D("1200.00"), D("1070.50"), D("-129.50")),
        ("2026-10-05", "keyword", D("1200.00"), D("1070.50"), D("-129.50")),
        ("2026-10-06", "campaign", D("980.40"), D("99.50"), D("-880.90")),
        ("2026-10-06", "keyword", D("980.40"), D("99.50"), D("-880.90")),
    ]
