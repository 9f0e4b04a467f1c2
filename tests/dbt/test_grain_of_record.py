"""One grain of record per ad platform and day, on the real dbt project over landed files."""

from __future__ import annotations

from decimal import Decimal as D

import duckdb
import pytest
from conftest import clone_home
from raw_fixtures import RawWriter

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
