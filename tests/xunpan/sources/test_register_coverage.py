"""The register's coverage period (issue 8, item 2): which received dates an import is the truth for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xunpan.errors import InputRejected
from xunpan.sources import parse_file
from xunpan.sources.inquiries import inquiry_key, month_week, stated_period

TODAY = dt.date(2026, 11, 1)
D = dt.date

HEADER = "询盘编号,询盘时间,来源渠道,当前阶段"


def _register(path: Path, title: str | None, rows: list[str]) -> Path:
    lines = ([title] if title else []) + [HEADER, *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_weeks_of_a_month_run_monday_to_sunday_cut_at_the_month_edges() -> None:
    # 2026-10-01 is a Thursday: week 1 is Thu 1 .. Sun 4, week 5 ends on the 31st (a Saturday).
    assert [month_week(2026, 10, w) for w in range(1, 6)] == [
        (D(2026, 10, 1), D(2026, 10, 4)),
        (D(2026, 10, 5), D(2026, 10, 11)),
        (D(2026, 10, 12), D(2026, 10, 18)),
        (D(2026, 10, 19), D(2026, 10, 25)),
        (D(2026, 10, 26), D(2026, 10, 31)),
    ]
    # 2026-02-01 is a Sunday: week 1 is that one day.
    assert month_week(2026, 2, 1) == (D(2026, 2, 1), D(2026, 2, 1))
    with pytest.raises(ValueError, match="has no week 6"):
        month_week(2026, 10, 6)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026年10月第2周询盘登记表", (D(2026, 10, 5), D(2026, 10, 11))),
        ("2026年10月第二周询盘登记表", (D(2026, 10, 5), D(2026, 10, 11))),
        ("2026-10 第3周", (D(2026, 10, 12), D(2026, 10, 18))),
        ("2026年10月询盘登记表", (D(2026, 10, 1), D(2026, 10, 31))),
        ("询盘登记表_2026.10", (D(2026, 10, 1), D(2026, 10, 31))),
        ("inquiry_register_2026-02", (D(2026, 2, 1), D(2026, 2, 28))),
        ("询盘202610", (D(2026, 10, 1), D(2026, 10, 31))),
        ("2026-10-05至2026-10-11", (D(2026, 10, 5), D(2026, 10, 11))),
        ("2026年10月5日至2026年10月11日", (D(2026, 10, 5), D(2026, 10, 11))),
        ("2026/10/05~10/11", (D(2026, 10, 5), D(2026, 10, 11))),
        # an export time or a single day is not a period
        ("导出时间：2026-01-31 18:00", None),
        ("截至2026年3月31日", None),
        ("20261005", None),
        ("询盘登记表", None),
    ],
)
def test_stated_period(text: str, period: tuple[dt.date, dt.date] | None) -> None:
    assert stated_period(text) == period


def test_impossible_periods_are_refused_by_the_parser() -> None:
    with pytest.raises(ValueError):
        stated_period("2026年13月")
    with pytest.raises(ValueError, match="ends before it starts"):
        stated_period("2026-10-11至2026-10-05")


def test_weekly_sheet_covers_its_week_from_the_title_row(tmp_path: Path) -> None:
    path = _register(
        tmp_path / "register.csv",
        "2026年10月第2周询盘登记表",
        ["XP-1,2026-10-06 09:00,阿里,新询盘", "XP-2,2026-10-07 10:00,百度推广,意向"],
    )
    table = parse_file(path, today=TODAY).table
    assert set(table.column("covers_from").to_pylist()) == {D(2026, 10, 5)}
    assert set(table.column("covers_to").to_pylist()) == {D(2026, 10, 11)}


def test_period_from_the_file_name_is_not_widened_by_carried_forward_rows(tmp_path: Path) -> None:
    # week 3 is 10-12..10-18; the sheet also shows XP-2 of week 2 (10-06), still open
    path = _register(
        tmp_path / "2026年10月第3周询盘登记表.csv",
        None,
        ["XP-8,2026-10-13 09:00,阿里,新询盘", "XP-2,2026-10-06 08:00,阿里,意向"],
    )
    table = parse_file(path, today=TODAY).table
    assert table.column("covers_from").to_pylist() == [D(2026, 10, 12)] * 2
    assert table.column("covers_to").to_pylist() == [D(2026, 10, 18)] * 2


def test_without_a_stated_period_an_import_covers_the_received_dates_it_lists(tmp_path: Path) -> None:
    path = _register(
        tmp_path / "询盘登记表.csv",
        "询盘登记表",
        ["XP-1,2026-09-28 09:00,阿里,新询盘", "XP-2,2026-10-07 10:00,阿里,成交"],
    )
    table = parse_file(path, today=TODAY).table
    assert table.column("covers_from").to_pylist() == [D(2026, 9, 28)] * 2
    assert table.column("covers_to").to_pylist() == [D(2026, 10, 7)] * 2


def test_an_impossible_stated_period_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = _register(
        tmp_path / "register.csv", "2026年10月第6周询盘登记表", ["XP-1,2026-10-06 09:00,阿里,新询盘"]
    )
    parsed = parse_file(path, today=TODAY)
    assert parsed.table.column("covers_from").to_pylist() == [D(2026, 10, 6)]
    assert parsed.table.column("covers_to").to_pylist() == [D(2026, 10, 6)]
    assert any("has no week 6" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("XP-3", "XP-3"),
        ("XP-003", "XP-3"),
        (" xp-003 ", "XP-3"),
        ("ＸＰ－００３", "XP-3"),
        ("XP 0030", "XP30"),
        ("XP-100", "XP-100"),
        ("XP-000", "XP-0"),
        ("XP-003A", "XP-003A"),
        ("0012", "12"),
        ("XP2026010001", "XP2026010001"),
    ],
)
def test_inquiry_key_matches_the_dbt_macro_examples(written: str, key: str) -> None:
    # the same cases as the dbt unit test register_ids_normalised_xp3_is_xp003
    assert inquiry_key(written) == key


def test_one_sheet_listing_xp3_and_xp003_is_refused(tmp_path: Path) -> None:
    path = _register(
        tmp_path / "register.csv",
        None,
        ["XP-3,2026-10-06 09:00,阿里,新询盘", "XP-003,2026-10-06 09:00,阿里,意向"],
    )
    with pytest.raises(InputRejected) as rejected:
        parse_file(path, today=TODAY)
    first = rejected.value.problems[0]
    assert (first.row, first.column, first.value) == (2, "询盘编号", "XP-3")
    assert "XP-3 and XP-003" in first.expected
