"""The marts built from the hand-made `acme` data hold the figures worked out by hand below."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import duckdb
import pytest

from xunpan.quality.contract import PUBLISHED_MODELS, manifest_file, read_contracts

pytestmark = pytest.mark.slow

D = Decimal


@pytest.fixture(scope="module")
def contracts(built_acme):
    """The marts' enforced dbt contracts, from the manifest the acme build wrote."""
    return read_contracts(manifest_file(built_acme.settings))


def test_build_ran_every_node_and_test(built_acme):
    build = built_acme.build
    assert build.ok and build.errored == 0 and build.skipped == 0
    results = json.loads((built_acme.settings.home / "dbt" / "target" / "run_results.json").read_text())
    kinds = {}
    for item in results["results"]:
        kind = item["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        assert item["status"] in ("success", "pass"), item["unique_id"]
    assert kinds["unit_test"] >= 12
    assert kinds["snapshot"] == 1
    assert kinds["test"] >= 100
    assert build.passed == len(results["results"])


def test_every_published_table_has_an_enforced_contract(built_acme, contracts):
    # publish copies every table of schema marts into the serving file: each has a dbt contract
    tables = dict(
        built_acme.rows(
            "select table_name, table_type from information_schema.tables where table_schema = 'marts'"
        )
    )
    assert sorted(tables) == sorted(contracts)
    assert set(tables.values()) == {"BASE TABLE"}
    assert {m.name for m in PUBLISHED_MODELS} <= set(contracts)
    assert len(contracts) >= 23
    staging = dict(
        built_acme.rows(
            "select table_name, table_type from information_schema.tables where table_schema = 'staging'"
        )
    )
    # views, but for the sources that grow without bound, staged incrementally: the ad-spend rows
    # (keyword scale) and every register snapshot ever imported
    incremental = {"stg_raw__ad_spend", "stg_raw__ad_spend_reports", "stg_raw__inquiry_snapshots"}
    assert {name for name, kind in staging.items() if kind == "BASE TABLE"} == incremental
    assert {kind for name, kind in staging.items() if name not in incremental} == {"VIEW"}


def test_tables_have_the_contract_columns_and_types_in_order(built_acme, contracts):
    with duckdb.connect() as con:

        def duckdb_type(spelled: str) -> str:
            return con.execute(f"select typeof(cast(null as {spelled}))").fetchone()[0]

        for model, columns in contracts.items():
            built = built_acme.rows(
                "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position",
                [model],
            )
            assert built == [(c.name, duckdb_type(c.data_type)) for c in columns], model


def test_money_columns_are_decimal_18_2(built_acme):
    types = built_acme.rows(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and column_name like '%_cny' "
        # a cost per inquiry is a ratio, not an amount (this week's, last week's, last year's)
        "and column_name not like '%cost_per_%'"
    )
    assert types
    assert {t for _, _, t in types} == {"DECIMAL(18,2)"}, types


def test_variable_spend_per_channel_per_day_to_the_cent(built_acme):
    rows = dict(
        ((c, str(d)), v)
        for c, d, v in built_acme.rows(
            "select channel_id, date_day, spend_variable_cny from marts.mart_channel_cost_per_inquiry "
            "where spend_variable_cny <> 0"
        )
    )
    assert rows == {
        # 100.50 + 200.25 (keyword report) + 50.00 (feed)
        ("baidu_ppc", "2026-01-02"): D("350.75"),
        # the restated export (90.00) replaces the first one (80.00) for that day
        ("baidu_ppc", "2026-01-03"): D("90.00"),
        # USD 10.00 at the 2026-01-01 rate 7.10 (no rate on the 3rd), then at 7.20
        ("google_ads", "2026-01-03"): D("71.00"),
        ("google_ads", "2026-01-05"): D("72.00"),
        ("sogou_ppc", "2026-02-10"): D("33.33"),
    }
    clicks = built_acme.one(
        "select clicks, impressions from marts.mart_channel_cost_per_inquiry "
        "where channel_id = 'baidu_ppc' and date_day = date '2026-01-02'"
    )
    assert clicks == (35, 3500)


def test_fixed_costs_spread_evenly_with_remainder_on_last_day(built_acme):
    def day(channel: str, iso: str) -> tuple[Decimal, bool]:
        return built_acme.one(
            "select fee_cny, is_reported from marts.mart_channel_fee_schedule "
            "where channel_id = ? and date_day = ?",
            [channel, dt.date.fromisoformat(iso)],
        )

    # 29800.00 / 365 = 81.6438 -> 81.64 a day; last day 29800 - 364 * 81.64 = 83.04, kept in the
    # schedule but not reported: acme's data runs through 2026-02-10 (its last spend day)
    assert day("alibaba_intl", "2026-01-01") == (D("81.64"), True)
    assert day("alibaba_intl", "2026-12-31") == (D("83.04"), False)
    # 6680.00 over 2026-01-15..2026-02-14 (31 days): 215.48 a day, last day 215.60
    assert day("alibaba_1688", "2026-01-15") == (D("215.48"), True)
    assert day("alibaba_1688", "2026-02-14") == (D("215.60"), False)
    schedule = dict(
        built_acme.rows(
            "select channel_id, sum(fee_cny) from marts.mart_channel_fee_schedule group by channel_id"
        )
    )
    assert schedule == {"alibaba_intl": D("29800.00"), "alibaba_1688": D("6680.00"), "unknown": D("2800.00")}
    reported = dict(
        built_acme.rows(
            "select channel_id, sum(spend_fixed_cny) from marts.mart_channel_cost_per_inquiry "
            "group by channel_id having sum(spend_fixed_cny) <> 0"
        )
    )
    # up to 2026-02-10 only: 41 x 81.64; 27 x 215.48 (01-15..02-10); 10 x 100.00 (2800 / 28 days)
    assert reported == {"alibaba_intl": D("3347.24"), "alibaba_1688": D("5817.96"), "unknown": D("1000.00")}
    assert built_acme.one("select max(date_day) from marts.mart_channel_cost_per_inquiry") == built_acme.one(
        "select data_through_date from marts.dim_companies where company_id = 'acme'"
    )


def test_dim_companies_reporting_periods(built_acme):
    # newest daily data: Sogou spend on Tuesday 2026-02-10
    assert built_acme.rows("select * from marts.dim_companies") == [
        (
            "acme",
            dt.date(2026, 2, 10),
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 31),
            dt.date(2026, 2, 2),
            dt.date(2026, 2, 8),
        )
    ]


