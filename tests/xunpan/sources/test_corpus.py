"""The fixture corpus: every real-layout sample imports with the right rows and totals, and every
malformed file is refused with its expected message, row, column and value."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from xunpan.errors import InputRejected
from xunpan.sources import parse_file

INPUTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs"
TODAY = dt.date(2026, 11, 20)

# file, layout, rows, first date, last date, totals — each total worked out by hand from the sample.
GOOD = [
    (
        "baidu_keyword_202601.csv",
        "baidu_search_keyword",
        33,
        "2026-01-01",
        "2026-01-31",
        {"cost": {"CNY": "4830.50"}, "clicks": 546, "impressions": 7260},
    ),
    (
        "baidu_keyword_202601_restated.csv",
        "baidu_search_keyword",
        5,
        "2026-01-27",
        "2026-01-31",
        {"cost": {"CNY": "1145.00"}, "clicks": 145, "impressions": 1450},
    ),
    (
        "baidu_account_202601.csv",
        "baidu_search_account",
        2,
        "2026-01-01",
        "2026-01-02",
        {"cost": {"CNY": "3500.25"}, "clicks": 220, "impressions": 22000},
    ),
    (
        "baidu_campaign_202601.csv",
        "baidu_search_campaign",
        2,
        "2026-01-01",
        "2026-01-01",
        {"cost": {"CNY": "475.50"}, "clicks": 25, "impressions": 1000},
    ),
    (
        "baidu_adgroup_202601.csv",
        "baidu_search_ad_group",
        2,
        "2026-01-03",
        "2026-01-03",
        {"cost": {"CNY": "210.00"}, "clicks": 10, "impressions": 600},
    ),
    (
        "baidu_searchterm_202601.csv",
        "baidu_search_search_term",
        2,
        "2026-01-04",
        "2026-01-04",
        {"cost": {"CNY": "85.00"}, "clicks": 4, "impressions": 50},
    ),
    (
        "baidu_region_202601.csv",
        "baidu_search_region",
        2,
        "2026-01-06",
        "2026-01-06",
        {"cost": {"CNY": "200.00"}, "clicks": 10, "impressions": 500},
    ),
    (
        "baidu_hourly_20260107.csv",
        "baidu_search_hourly",
        3,
        "2026-01-07",
        "2026-01-07",
        {"cost": {"CNY": "151.00"}, "clicks": 7, "impressions": 280},
    ),
    (
        "baidu_feed_202601.csv",
        "baidu_feed_ad_group",
        1,
        "2026-01-08",
        "2026-01-08",
        {"cost": {"CNY": "1000.00"}, "clicks": 250, "impressions": 25000},
    ),
    (
        "so360_keyword_202601.csv",
        "so360_keyword",
        2,
        "2026-01-09",
        "2026-01-10",
        {"cost": {"CNY": "219.90"}, "clicks": 19, "impressions": 1900},
    ),
    (
        "sogou_account_202601.csv",
        "sogou_account",
        2,
        "2026-01-05",
        "2026-01-06",
        {"cost": {"CNY": "450.00"}, "clicks": 30, "impressions": 3000},
    ),
    (
        "shenma_keyword_202601.csv",
        "shenma_keyword",
        1,
        "2026-01-11",
        "2026-01-11",
        {"cost": {"CNY": "55.55"}, "clicks": 5, "impressions": 500},
    ),
    (
        "alibaba_p4p_202601.xlsx",
        "alibaba_p4p_keyword",
        2,
        "2026-01-05",
        "2026-01-06",
        {"cost": {"CNY": "100.00"}, "clicks": 10, "impressions": 1500},
    ),
    (
        "1688_p4p_202601.csv",
        "alibaba_1688_p4p_keyword",
        1,
        "2026-01-12",
        "2026-01-12",
        {"cost": {"CNY": "48.00"}, "clicks": 16, "impressions": 800},
    ),
    (
        "google_ads_202601.csv",
        "google_ads_ad_group",
        2,
        "2026-01-05",
        "2026-01-06",
        {"cost": {"USD": "63.84"}, "clicks": 42, "impressions": 2400},
    ),
    (
        "alibaba_datamanager_202601.xlsx",
        "alibaba_datamanager",
        2,
        "2026-01-05",
        "2026-01-06",
        {"exposures": 9000, "visitors": 220, "clicks": 550, "inquiries_reported": 7, "tm_consultations": 3},
    ),
    (
        "1688_traffic_202601.csv",
        "alibaba_1688_traffic",
        2,
        "2026-01-05",
        "2026-01-06",
        {"exposures": 5000, "visitors": 140, "clicks": 250, "inquiries_reported": 3, "tm_consultations": 8},
    ),
    (
        "made_in_china_202601.csv",
        "made_in_china",
        2,
        "2026-01-05",
        "2026-01-06",
        {"exposures": 1800, "visitors": 70, "clicks": 105, "inquiries_reported": 1, "tm_consultations": None},
    ),
    (
        "baidu_tongji_202601.csv",
        "baidu_tongji_source",
        2,
        "2026-01-05",
        "2026-01-05",
        {"sessions": 75, "visitors": 60, "pageviews": 180, "conversions": 3},
    ),
    (
        "cnzz_source_202601.csv",
        "cnzz_source",
        1,
        "2026-01-05",
        "2026-01-05",
        {"sessions": 35, "visitors": 30, "pageviews": 90, "conversions": None},
    ),
    (
        "inquiry_register_2026-01.xlsx",
        "register_zh",
        4,
        "2026-01-05",
        "2026-01-07",
        {"inquiries": 4, "by_stage": {"intentional": 1, "invalid": 1, "lost": 1, "won": 1}},
    ),
    (
        "inquiry_register_en.csv",
        "register_en",
        2,
        "2026-01-05",
        "2026-01-06",
        {"inquiries": 2, "by_stage": {"new": 1, "won": 1}},
    ),
    (
        "orders_2026.xlsx",
        "orders_zh",
        2,
        "2026-01-20",
        "2026-01-22",
        {"order_lines": 2, "orders": 2, "amount": {"USD": "12000.00", "CNY": "3000.00"}},
    ),
    (
        "cost_cards_2026-01-01.xlsx",
        "cost_cards_zh",
        2,
        "2026-01-01",
        "2026-01-01",
        {"cost_cards": 2, "products": 2},
    ),
    (
        "channel_contracts.csv",
        "contracts_zh",
        2,
        "2026-01-01",
        "2026-01-01",
        {"contracts": 2, "fee": {"CNY": "36480.00"}},
    ),
    ("fx_rates.csv", "fx_rates_zh", 2, "2026-01-05", "2026-01-06", {"rates": 2, "currencies": ["USD"]}),
]


@pytest.mark.parametrize(
    ("name", "layout", "rows", "first", "last", "totals"), GOOD, ids=[g[0] for g in GOOD]
)
def test_good_sample_imports_with_its_totals(
    name: str, layout: str, rows: int, first: str, last: str, totals: dict[str, object]
) -> None:
    parsed = parse_file(INPUTS / name, today=TODAY, company_id="acme")
    assert (parsed.layout, parsed.rows) == (layout, rows)
    assert (parsed.date_min.isoformat(), parsed.date_max.isoformat()) == (first, last)
    assert parsed.totals == totals
    assert parsed.unknown_columns == []
    assert set(parsed.table.column("company_id").to_pylist()) == {"acme"}


def test_baidu_keyword_rows_keep_their_sheet_row_numbers_and_quirks() -> None:
    parsed = parse_file(INPUTS / "baidu_keyword_202601.csv", today=TODAY)
    first, zero_click = parsed.table.slice(0, 2).to_pylist()
    # Seven preamble lines and the header: the first data row is line 9 of the file.
    assert first["source_row"] == 9 and zero_click["source_row"] == 10
    assert (first["account"], first["platform"], first["report_level"], first["currency"]) == (
        "acme-bd",
        "baidu_search",
        "keyword",
        "CNY",
    )
    assert (zero_click["clicks"], str(zero_click["cost"])) == (0, "0.00")


def test_sogou_totals_row_under_the_header_is_skipped_and_said() -> None:
    parsed = parse_file(INPUTS / "sogou_account_202601.csv", today=TODAY)
    assert parsed.warnings == ["skipped totals row(s) at row 4"]
    assert parsed.table.column("source_row").to_pylist() == [5, 6]


def test_made_in_china_has_no_shop_column_so_the_company_is_the_shop() -> None:
    parsed = parse_file(INPUTS / "made_in_china_202601.csv", today=TODAY, company_id="acme")
    assert parsed.encoding == "utf-16" and parsed.container == "tsv"
    assert set(parsed.table.column("shop").to_pylist()) == {"acme"}


def test_register_snapshot_time_stages_and_excel_dates() -> None:
    parsed = parse_file(INPUTS / "inquiry_register_2026-01.xlsx", today=TODAY)
    rows = {r["inquiry_id"]: r for r in parsed.table.to_pylist()}
    assert rows["XP-0001"]["snapshot_at"] == dt.datetime(2026, 1, 31, 18, 0)
    assert rows["XP-0001"]["stage"] == "won" and rows["XP-0001"]["stage_label"] == "成交"
    assert rows["XP-0001"]["effective_at"] == dt.datetime(2026, 1, 10, 9, 0)
    assert rows["XP-0004"]["received_at"] == dt.datetime(2026, 1, 7, 12, 0)
    assert rows["XP-0003"]["invalid_reason"] == "推销"
    assert str(rows["XP-0001"]["deal_amount"]) == "12000.00"
    assert rows["XP-0002"]["deal_amount"] is None


def test_region_and_hourly_reports_fill_their_own_dimensions() -> None:
    region = parse_file(INPUTS / "baidu_region_202601.csv", today=TODAY).table
    assert region.column("region").to_pylist() == ["广东/深圳", "浙江"]
    hourly = parse_file(INPUTS / "baidu_hourly_20260107.csv", today=TODAY).table
    assert hourly.column("hour").to_pylist() == [9, 10, 23]


def test_unknown_columns_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text("日期,币种,汇率,备注\n2026-01-05,USD,7.1,中国银行\n", encoding="utf-8")
    parsed = parse_file(path, today=TODAY)
    assert parsed.unknown_columns == ["备注"]
    assert parsed.rows == 1


def test_kind_option_restricts_recognition() -> None:
    with pytest.raises(InputRejected, match="no header row of kind 'orders' was found"):
        parse_file(INPUTS / "fx_rates.csv", kind="orders", today=TODAY)


EXPECTED = json.loads((INPUTS / "bad" / "expected.json").read_text(encoding="utf-8"))


def test_the_malformed_corpus_is_big_enough() -> None:
    assert len(EXPECTED) >= 25
    assert all((INPUTS / "bad" / name).exists() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_rejected_with_its_expected_error(name: str) -> None:
    expected = EXPECTED[name]
    with pytest.raises(InputRejected) as caught:
        parse_file(INPUTS / "bad" / name, today=TODAY)
    error = caught.value
    assert error.file == name
    assert expected["reason"] in error.reason
    if "first_problem" in expected:
        first = error.problems[0]
        want = expected["first_problem"]
        assert (first.row, first.column) == (want["row"], want["column"])
        if want["value"] is not None:
            assert first.value == want["value"]
        if want["expected"] is not None:
            assert want["expected"] in first.expected
        # The message a person reads names the file, the row and the column as written.
        assert f"row {want['row']}" in str(error)
