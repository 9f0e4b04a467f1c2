"""Reading containers and encodings, and keeping row numbers right when lines and rows differ."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xunpan.errors import InputRejected
from xunpan.sources import parse_file
from xunpan.sources.grid import decode_text

TODAY = dt.date(2026, 11, 20)
HEADER = "日期,币种,汇率"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le"])
def test_every_supported_encoding_decodes(encoding: str) -> None:
    text, _ = decode_text(f"{HEADER}\n2026-01-05,USD,7.1\n".encode(encoding), "x.csv")
    assert text.lstrip("\ufeff").startswith(HEADER)


def test_blank_lines_and_quoted_line_breaks_keep_sheet_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "contracts.csv"
    path.write_text(
        "渠道,开始日期,结束日期,费用,币种,说明\n"
        '展会,2026-03-01,2026-03-03,5000,CNY,"广交会\n两天"\n'
        "\n"
        "SEO,2026-01-01,2026-12-31,abc,CNY,代运营\n",
        encoding="utf-8",
    )
    with pytest.raises(InputRejected) as caught:
        parse_file(path, today=TODAY)
    # Line 2 spans two physical lines and line 4 is blank: the bad fee is on line 5.
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [(5, "费用", "abc")]


def test_trailing_empty_rows_from_excel_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text(f"{HEADER}\n2026-01-05,USD,7.1\n,,\n,,\n", encoding="utf-8")
    assert parse_file(path, today=TODAY).rows == 1


def test_totals_row_at_the_bottom_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "baidu.csv"
    path.write_text(
        "日期,账户,展现,点击,消费\n2026-01-05,a,10,1,1.50\n2026-01-06,a,10,1,2.50\n合计,,20,2,4.00\n",
        encoding="gbk",
    )
    parsed = parse_file(path, today=TODAY)
    assert parsed.totals["cost"] == {"CNY": "4.00"}
    assert parsed.warnings == ["skipped totals row(s) at row 4"]


def test_many_bad_cells_are_capped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text(HEADER + "\n" + "".join(f"2026-01-05,USD,x{i}\n" for i in range(300)), encoding="utf-8")
    with pytest.raises(InputRejected) as caught:
        parse_file(path, today=TODAY)
    assert len(caught.value.problems) == 200
    assert "300 problem(s) in 300 row(s)" in caught.value.reason
    assert caught.value.problems[-1].row == 201
