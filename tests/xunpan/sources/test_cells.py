"""The value parsers on the spellings real exports use, checked against hand-written expectations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from xunpan.sources import cells


def _col(*values: str | None) -> pa.Array:
    return cells.clean_text(pa.array(list(values), pa.string()))


def test_amounts_strip_separators_signs_and_dashes() -> None:
    parsed = cells.parse_amount(
        _col(" 1,234.50 ", "¥29,800.00", "￥99.90", "RMB 5元", "--", None, "12.345", "abc")
    )
    assert parsed.values.to_pylist() == [
        Decimal("1234.50"),
        Decimal("29800.00"),
        Decimal("99.90"),
        Decimal("5.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("12.35"),
        None,
    ]
    assert parsed.bad.tolist() == [False] * 7 + [True]


def test_nullable_amount_keeps_empty_as_null() -> None:
    parsed = cells.parse_amount(_col("", "--", "5,000.00"), empty_as_zero=False)
    assert parsed.values.to_pylist() == [None, None, Decimal("5000.00")]


def test_counts_accept_excel_floats_and_refuse_fractions_and_negatives() -> None:
    parsed = cells.parse_count(_col("1,234", "12.0", "--", None, "12.5", "-1", "x"))
    assert parsed.values.to_pylist()[:4] == [1234, 12, 0, 0]
    assert parsed.bad.tolist() == [False, False, False, False, True, True, True]


def test_dates_in_every_common_form() -> None:
    parsed = cells.parse_date(
        _col(
            "2026-11-03",
            "2026/11/3",
            "20261103",
            "2026年11月3日",
            "2026.11.03",
            "46329",
            "2026-11-03 00:00:00",
        )
    )
    assert parsed.values.to_pylist() == [dt.date(2026, 11, 3)] * 7
    assert not parsed.bad.any()


def test_impossible_dates_are_bad_not_shifted() -> None:
    parsed = cells.parse_date(_col("2026-02-30", "2026-13-01", "2025-02-29", "hello", "--"))
    assert parsed.values.to_pylist() == [None] * 5
    assert parsed.bad.tolist() == [True, True, True, True, False]


def test_iso_dates_take_the_fast_path_with_the_same_result() -> None:
    parsed = cells.parse_date(_col("2024-02-29", "2026-01-05"))
    assert parsed.values.to_pylist() == [dt.date(2024, 2, 29), dt.date(2026, 1, 5)]


def test_timestamps_text_excel_serial_and_bare_dates() -> None:
    # 46027.5 is 2026-01-05 at noon in Excel's 1900 date system.
    parsed = cells.parse_timestamp(
        _col("2026/1/5 10:32", "2026-01-05 10:32:07", "46027.5", "2026/1/5", "2026/1/5 25:00")
    )
    assert parsed.values.to_pylist()[:4] == [
        dt.datetime(2026, 1, 5, 10, 32),
        dt.datetime(2026, 1, 5, 10, 32, 7),
        dt.datetime(2026, 1, 5, 12),
        dt.datetime(2026, 1, 5),
    ]
    assert parsed.bad.tolist() == [False, False, False, False, True]


def test_percent_hour_bool_and_currency() -> None:
    assert cells.parse_percent(_col("3.20%", "--")).values.to_pylist() == [0.032, None]
    hours = cells.parse_hour(_col("9", "09:00", "10:00-11:00", "9时", "24"))
    assert hours.values.to_pylist() == [9, 9, 10, 9, None]
    assert hours.bad.tolist() == [False, False, False, False, True]
    flags = cells.parse_bool(_col("是", "否", None, "maybe"))
    assert flags.values.to_pylist() == [True, False, None, None]
    assert flags.bad.tolist() == [False, False, False, True]
    currencies = cells.parse_currency(_col("cny", "人民币", "美元", "USD", "dollars"))
    assert currencies.values.to_pylist() == ["CNY", "CNY", "USD", "USD", None]
    assert currencies.bad.tolist() == [False, False, False, False, True]


def test_excel_cells_become_parser_text() -> None:
    assert cells.excel_cell_text(12.0) == "12"
    assert cells.excel_cell_text(88.8) == "88.8"
    assert cells.excel_cell_text(dt.datetime(2026, 1, 5, 10, 32)) == "2026-01-05 10:32:00"
    assert cells.excel_cell_text(None) is None
