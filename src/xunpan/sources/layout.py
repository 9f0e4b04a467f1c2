"""Layouts: which header a platform's report has, and how its columns map to canonical fields.

A layout is recognised from a header row, never from the file name alone: every required header of
the layout must be present, and among the layouts that fit, the one matching most columns wins (a
keyword report also fits the unit report's columns, but matches more).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Col:
    """One column of a layout: the canonical field, the header spellings seen in the wild, the parser.

    A field starting with "_" is validated but not stored (for example 点击率, derivable from the rest).
    """

    field: str
    headers: tuple[str, ...]
    parser: str = "text"
    required: bool = True
    not_null: bool = False
    no_future: bool = True


@dataclass(frozen=True)
class Layout:
    """A known report layout of one input kind."""

    name: str
    kind: str
    columns: tuple[Col, ...]
    constants: Mapping[str, object] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    description: str = ""

    @property
    def required_headers(self) -> list[str]:
        return [c.headers[0] for c in self.columns if c.required]


@dataclass(frozen=True)
class Match:
    """A layout recognised in a header row: where each field's column is, and what was left over."""

    layout: Layout
    header_row: int
    header: list[str | None]
    positions: dict[str, int]
    unknown: list[str]
    score: int


def norm_header(text: str | None) -> str:
    """Compare headers the way a person reads them: width, case, quotes, spaces and =\"..\" wrappers ignored."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip().lstrip("\ufeff")
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    s = s.strip("\"'“”‘’ ").lower()
    return re.sub(r"[\s_]+", "", s)


def match_row(layout: Layout, row_number: int, row: list[str | None]) -> Match | None:
    """The layout's columns found in this row, or None when a required header is missing."""
    index: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = norm_header(cell)
        if key and key not in index:
            index[key] = i
    positions: dict[str, int] = {}
    for col in layout.columns:
        found = next((index[norm_header(h)] for h in col.headers if norm_header(h) in index), None)
        if found is None:
            if col.required:
                return None
            continue
        positions[col.field] = found
    ignored = {norm_header(h) for h in layout.ignored}
    used = set(positions.values())
    unknown = [
        str(cell).strip()
        for i, cell in enumerate(row)
        if norm_header(cell) and i not in used and norm_header(cell) not in ignored
    ]
    known_ignored = sum(1 for cell in row if norm_header(cell) in ignored)
    return Match(layout, row_number, row, positions, unknown, len(positions) * 2 + known_ignored)


def missing_headers(layout: Layout, row: list[str | None]) -> tuple[list[str], int]:
    """Required headers of `layout` absent from `row`, and how many required ones are present."""
    present = {norm_header(c) for c in row}
    missing = [
        c.headers[0]
        for c in layout.columns
        if c.required and not any(norm_header(h) in present for h in c.headers)
    ]
    required = sum(1 for c in layout.columns if c.required)
    return missing, required - len(missing)
