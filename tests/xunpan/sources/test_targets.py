"""The targets input kind (issue 15): recognised, validated, refused with file, row and column named."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xunpan.config import Settings
from xunpan.errors import InputRejected
from xunpan.sources import parse_file

TODAY = dt.date(2026, 12, 3)
HEADER = "月份,渠道,目标询盘,目标成交,预算,目标成交金额"


def _csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_a_targets_sheet_is_recognised_and_months_channels_and_groups_are_read(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "2026年目标.csv",
        [
            '2026-11,阿里巴巴国际站,120,6,"30,000.00",360000',
            "2026年11月,付费搜索,80,4,20000,",
            "2026/12,展会,,1,50000,",
            "202612,Made-in-China,40,2,8000,",
        ],
    )
    parsed = parse_file(path, company_id="acme", today=TODAY)
    assert (parsed.kind, parsed.layout) == ("targets", "targets_zh")
    rows = parsed.table.to_pylist()
    assert [r["target_month"] for r in rows] == [dt.date(2026, 11, 1)] * 2 + [dt.date(2026, 12, 1)] * 2
    assert [r["channel_label"] for r in rows] == ["阿里巴巴国际站", "付费搜索", "展会", "Made-in-China"]
    # An empty target is "no target" (unknown), never a target of 0.
    assert [r["target_inquiries"] for r in rows] == [120, 80, None, 40]
    assert rows[0]["budget"] == Decimal("30000.00") and rows[0]["target_revenue"] == Decimal("360000.00")
    assert rows[1]["target_revenue"] is None
    assert parsed.totals == {"targets": 4, "months": ["2026-11", "2026-12"], "budget": {"CNY": "108000.00"}}
    # A plan runs into the future: next year's months are not "dates after today".
    future = parse_file(_csv(tmp_path / "next.csv", ["2027-03,B2B平台,100,5,1000,"]), today=TODAY)
    assert future.table.column("target_month").to_pylist() == [dt.date(2027, 3, 1)]


def test_an_excel_targets_sheet_with_english_headers_and_date_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["month", "channel", "target_inquiries", "target_won", "budget"])
    sheet.append([dt.datetime(2026, 11, 1), "paid_search", 80, 4, 20000])
    sheet.append([dt.datetime(2026, 11, 1), "baidu_seo", 50, 3, 3000])
    book.save(tmp_path / "targets.xlsx")
    parsed = parse_file(tmp_path / "targets.xlsx", today=TODAY)
    assert parsed.layout == "targets_en"
    assert parsed.table.column("target_month").to_pylist() == [dt.date(2026, 11, 1)] * 2


def test_a_bad_month_or_an_unknown_channel_is_refused_with_row_and_column(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "targets_bad.csv",
        [
            "2026-11,阿里巴巴国际站,120,6,30000,",
            "2026-13,付费搜索,80,4,20000,",
            "2026-11-15,自然搜索,80,4,20000,",
            "2026-12,天猫旗舰店,10,1,5000,",
            "2026-12,展会,2.5,1,5000,",
        ],
    )
    with pytest.raises(InputRejected) as refused:
        parse_file(path, company_id="acme", today=TODAY)
    problems = {(p.row, p.column, p.value) for p in refused.value.problems}
    assert problems == {
        (3, "月份", "2026-13"),
        (4, "月份", "2026-11-15"),
        (5, "渠道", "天猫旗舰店"),
        (6, "目标询盘", "2.5"),
    }
    described = [p.describe() for p in refused.value.problems]
    assert (
        "targets_bad.csv, row 3, column '月份': got '2026-13'; expected a month like 2026-03" in described[0]
    )
    channel = next(d for d in described if "天猫旗舰店" in d)
    assert channel.startswith("targets_bad.csv, row 5, column '渠道'") and "channel_aliases.csv" in channel
    assert "nothing was loaded" in str(refused.value)


def test_a_month_may_not_target_a_channel_twice_or_a_group_and_its_channel(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "targets_double.csv",
        [
            "2026-11,阿里巴巴国际站,120,6,30000,",
            "2026-11,Alibaba.com,100,5,30000,",
            "2026-11,付费搜索,80,4,20000,",
            "2026-11,百度竞价,50,2,15000,",
            "2026-12,百度竞价,50,2,15000,",
        ],
    )
    with pytest.raises(InputRejected) as refused:
        parse_file(path, today=TODAY)
    by_row = {p.row: p.expected for p in refused.value.problems}
    # Rows 2 and 3 name the same channel (an alias of it) in one month; row 5 is inside row 4's group.
    assert set(by_row) == {2, 3, 5}
    assert "one row per month and channel" in by_row[2] and "one row per month and channel" in by_row[3]
    assert "channel group" in by_row[5]


def test_import_quarantines_a_bad_targets_file_with_the_reason(settings: Settings, tmp_path: Path) -> None:
    from xunpan.landing import import_files

    good = _csv(tmp_path / "targets_ok.csv", ["2026-11,B2B平台,120,6,30000,"])
    bad = _csv(tmp_path / "targets_typo.csv", ["2026-11,B2B平台,120,6,30000,", "2026-11,抖音小店,5,0,0,"])
    results = {r.file.name: r for r in import_files(settings, [good, bad], company="acme", today=TODAY)}
    assert results["targets_ok.csv"].accepted and results["targets_ok.csv"].kind == "targets"
    assert not results["targets_typo.csv"].accepted
    text = results["targets_typo.csv"].describe()
    assert "row 3" in text and "渠道" in text and "抖音小店" in text
    assert (settings.inbox / "acme" / "targets_ok.csv").is_file()
    assert json.loads(json.dumps(results["targets_ok.csv"].as_dict()))["kind"] == "targets"