def test_monthly_channel_costs_and_ratios(built_acme):
    rows = {
        (str(m), c): r
        for m, c, *r in built_acme.rows(
            "select month_start, channel_id, spend_variable_cny, spend_fixed_cny, spend_total_cny, "
            "inquiries_valid, cost_per_inquiry_cny, cost_per_won_cny, roas, roi "
            "from marts.mart_channel_cost_per_inquiry_monthly"
        )
    }
    # January alibaba_intl: 31 x 81.64 = 2530.84 over 3 valid inquiries (Q2, Q3, Q10), 1 won
    var, fixed, total, valid, cpi, cpw, roas, roi = rows[("2026-01-01", "alibaba_intl")]
    assert (var, fixed, total, valid) == (D("0.00"), D("2530.84"), D("2530.84"), 3)
    assert cpi == pytest.approx(2530.84 / 3)
    assert cpw == pytest.approx(2530.84)
    assert roas == pytest.approx(3000 / 2530.84)
    assert roi == pytest.approx((1600 - 2530.84) / 2530.84)
    # January baidu_ppc: 350.75 + 90.00 for Q1 (won, deal 5000.00 without linked orders)
    var, fixed, total, valid, cpi, cpw, roas, roi = rows[("2026-01-01", "baidu_ppc")]
    assert (total, valid, cpi, roas) == (D("440.75"), 1, 440.75, pytest.approx(5000 / 440.75))
    # google_ads spent 143.00 in January with no inquiry: CPI is NULL, not 0 or infinity
    assert rows[("2026-01-01", "google_ads")][:3] == [D("143.00"), D("0.00"), D("143.00")]
    assert rows[("2026-01-01", "google_ads")][4] is None
    # 1688: 17 days in January (3663.16); February only up to the data-through date 02-10
    # (10 x 215.48 = 2154.80; the schedule's other 4 days, 862.04, are not reported yet)
    assert rows[("2026-01-01", "alibaba_1688")][2] == D("3663.16")
    assert rows[("2026-02-01", "alibaba_1688")][2] == D("2154.80")
    assert rows[("2026-02-01", "alibaba_intl")][2] == D("816.40")


