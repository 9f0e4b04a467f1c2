"""The parsed columns of one file while they are being checked, shared by the per-kind modules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xunpan.errors import CellProblem
from xunpan.sources.layout import Layout

# Enough to fix a file by; a file with more bad cells is wrong wholesale and the count says so.
PROBLEM_CAP = 200


@dataclass
class Frame:
    """Typed columns by canonical field, the original text of each cell, and the problems found so far."""

    file: str
    layout: Layout
    company_id: str
    rows: np.ndarray
    today: dt.date
    preamble: list[str]
    file_time: dt.datetime | None
    fields: dict[str, pa.Array] = field(default_factory=dict)
    raw: dict[str, pa.Array] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    bad_cells: int = 0
    bad_rows: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def flag(self, name: str, mask: np.ndarray | pa.Array, expected: str) -> None:
        """Record every cell of column `name` where `mask` is true (the first PROBLEM_CAP in detail)."""
        if isinstance(mask, pa.Array | pa.ChunkedArray):
            mask = np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
        hits = np.flatnonzero(mask)
        if not len(hits):
            return
        self.bad_cells += len(hits)
        self.bad_rows.update(self.rows[hits].tolist())
        room = PROBLEM_CAP - len(self.problems)
        raw = self.raw.get(name)
        for i in hits[: max(room, 0)]:
            value = raw[int(i)].as_py() if raw is not None else None
            self.problems.append(
                CellProblem(self.file, int(self.rows[i]), self.headers.get(name, name), value, expected)
            )

    def constant(self, name: str, value: object, type_: pa.DataType) -> None:
        """Fill field `name` with one value for every row."""
        self.fields[name] = pa.array([value] * len(self), type=type_) if len(self) else pa.array([], type_)

    def preamble_value(self, *labels: str) -> str | None:
        """The text after "label：" in the lines above the header (e.g. 账户：xxx), if any."""
        for line in self.preamble:
            for label in labels:
                m = re.search(rf"{re.escape(label)}\s*[：:]\s*(.+)", line, flags=re.IGNORECASE)
                if m and m.group(1).strip():
                    return m.group(1).strip()
        return None

    def check_not_negative(self, name: str, expected: str) -> None:
        if name in self.fields:
            values = self.fields[name]
            self.flag(name, pc.less(values, pa.scalar(0, values.type)), expected)


def default_text(frame: Frame, name: str, fallback: str) -> None:
    """Fill empty cells of a text field (or the whole field when the report lacks it) with `fallback`."""
    if name in frame.fields:
        frame.fields[name] = pc.fill_null(frame.fields[name], fallback)
    else:
        frame.constant(name, fallback, pa.string())


@dataclass(frozen=True)
class KindSpec:
    """What the landing needs to know about one input kind.

    `date_field` gives the date range shown to users; `partition` names the fields that, with that
    date, decide which later file replaces which days (docs/raw-landing.md, "latest load wins").
    """

    kind: str
    layouts: tuple[Layout, ...]
    finish: Callable[[Frame], None]
    totals: Callable[[pa.Table], dict[str, object]]
    date_field: str | None
    partition: tuple[str, ...] = ()


def sum_int(table: pa.Table, name: str) -> int | None:
    """The column's total; None when the export did not have the column at all (unknown, not 0)."""
    total = pc.sum(table.column(name)).as_py()
    return None if total is None and table.num_rows else int(total or 0)


def sum_by_currency(table: pa.Table, amount: str, currency: str = "currency") -> dict[str, str]:
    """Money totals per currency as exact decimal strings (JSON-safe, no float rounding)."""
    grouped = table.group_by(currency).aggregate([(amount, "sum")])
    return {
        str(cur): f"{total:.2f}" if total is not None else "0.00"
        for cur, total in zip(
            grouped.column(currency).to_pylist(), grouped.column(f"{amount}_sum").to_pylist(), strict=True
        )
    }


def flag_duplicates(frame: Frame, name: str, keys: pa.Array, expected: str) -> None:
    """Flag column `name` on every row whose key occurs more than once in the file."""
    counts = pc.value_counts(pc.drop_null(keys))
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        frame.flag(name, pc.is_in(keys, value_set=repeated), expected)
