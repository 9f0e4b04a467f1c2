"""What `xunpan layouts` prints: every layout the importer knows, its minimum columns and a sample
header; and what `xunpan layouts explain FILE` prints for one file."""

from __future__ import annotations

from pathlib import Path

from xunpan.sources.meaning import Dialect, Vocabulary
from xunpan.sources.parse import LAYOUTS, VOCABS, ParsedInput
from xunpan.sources.taught import LayoutFileError, load_taught


def minimum(vocab: Vocabulary, dialect: Dialect | None) -> str:
    """The minimum columns of a layout read by meaning, in the platform's own spellings."""
    parts = []
    for name in (*vocab.need_all, *(dialect.requires if dialect else ())):
        meaning = vocab.meaning(name)
        spelled = dialect.spellings.get(name, meaning.headers[:1]) if dialect else meaning.headers[:1]
        parts.append(" / ".join(spelled) + (f" ({meaning.label})" if meaning.label else f" ({name})"))
    for group, label in vocab.need_any:
        if dialect is None:
            parts.append(label)
            continue
        spelled = [dialect.spellings[f][0] for f in group if f in dialect.spellings]
        parts.append("one of " + " / ".join(spelled) if spelled else label)
    return "; ".join(parts)


def catalog(layouts_dir: Path) -> list[dict[str, object]]:
    """Every known layout: built-in by meaning (one per platform and report level), fixed, and taught."""
    entries: list[dict[str, object]] = []
    for vocab in VOCABS.values():
        for d in vocab.dialects:
            for level, sample in d.samples.items():
                entries.append(
                    {
                        "name": f"{d.name}_{level}" if level else d.name,
                        "kind": vocab.kind,
                        vocab.constant: d.value,
                        "level": level or None,
                        "description": d.description,
                        "minimum": minimum(vocab, d),
                        "sample": sample,
                        "source": "built-in, recognised by meaning (any other known column is optional)",
                    }
                )
    for layout in LAYOUTS:
        entries.append(
            {
                "name": layout.name,
                "kind": layout.kind,
                "level": None,
                "description": layout.description,
                "minimum": ", ".join(layout.required_headers),
                "sample": ",".join(c.headers[0] for c in layout.columns),
                "source": "built-in, fixed columns",
            }
        )
    try:
        taught = load_taught(layouts_dir, VOCABS)
    except LayoutFileError as exc:
        entries.append({"name": "(invalid layout file)", "kind": "-", "error": str(exc), "source": "taught"})
        taught = ()
    for t in taught:
        vocab = VOCABS[t.kind]
        entries.append(
            {
                "name": t.name,
                "kind": t.kind,
                vocab.constant: t.platform,
                "level": None,
                "description": t.description,
                "minimum": "every header under `columns`: " + ", ".join(t.columns),
                "sample": ",".join(t.columns),
                "source": f"taught in {t.path}",
            }
        )
    return entries


def format_catalog(entries: list[dict[str, object]]) -> str:
    lines = []
    kind = None
    for e in entries:
        if e["kind"] != kind:
            kind = e["kind"]
            lines.append(f"\n== {kind} ==")
        if "error" in e:
            lines.append(f"  ! {e['error']}")
            continue
        who = e.get("platform") or e.get("tool")
        head = f"  {e['name']}" + (f"  [{who}]" if who else "") + f"  — {e['description']}"
        lines.append(head)
        lines.append(f"      minimum: {e['minimum']}")
        lines.append(f"      sample:  {e['sample']}")
        if not str(e["source"]).startswith("built-in"):
            lines.append(f"      {e['source']}")
    lines.append(
        "\nA file whose header no layout reads is refused with a skeleton to save in XUNPAN_HOME/layouts/ "
        "(docs/raw-landing.md, 'Teaching a layout')."
    )
    return "\n".join(lines).lstrip("\n")


def format_explain(parsed: ParsedInput) -> str:
    table = parsed.table
    lines = [
        f"{parsed.file}: {parsed.kind}, layout {parsed.layout} ({parsed.layout_description})",
        f"  header at row {parsed.header_row} of the {parsed.container}"
        + (f" ({parsed.encoding})" if parsed.encoding else ""),
    ]
    for name in ("platform", "tool"):
        if name in table.column_names:
            values = sorted({str(v) for v in table.column(name).to_pylist()})
            where = f" (from {parsed.platform_source})" if parsed.platform_source else ""
            lines.append(f"  {name}: {', '.join(values)}{where}")
    if "report_level" in table.column_names:
        lines.append(f"  report level: {', '.join(sorted(set(table.column('report_level').to_pylist())))}")
    lines.append("  columns:")
    width = max((len(h) for h, _, _ in parsed.columns), default=0)
    for header, name, note in parsed.columns:
        lines.append(f"    {header.ljust(width)}  -> {name.ljust(14)} {note}")
    lines.append(f"  rows: {parsed.rows}, days {parsed.date_min} .. {parsed.date_max}")
    lines.append(f"  totals: {parsed.totals}")
    lines += [f"  warning: {w}" for w in parsed.warnings]
    return "\n".join(lines)