def test_funnel_counts(built_acme):
    jan = built_acme.one(
        "select inquiries_total, inquiries_invalid, inquiries_valid, inquiries_intentional, "
        "inquiries_effective, inquiries_won, inquiries_lost, inquiries_open, won_revenue_cny, "
        "sum_days_to_won from marts.mart_inquiry_funnel_monthly where month_start = date '2026-01-01'"
    )
    # Q1..Q7, Q10; Q5 invalid; intentional+: Q1 Q2 Q3 Q4 Q7; effective+: Q1 Q3 Q4; won Q1 Q3;
    # lost Q2; revenue 5000 (Q1 deal) + 3000 (Q3 order O1); days 57 + 16
    assert jan == (8, 1, 7, 5, 3, 2, 1, 4, D("8000.00"), 73)
    rates = built_acme.one(
        "select intentional_rate, effective_rate, win_rate, overall_conversion_rate "
        "from marts.mart_inquiry_funnel_monthly where month_start = date '2026-01-01'"
    )
    assert rates == pytest.approx((5 / 7, 3 / 5, 2 / 3, 2 / 7))
    alibaba = built_acme.one(
        "select sum(inquiries_total), sum(inquiries_valid), sum(inquiries_intentional), "
        "sum(inquiries_effective), sum(inquiries_won), sum(inquiries_lost) "
        "from marts.mart_inquiry_funnel where channel_id = 'alibaba_intl'"
    )
    assert alibaba == (3, 3, 2, 1, 1, 1)
    seo = built_acme.one(
        "select inquiries_total, inquiries_invalid, inquiries_valid, product_line "
        "from marts.mart_inquiry_funnel where channel_id = 'baidu_seo' and product_line = 'unknown'"
    )
    assert seo == (1, 1, 0, "unknown")


def test_fct_inquiries_stage_dates_from_history_and_register(built_acme):
    rows = {
        r[0]: r[1:]
        for r in built_acme.rows(
            "select inquiry_id, channel_id, product_sku, stage_reached, is_won, is_lost, is_open, "
            "is_invalid, lost_stage, intentional_at, effective_at, won_at, lost_at, days_to_won, "
            "won_at_source, won_revenue_cny, won_gross_profit_cny from marts.fct_inquiries"
        )
    }
    utc = dt.datetime.fromisoformat
    # Q1: new on 01-31, won on 02-28 18:00 Shanghai (10:00 UTC) with no dates: all stages then
    q1 = rows["Q1"]
    assert q1[:7] == ("baidu_ppc", "PUMP-100", "won", True, False, False, False)
    assert q1[8:11] == (utc("2026-02-28 10:00:00"),) * 3
    assert q1[12:] == (57, "history", D("5000.00"), None)
    # Q3: register dates; 意向 implied by the effective date 2026-01-15 09:00 (+08:00)
    q3 = rows["Q3"]
    assert q3[8:11] == (utc("2026-01-15 01:00:00"), utc("2026-01-15 01:00:00"), utc("2026-01-20 07:00:00"))
    assert q3[12:] == (16, "register", D("3000.00"), D("1600.00"))
    # Q2 (product written by name 阀门20): lost after intentional, at the first lost snapshot
    assert rows["Q2"][1:5] == ("VALVE-20", "intentional", False, True)
    assert rows["Q2"][7] == "intentional" and rows["Q2"][11] == utc("2026-02-28 10:00:00")
    # Q5 invalid: no stage beyond received, not open
    assert rows["Q5"][2:8] == ("received", False, False, False, True, None)
    # unmapped label -> unknown; lower-case SKU resolves; USD deal at the won date's rate 7.20
    assert rows["Q7"][0] == "unknown"
    assert rows["Q10"][1] == "SEAL-5"
    assert rows["Q9"][14] == D("720.00")


