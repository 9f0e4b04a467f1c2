"""Turn one input file into a validated Arrow table of its kind, or refuse it with every bad cell listed.

A file is accepted whole or not at all: one unreadable cost cell rejects the file, because a cost
table missing rows silently understates spend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xunpan.errors import CellProblem, InputRejected
from xunpan.sources import (
    ad_spend,
    channel_contracts,
    fx_rates,
    inquiries,
    orders,
    platform_traffic,
    product_costs,
    targets,
    web_traffic,
)
from xunpan.sources.cells import PARSERS, clean_text
from xunpan.sources.frame import PROBLEM_CAP, Frame, KindSpec
from xunpan.sources.grid import Grid, read_grids
from xunpan.sources.layout import Layout, Match, match_row, missing_headers, norm_header
from xunpan.sources.meaning import Context, Reading, Vocabulary, read_row, skeleton
from xunpan.sources.schemas import KINDS, kind_fields
from xunpan.sources.taught import LayoutFileError, load_taught

SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        ad_spend.SPEC,
        platform_traffic.SPEC,
        web_traffic.SPEC,
        inquiries.SPEC,
        orders.SPEC,
        product_costs.SPEC,
        channel_contracts.SPEC,
        fx_rates.SPEC,
        targets.SPEC,
    )
}
LAYOUTS: tuple[Layout, ...] = tuple(layout for spec in SPECS.values() for layout in spec.layouts)
# Kinds whose exports let the user choose the columns: recognised by meaning, not by a fixed list.
VOCABS: dict[str, Vocabulary] = {
    v.kind: v for v in (ad_spend.VOCAB, platform_traffic.VOCAB, web_traffic.VOCAB)
}

# 总计 / 合计 rows, and Google Ads' "Total: account", "Total: campaign", "Total: Search" rows.
_TOTALS_WORDS = pa.array(["总计", "合计", "汇总", "总和", "total", "totals", "grand total", "sum"])
# One row for a whole period ("2026-10-05 至 2026-10-11"): a summary export, not a daily one.
_DAY = r"\d{4}(?:[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{4})"
_RANGE_RE = rf"^{_DAY}\s*(?:至|到|~|～|—|–|-|to)\s*{_DAY}$"


@dataclass
class ParsedInput:
    """A file that passed every check: its table (kind columns plus company/source columns) and summary."""

    file: str
    kind: str
    layout: str
    layout_description: str
    company_id: str
    container: str
    encoding: str | None
    header_row: int
    table: pa.Table
    date_min: dt.date | None
    date_max: dt.date | None
    totals: dict[str, object]
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # How each header cell was understood: (header, field or "-"/"?", note); and where the platform came from.
    columns: list[tuple[str, str, str]] = field(default_factory=list)
    platform_source: str | None = None

    @property
    def rows(self) -> int:
        return self.table.num_rows

    def partitions(self) -> dict[str, list[str]]:
        """Days covered per replacement key (platform|account, platform|shop or tool), ISO dates sorted."""
        spec = SPECS[self.kind]
        if not spec.partition or spec.date_field is None:
            return {}
        # An unknown account (NULL) is a key of its own, written as the empty string.
        keys = pc.binary_join_element_wise(
            *[self.table.column(f) for f in spec.partition], "|", null_handling="replace", null_replacement=""
        )
        days = pc.cast(self.table.column(spec.date_field), pa.string())
        pairs = pa.table({"k": keys, "d": days}).group_by(["k", "d"]).aggregate([])
        result: dict[str, list[str]] = {}
        for key, day in zip(pairs.column("k").to_pylist(), pairs.column("d").to_pylist(), strict=True):
            result.setdefault(key, []).append(day)
        return {k: sorted(v) for k, v in sorted(result.items())}


def parse_file(
    path: Path,
    *,
    kind: str | None = None,
    company_id: str = "default",
    today: dt.date | None = None,
    data: bytes | None = None,
    name: str | None = None,
    platform: str | None = None,
    layouts_dir: Path | None = None,
) -> ParsedInput:
    """Read, recognise and validate one file; raise InputRejected naming every bad cell (up to a cap).

    `platform` is the user's `--platform`; `layouts_dir` holds taught layouts (default: the Settings'
    XUNPAN_HOME/layouts, so an import and the later ingest of the same file read it the same way).
    """
    name = name or path.name
    if kind is not None and kind not in SPECS:
        raise InputRejected(name, f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if data is None:
        data = path.read_bytes()
    try:
        file_time = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    except OSError:
        file_time = None
    grids = read_grids(data, name)
    layouts = SPECS[kind].layouts if kind else LAYOUTS
    vocabs = [VOCABS[kind]] if kind in VOCABS else ([] if kind else list(VOCABS.values()))
    if layouts_dir is None:
        from xunpan.config import Settings

        layouts_dir = Settings.from_env().layouts
    try:
        taught = load_taught(layouts_dir, VOCABS)
    except LayoutFileError as exc:
        raise InputRejected(name, f"cannot use the taught layouts: {exc}") from exc
    grid, match, reading = _recognise(_Search(grids, layouts, vocabs, name, kind, platform, taught))
    parsed = _convert(grid, match, company_id, today or dt.date.today(), file_time)
    if reading is not None:
        parsed.columns = reading.explain()
        parsed.platform_source = reading.platform_source
    else:
        parsed.columns = _explain_fixed(match)
    return parsed


@dataclass(frozen=True)
class _Search:
    """Where to look for the header row (the file's grids) and what may match it."""

    grids: list[Grid]
    layouts: tuple[Layout, ...]
    vocabs: list[Vocabulary]
    name: str
    kind: str | None
    platform: str | None
    taught: tuple


def _recognise(search: _Search) -> tuple[Grid, Match, Reading | None]:
    """The first row that reads as a header, and its best reading (a fixed layout or by meaning)."""
    for grid in search.grids:
        preamble: list[str] = []
        for row_number, row in grid.head:
            ctx = Context(search.name, " ".join(preamble), search.platform, search.taught)
            matches: list[tuple[Match, Reading | None]] = [
                (m, None)
                for layout in search.layouts
                if (m := match_row(layout, row_number, row)) is not None
            ]
            readings = [r for v in search.vocabs if (r := read_row(v, row_number, row, ctx)) is not None]
            matches += [(r.match(), r) for r in readings if r.usable]
            if matches:
                match, reading = max(matches, key=lambda mr: mr[0].score)
                return grid, match, reading
            # The header is complete but the platform is in doubt: say so rather than "no header".
            blocked = next((r for r in readings if not r.missing and r.conflict), None)
            if blocked is not None:
                raise _rejected(
                    search.name,
                    f"row {row_number} is the header of a report of kind {blocked.vocab.kind}, but {blocked.conflict}",
                    [],
                    blocked.layout(),
                )
            preamble.append(" ".join(str(c).strip() for c in row if c is not None and str(c).strip()))
    raise _no_header(search)


def _no_header(search: _Search) -> InputRejected:
    """Explain the closest layout (a renamed or missing column is the usual cause) and how to teach it."""
    best: tuple[float, int, Layout, list[str], list[str | None], Reading | None] | None = None
    for grid in search.grids:
        preamble: list[str] = []
        for row_number, row in grid.head:
            for layout in search.layouts:
                missing, present = missing_headers(layout, row)
                ratio = present / (present + len(missing))
                if present >= 2 and (best is None or ratio > best[0]):
                    best = (ratio, row_number, layout, missing, row, None)
            ctx = Context(search.name, " ".join(preamble), search.platform, search.taught)
            for vocab in search.vocabs:
                reading = read_row(vocab, row_number, row, ctx)
                if reading is None or not reading.missing:
                    continue
                ratio = reading.satisfied / (reading.satisfied + len(reading.missing))
                if best is None or ratio > best[0]:
                    best = (ratio, row_number, reading.layout(), reading.missing, row, reading)
            preamble.append(" ".join(str(c).strip() for c in row if c is not None and str(c).strip()))
    scope = f"kind {search.kind!r}" if search.kind else "any known report"
    if best is None:
        first = next(
            (r for g in search.grids for _, r in g.head if sum(1 for c in r if norm_header(c)) >= 2), None
        )
        teach = ""
        if first is not None and (search.kind is None or search.kind in VOCABS):
            teach = "\n" + skeleton(
                search.kind or "ad_spend", first, VOCABS.get(search.kind or "ad_spend"), search.platform
            )
        return InputRejected(
            search.name,
            f"no header row of {scope} was found in the first rows; expected the column names of a "
            "platform export, register or ledger as the platform writes them (see docs/raw-landing.md, "
            f"or `xunpan layouts` for every known layout){teach}",
        )
    _, row_number, layout, missing, row, reading = best
    found = ", ".join(str(c).strip() for c in row if norm_header(c))
    problems = [
        CellProblem(
            search.name, row_number, m, None, f"a column named {m!r} in the header row" + _also(reading, m)
        )
        for m in missing
    ]
    teach = ""
    if reading is not None:
        teach = "\n" + skeleton(reading.vocab.kind, row, reading.vocab, reading.platform)
    error = InputRejected(
        search.name,
        f"row {row_number} looks like the header of layout {layout.name} ({layout.description}) but lacks "
        f"required columns: {', '.join(missing)}; found: {found}{teach}",
        problems,
    )
    error.kind_guess = layout.kind  # type: ignore[attr-defined]
    error.layout_guess = layout.name  # type: ignore[attr-defined]
    return error


def _also(reading: Reading | None, header: str) -> str:
    """The other spellings accepted for the missing column, so a renamed one can be spotted."""
    if reading is None:
        return ""
    for m in reading.vocab.meanings:
        if header in m.headers or any(header in d.spellings.get(m.field, ()) for d in reading.vocab.dialects):
            others = [h for h in m.headers if h != header]
            return f" (also accepted: {' / '.join(others)})" if others else ""
    return ""


def _explain_fixed(match: Match) -> list[tuple[str, str, str]]:
    by_index = {i: f for f, i in match.positions.items()}
    ignored = {norm_header(h) for h in match.layout.ignored}
    out = []
    for i, cell in enumerate(match.header):
        if not norm_header(cell):
            continue
        if i in by_index:
            out.append((str(cell).strip(), by_index[i], "stored"))
        elif norm_header(cell) in ignored:
            out.append((str(cell).strip(), "-", "known column, not stored"))
        else:
            out.append((str(cell).strip(), "?", "unknown: reported, not stored"))
    return out


def _convert(
    grid: Grid, match: Match, company_id: str, today: dt.date, file_time: dt.datetime | None
) -> ParsedInput:
    layout, name = match.layout, grid.file
    spec = SPECS[layout.kind]
    body = grid.body(match.header_row, len(match.header))
    problems = list(body.problems)
    columns, rows = body.columns, body.rows
    warnings: list[str] = []

    keep = _totals_rows(grid.file, columns, rows, problems, warnings)
    if keep is not None:
        columns = [c.filter(pa.array(keep)) for c in columns]
        rows = rows[keep]
    preamble = [
        " ".join(str(c).strip() for c in r if c is not None and str(c).strip())
        for n, r in grid.head
        if n < match.header_row
    ]
    frame = Frame(
        name, layout, company_id, rows, today, preamble, file_time, problems=problems, bad_cells=len(problems)
    )

    limit = today + dt.timedelta(days=1)
    for col in layout.columns:
        if col.field not in match.positions:
            continue
        header = str(match.header[match.positions[col.field]]).strip()
        raw = clean_text(columns[match.positions[col.field]])
        frame.headers[col.field], frame.raw[col.field] = header, raw
        parsed = PARSERS[col.parser](raw)
        frame.fields[col.field] = parsed.values
        if col.parser == "date" and parsed.bad.any():
            _refuse_summary(name, header, raw, parsed.bad, rows, layout)
        frame.flag(col.field, parsed.bad, parsed.expected)
        if col.not_null:
            frame.flag(col.field, pc.is_null(raw), f"a value ({header} must not be empty)")
        if col.no_future and col.parser in ("date", "timestamp"):
            frame.flag(
                col.field,
                _after(parsed.values, limit),
                f"a date not after {limit.isoformat()} (today + 1 day)",
            )

    if not len(rows) and not frame.problems:
        raise _rejected(
            name, f"the header was found at row {match.header_row} but there are no data rows", [], layout
        )
    if not frame.problems:
        spec.finish(frame)
    if frame.problems:
        raise _rejected(name, _reason(frame, match), frame.problems[:PROBLEM_CAP], layout)

    table = _assemble(frame, spec.kind, layout.name, company_id)
    date_min = date_max = None
    if spec.date_field:
        values = table.column(spec.date_field)
        date_min, date_max = (_as_date(v) for v in (pc.min(values).as_py(), pc.max(values).as_py()))
    return ParsedInput(
        file=name,
        kind=spec.kind,
        layout=layout.name,
        layout_description=layout.description,
        company_id=company_id,
        container=grid.container,
        encoding=grid.encoding,
        header_row=match.header_row,
        table=table,
        date_min=date_min,
        date_max=date_max,
        totals=spec.totals(table),
        unknown_columns=match.unknown,
        warnings=warnings + frame.warnings,
    )


def _refuse_summary(
    name: str, header: str, raw: pa.Array, bad: np.ndarray, rows: np.ndarray, layout: Layout
) -> None:
    """A date column holding "2026-10-05 至 2026-10-11" is a summary over a period: refuse it as such."""
    candidates = raw.filter(pa.array(bad))
    ranges = np.asarray(
        pc.fill_null(pc.match_substring_regex(candidates, _RANGE_RE), False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    if not ranges.any():
        return
    where = rows[np.flatnonzero(bad)][ranges]
    values = candidates.filter(pa.array(ranges))
    expected = "one day per row: export the report again with 时间单位 = 日 (daily breakdown)"
    problems = [
        CellProblem(name, int(r), header, v, expected)
        for r, v in zip(where[:PROBLEM_CAP].tolist(), values[:PROBLEM_CAP].to_pylist(), strict=True)
    ]
    raise _rejected(
        name,
        f"this is a summary export: column {header!r} holds a date range ({values[0].as_py()!r} at row "
        f"{int(where[0])}), one row for the whole period, so the spend per day cannot be known. Export "
        "the report again with 时间单位 = 日 (daily) and import that file; nothing was loaded",
        problems,
        layout,
    )


def _rejected(name: str, reason: str, problems: list[CellProblem], layout: Layout) -> InputRejected:
    """The rejection, remembering which layout was recognised so quarantine can say what the file was."""
    error = InputRejected(name, reason, problems)
    error.kind_guess = layout.kind  # type: ignore[attr-defined]
    error.layout_guess = layout.name  # type: ignore[attr-defined]
    return error


def _totals_rows(
    file: str, columns: list[pa.Array], rows: np.ndarray, problems: list[CellProblem], warnings: list[str]
) -> np.ndarray | None:
    """Skip 总计/合计 rows directly under the header or at the bottom; one in the middle is an error."""
    if not len(rows):
        return None
    hit = np.zeros(len(rows), dtype=bool)
    for col in columns[:3]:
        word = pc.utf8_rtrim(pc.utf8_lower(pc.utf8_trim_whitespace(col)), characters=":： ")
        # Exact words, or Google Ads' "total: <scope>" (a prefix test: a regex per cell costs too much).
        found = pc.or_(pc.is_in(word, value_set=_TOTALS_WORDS), pc.starts_with(word, "total:"))
        hit |= np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
    if not hit.any():
        return None
    lead = int(np.argmin(hit)) if not hit.all() else len(hit)
    trail = int(np.argmin(hit[::-1])) if not hit.all() else 0
    middle = np.flatnonzero(hit[lead : len(hit) - trail]) + lead
    for i in middle[:PROBLEM_CAP]:
        problems.append(
            CellProblem(
                file,
                int(rows[i]),
                None,
                "总计/合计",
                "a data row: a totals row in the middle of the data means the rows are not one report "
                "(split the file or remove the totals row)",
            )
        )
    skipped = [int(rows[i]) for i in np.flatnonzero(hit) if i < lead or i >= len(hit) - trail]
    if skipped:
        warnings.append(f"skipped totals row(s) at row {', '.join(map(str, skipped))}")
    return ~hit


def _after(values: pa.Array, limit: dt.date) -> pa.Array:
    if pa.types.is_timestamp(values.type):
        bound = dt.datetime.combine(limit + dt.timedelta(days=1), dt.time())
        return pc.greater_equal(values, pa.scalar(bound, values.type))
    return pc.greater(values, pa.scalar(limit, values.type))


def _reason(frame: Frame, match: Match) -> str:
    rows = len(frame.bad_rows | {p.row for p in frame.problems})
    more = f" (the first {PROBLEM_CAP} are listed)" if frame.bad_cells > PROBLEM_CAP else ""
    return (
        f"rejected as a whole — {frame.bad_cells} problem(s) in {rows} row(s) of this "
        f"{match.layout.description} (header at row {match.header_row}){more}; nothing was loaded"
    )


def _assemble(frame: Frame, kind: str, layout: str, company_id: str) -> pa.Table:
    n = len(frame)
    arrays: dict[str, pa.Array] = {
        "company_id": pa.array([company_id] * n, pa.string()),
        "source_file": pa.array([frame.file] * n, pa.string()),
        "source_layout": pa.array([layout] * n, pa.string()),
        "source_row": pa.array(frame.rows, pa.int64()),
    }
    for f in kind_fields(kind):
        value = frame.fields.get(f.name)
        arrays[f.name] = pa.nulls(n, f.type) if value is None else pc.cast(value, f.type)
    return pa.table(arrays)


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


__all__ = ["LAYOUTS", "SPECS", "VOCABS", "ParsedInput", "parse_file"]
