"""Read generated demo files back the way a user's tools would (pandas, openpyxl), for the tests."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from xunpan.demo import SMALL_END_DATE

# Fixed end dates so the tests never depend on today; the full one mid-month, so its last month is partial.
FULL_END = date(2026, 6, 15)
SMALL_END = SMALL_END_DATE  # the small dataset's own fixed default

STAGE_RANK = {"新询盘": 0, "意向": 1, "有效": 2, "成交": 3}
TERMINAL = {"流失", "无效"}
_TEXT_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2}) (\d{2}):(\d{2})$")


def register_timestamp(value: object) -> datetime | None:
    """A register date cell: an Excel datetime, or hand-typed text like `2026/1/5 10:32`."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value
    match = _TEXT_DATE.match(str(value))
    assert match, f"unexpected register date {value!r}"
    year, month, day, hour, minute = (int(g) for g in match.groups())
    return datetime(year, month, day, hour, minute)


def sheet_rows(path: Path) -> list[tuple[object, ...]]:
    """All rows of the first sheet as values."""
    workbook = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_register(path: Path) -> tuple[datetime, pd.DataFrame]:
    """(export time from the title rows, the register rows with the header as columns)."""
    rows = sheet_rows(path)
    exported = datetime.strptime(str(rows[1][0]).removeprefix("导出时间："), "%Y-%m-%d %H:%M")
    frame = pd.DataFrame(rows[3:], columns=list(rows[2]))
    return exported, frame


def read_orders(folder: Path) -> pd.DataFrame:
    """Every orders_YYYY.xlsx in the folder, concatenated."""
    frames = [pd.read_excel(p, dtype={"询盘编号": str}) for p in sorted(folder.glob("orders_*.xlsx"))]
    return pd.concat(frames, ignore_index=True)