def test_product_margin(built_acme):
    rows = {
        (str(m), p): r
        for m, p, *r in built_acme.rows(
            "select month_start, product_sku, units, revenue_cny, material_cost_cny, cogs_cny, "
            "gross_profit_cny, inquiries_valid, inquiries_won, allocated_marketing_cost_cny, "
            "contribution_cny, product_class from marts.mart_product_margin"
        )
    }
    # O1: 10 x 300 on the 2025 card (unit cost 140); allocation: baidu 440.75 (Q1) + 1/3 of
    # alibaba_intl 2530.84 = 843.61 + 0.01 remainder (ties -> lowest SKU)
    assert rows[("2026-01-01", "PUMP-100")] == [
        D("10.000"),
        D("3000.00"),
        D("1000.00"),
        D("1400.00"),
        D("1600.00"),
        2,
        2,
        D("1284.37"),
        D("315.63"),
        "flagship",
    ]
    # SEAL-5: flagship by profit (1600 ranked above < 0.8 x 2100) but the card overrides it
    assert rows[("2026-01-01", "SEAL-5")] == [
        D("1000.000"),
        D("2500.00"),
        D("1000.00"),
        D("2000.00"),
        D("500.00"),
        2,
        0,
        D("843.61"),
        D("-343.61"),
        "supporting",
    ]
    assert rows[("2026-01-01", "VALVE-20")][5:] == [3, 0, D("843.61"), D("-843.61"), "supporting"]
    # google 143.00 + 1688 3663.16 had no valid inquiry in January
    assert rows[("2026-01-01", "unallocated")][7:] == [D("3806.16"), D("-3806.16"), "unallocated"]
    # February: PUMP-100 on the new card (unit cost 150), USD 2 x 50 at 7.20
    assert rows[("2026-02-01", "PUMP-100")][:5] == [
        D("2.000"),
        D("720.00"),
        D("220.00"),
        D("300.00"),
        D("420.00"),
    ]
    # VALVE-20 ties SEAL-5 at 500 trailing profit and ranks after it: supporting
    assert rows[("2026-02-01", "VALVE-20")][3:5] == [D("1500.00"), D("500.00")]
    assert rows[("2026-02-01", "VALVE-20")][-1] == "supporting"
    # February costs up to the data-through date 2026-02-10: 1688 2154.80 (10 days) to SEAL-5;
    # alibaba_intl 816.40 + SEO agency 1000.00 + sogou 33.33 had no valid product inquiry
    assert rows[("2026-02-01", "SEAL-5")][7] == D("2154.80")
    assert rows[("2026-02-01", "unallocated")][7] == D("1849.73")
    revenue = dict(
        (str(m), v)
        for m, v in built_acme.rows(
            "select month_start, sum(revenue_cny) from marts.mart_product_margin group by 1"
        )
    )
    assert revenue["2026-01-01"] == D("5500.00") and revenue["2026-02-01"] == D("2720.00")


def test_unmapped_labels_listed_not_dropped(built_acme):
    rows = built_acme.rows(
        "select label_source, channel_label, occurrences from marts.unmapped_channel_labels order by 1"
    )
    assert rows == [("channel_contract", "SEO公司王总", 1), ("inquiry_register", "抖音小店", 1)]


def test_dimensions(built_acme):
    channels = {c for (c,) in built_acme.rows("select channel_id from marts.dim_channels")}
    assert {"alibaba_intl", "baidu_ppc", "baidu_seo", "wechat", "exhibition", "unknown"} <= channels
    products = built_acme.rows(
        "select product_sku, product_line, current_unit_cost, current_product_class "
        "from marts.dim_products order by 1"
    )
    assert products == [
        ("PUMP-100", "pumps", D("150.0000"), "flagship"),
        ("SEAL-5", "seals", D("2.0000"), "supporting"),
        ("VALVE-20", "valves", D("15.0000"), "supporting"),
    ]
    first, last, days, leap = built_acme.one(
        "select min(date_day), max(date_day), count(*), count(*) filter (where month_number = 2) "
        "from marts.dim_dates"
    )
    assert (first, last, days, leap) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), 365, 28)


def test_daily_business_date_caps_the_period_and_keeps_partial_parsing(built_acme, tmp_path, caplog):
    """The daily run's business date (XUNPAN_BUSINESS_DATE) caps data-through, day after day,
    without a full re-parse of the project: acme's newest daily data is 2026-02-10."""
    import logging

    from dbt_homes import clone_home

    from xunpan.transform import dbt_build

    settings = clone_home(built_acme.settings, tmp_path / "home")
    data_through = (
        "select data_through_date from intermediate.int_company_reporting_periods where company_id = 'acme'"
    )
    for day, expected in (
        (dt.date(2026, 2, 5), dt.date(2026, 2, 5)),  # a run for 02-05 ignores the later days
        (dt.date(2026, 3, 1), dt.date(2026, 2, 10)),  # a later run: nothing newer than the data itself
    ):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="xunpan.transform"):
            # the model and its unit tests; the data tests across marts need the marts rebuilt too
            dbt_build(
                settings,
                ["--select", "int_company_reporting_periods", "--exclude", "test_type:data"],
                business_date=day,
            )
        output = "\n".join(r.getMessage() for r in caplog.records)
        # The clone's first build re-parses (its profile names another warehouse path); the
        # next day's, with another business date, must not.
        if day != dt.date(2026, 2, 5):
            assert "Unable to do partial parsing" not in output, output[-3000:]
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            assert con.execute(data_through).fetchone()[0] == expected, day
