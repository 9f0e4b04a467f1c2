"""Recognition by meaning: a header row is read column by column against a table of synonyms.

Ad spend, platform traffic and web traffic reports let the user pick the columns (自定义列), so a
fixed list of headers per layout refuses most real exports. Instead each of these kinds has a
`Vocabulary`: what each column means (日期/时间/Day all mean the day), the minimum a row needs to be
usable, and the `Dialect` of each platform (the spellings it writes, the words that name it in a
title line or a file name). A file's layout is then built from the header it actually has:
`<platform>_<report level>` for ad spend, the platform's export name for traffic.

The platform is decided in this order of trust (docs/raw-landing.md, "Recognising the platform"):
the header's distinctive spellings, the preamble above the header, the file name, and last the
`--platform` option. An explicit `--platform` that contradicts what the file itself says refuses the
file: one of the two is wrong, and loading spend under the wrong platform is worse than asking.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from xunpan.sources.layout import Col, Layout, Match, norm_header


@dataclass(frozen=True)
class Meaning:
    """One canonical field and every header spelling that means it."""

    field: str
    parser: str
    headers: tuple[str, ...]
    not_null: bool = False
    label: str = ""


@dataclass(frozen=True)
class Dialect:
    """How one platform (or analytics tool) writes its exports.

    `spellings` maps a field to the headers this platform writes for it, the first being the name
    used in messages; they are what tells platforms apart. `hints` are words naming the platform in
    a title line or a file name. `requires` lists fields this platform needs beyond the kind's
    minimum (Google Ads reports spend in the account's currency, so it needs its currency column).
    """

    name: str
    value: str
    description: str
    spellings: Mapping[str, tuple[str, ...]]
    hints: tuple[str, ...] = ()
    family: str = ""
    requires: tuple[str, ...] = ()
    samples: Mapping[str, str] = field(default_factory=dict)

    def spelling(self, name: str, fallback: str) -> str:
        return self.spellings.get(name, (fallback,))[0]

    def words(self) -> set[str]:
        return {norm_header(h) for hs in self.spellings.values() for h in hs}


def sampled_dialect(
    meanings: tuple[Meaning, ...],
    name: str,
    value: str,
    description: str,
    hints: tuple[str, ...],
    samples: Mapping[str, str] | str,
    family: str = "",
    requires: tuple[str, ...] = (),
    **given: tuple[str, ...],
) -> Dialect:
    """A Dialect whose spellings are read from its sample headers: each header that a Meaning knows
    spells that meaning's field, in the order the samples first write it. `samples` maps a report
    level to its header; a single header serves every level. `family` defaults to `value`.

    A field in `given` is taken as given instead: spellings the samples do not show (a header an
    older export version writes) or an order they do not (the first spelling names the column in
    messages). Fields keep the order of `meanings`.
    """
    if isinstance(samples, str):
        samples = {"": samples}
    field_of = {norm_header(h): m.field for m in meanings for h in m.headers}
    sampled: dict[str, list[str]] = {}
    for header in (h.strip() for sample in samples.values() for h in sample.split(",")):
        found = field_of.get(norm_header(header))
        if found is not None and header not in sampled.setdefault(found, []):
            sampled[found].append(header)
    unknown = set(given) - {m.field for m in meanings}
    if unknown:
        raise ValueError(f"dialect {name}: no meaning named {sorted(unknown)}")
    spellings = {**{f: tuple(hs) for f, hs in sampled.items()}, **given}
    ordered = {m.field: spellings[m.field] for m in meanings if m.field in spellings}
    return Dialect(name, value, description, ordered, hints, family or value, requires, samples)


@dataclass(frozen=True)
class Vocabulary:
    """Everything recognition by meaning needs to know about one input kind."""

    kind: str
    constant: str
    meanings: tuple[Meaning, ...]
    dialects: tuple[Dialect, ...]
    date_field: str
    need_all: tuple[str, ...]
    need_any: tuple[tuple[tuple[str, ...], str], ...]
    ignored: tuple[str, ...] = ()
    level: Callable[[set[str]], str] | None = None

    def meaning(self, name: str) -> Meaning:
        return next(m for m in self.meanings if m.field == name)

    def dialect(self, name: str) -> Dialect | None:
        return next((d for d in self.dialects if name in (d.name, d.value)), None)

    def synonyms(self) -> dict[str, str]:
        """Normalised header -> field, dialect spellings included."""
        table: dict[str, str] = {}
        for m in self.meanings:
            for h in m.headers:
                table.setdefault(norm_header(h), m.field)
        for d in self.dialects:
            for name, headers in d.spellings.items():
                for h in headers:
                    table.setdefault(norm_header(h), name)
        return table


@dataclass(frozen=True)
class Taught:
    """A layout a user taught in XUNPAN_HOME/layouts/<name>.yaml (see xunpan.sources.taught)."""

    name: str
    kind: str
    platform: str
    description: str
    columns: Mapping[str, str]
    ignore: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class Context:
    """What besides the header row can name the platform."""

    file: str
    preamble: str = ""
    platform: str | None = None
    taught: tuple[Taught, ...] = ()


@dataclass
class Reading:
    """How one header row reads in one vocabulary: fields found, platform, what is missing."""

    vocab: Vocabulary
    row_number: int
    header: list[str | None]
    positions: dict[str, int]
    dialect: Dialect | None
    platform: str | None
    platform_source: str
    level: str | None
    missing: list[str]
    satisfied: int
    unknown: list[str]
    ignored_count: int
    conflict: str | None = None
    taught: Taught | None = None

    @property
    def name(self) -> str:
        if self.taught is not None:
            return self.taught.name
        base = self.dialect.name if self.dialect else (self.platform or self.vocab.kind)
        return f"{base}_{self.level}" if self.level else base

    @property
    def description(self) -> str:
        if self.taught is not None:
            return self.taught.description or f"layout taught in {self.taught.path}"
        what = self.dialect.description if self.dialect else f"{self.vocab.kind} report of {self.platform}"
        return f"{what}, {self.level} level" if self.level else what

    @property
    def usable(self) -> bool:
        return not self.missing and self.platform is not None and self.conflict is None

    def score(self) -> int:
        # Same scale as fixed layouts (two per recognised column), so kinds compete fairly; a taught
        # layout is the user's own word for this header and wins over any built-in reading.
        return len(self.positions) * 2 + self.ignored_count + (1000 if self.taught else 0)

    def layout(self) -> Layout:
        fields = {m.field: m for m in self.vocab.meanings}
        columns = tuple(
            Col(name, (str(self.header[i]).strip(),), fields[name].parser, True, fields[name].not_null)
            for name, i in sorted(self.positions.items(), key=lambda kv: kv[1])
        )
        constants: dict[str, object] = {self.vocab.constant: self.platform}
        if self.level:
            constants["report_level"] = self.level
        return Layout(self.name, self.vocab.kind, columns, constants, self.vocab.ignored, self.description)

    def match(self) -> Match:
        return Match(
            self.layout(), self.row_number, self.header, dict(self.positions), self.unknown, self.score()
        )

    def explain(self) -> list[tuple[str, str, str]]:
        """(header as written, what it was understood as, why) for every non-empty cell."""
        by_index = {i: name for name, i in self.positions.items()}
        ignored = {norm_header(h) for h in self.vocab.ignored} | {
            norm_header(h) for h in (self.taught.ignore if self.taught else ())
        }
        out = []
        for i, cell in enumerate(self.header):
            key = norm_header(cell)
            if not key:
                continue
            text = str(cell).strip()
            if i in by_index:
                name = by_index[i]
                how = "validated, not stored" if name.startswith("_") else "stored"
                out.append((text, name, how))
            elif key in ignored:
                out.append((text, "-", "known column, not stored (a rate or an id derivable elsewhere)"))
            else:
                out.append((text, "?", "unknown: reported, not stored"))
        return out


def read_row(vocab: Vocabulary, row_number: int, row: list[str | None], ctx: Context) -> Reading | None:
    """Read one row as a header of `vocab`; None when it does not look like one at all."""
    index: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = norm_header(cell)
        if key and key not in index:
            index[key] = i
    taught = next(
        (t for t in ctx.taught if t.kind == vocab.kind and all(norm_header(h) in index for h in t.columns)),
        None,
    )
    positions: dict[str, int] = {}
    if taught is not None:
        for header, name in taught.columns.items():
            positions[name] = index[norm_header(header)]
    claimed = set(positions.values())
    synonyms = vocab.synonyms()
    # Synonym order decides between two cells of one meaning (消费 before 现金消费).
    for m in vocab.meanings:
        if m.field in positions:
            continue
        spellings = [*m.headers, *(h for d in vocab.dialects for h in d.spellings.get(m.field, ()))]
        for h in spellings:
            i = index.get(norm_header(h))
            if i is not None and i not in claimed and synonyms.get(norm_header(h)) == m.field:
                positions[m.field] = i
                claimed.add(i)
                break
    if vocab.date_field not in positions or len(positions) < 3:
        return None
    ignored = {norm_header(h) for h in vocab.ignored} | {
        norm_header(h) for h in (taught.ignore if taught else ())
    }
    unknown = [
        str(cell).strip()
        for i, cell in enumerate(row)
        if norm_header(cell) and i not in claimed and norm_header(cell) not in ignored
    ]
    ignored_count = sum(1 for i, cell in enumerate(row) if i not in claimed and norm_header(cell) in ignored)
    keys = {norm_header(c) for c in row if norm_header(c)}
    dialect, platform, source, conflict = _platform(vocab, keys, ctx, taught)
    fields = set(positions)
    missing = [
        (dialect.spelling(f, vocab.meaning(f).headers[0]) if dialect else vocab.meaning(f).headers[0])
        for f in (*vocab.need_all, *(dialect.requires if dialect else ()))
        if f not in fields
    ]
    satisfied = len(vocab.need_all) + len(vocab.need_any) - sum(1 for f in vocab.need_all if f not in fields)
    for group, label in vocab.need_any:
        if not fields & set(group):
            missing.append(label)
            satisfied -= 1
    level = vocab.level(fields) if vocab.level else None
    return Reading(
        vocab,
        row_number,
        row,
        positions,
        dialect,
        platform,
        source,
        level,
        missing,
        satisfied,
        unknown,
        ignored_count,
        conflict,
        taught,
    )


def _hinted(vocab: Vocabulary, text: str) -> Dialect | None:
    """The platform a title line or file name names; the longest matching word wins (百度信息流 over 百度)."""
    text = text.lower()
    best: tuple[int, Dialect] | None = None
    for d in vocab.dialects:
        # The platform's own name counts too: an inbox copy imported with --platform carries it.
        for hint in (*d.hints, d.value, d.name):
            if hint.lower() in text and (best is None or len(hint) > best[0]):
                best = (len(hint), d)
    return best[1] if best else None


def _platform(
    vocab: Vocabulary, keys: set[str], ctx: Context, taught: Taught | None
) -> tuple[Dialect | None, str | None, str, str | None]:
    """(dialect, platform value, where it came from, conflict message or None)."""
    option = vocab.dialect(ctx.platform) if ctx.platform else None
    option_value = option.value if option else ctx.platform
    known = {d.value for d in vocab.dialects} | {t.platform for t in ctx.taught if t.kind == vocab.kind}
    if ctx.platform and option is None and ctx.platform not in known:
        # A typo must not create a new platform: only known ones, or one a taught layout names.
        return (
            None,
            None,
            "",
            f"--platform {ctx.platform} is not a platform of {vocab.kind} reports; expected one of "
            f"{', '.join(sorted(known))}",
        )
    if taught is not None:
        d = vocab.dialect(taught.platform)
        return d, d.value if d else taught.platform, f"layout file {taught.path}", None
    scores = [(len(keys & d.words()), d) for d in vocab.dialects]
    top = max((s for s, _ in scores), default=0)
    tied = [d for s, d in scores if s == top and top > 0]
    found: tuple[Dialect, str] | None = None
    if len(tied) == 1:
        found = (tied[0], "the header's column names")
    elif (d := _hinted(vocab, ctx.preamble)) is not None:
        found = (d, "the title lines above the header")
    elif (d := _hinted(vocab, ctx.file)) is not None:
        found = (d, "the file name")
    if found is not None:
        d, source = found
        if option_value and option_value != d.value:
            return (
                d,
                d.value,
                source,
                f"--platform {ctx.platform} contradicts {source}, which say(s) {d.value} ({d.description}); "
                "check that this is the file you meant, or import it without --platform",
            )
        return d, d.value, source, None
    if ctx.platform:
        return option, option_value, "--platform", None
    if tied and len({d.family or d.name for d in tied}) == 1:
        # Same vendor, same words (Baidu 推广 and 信息流 account reports): the vendor's main product.
        return tied[0], tied[0].value, "the header's column names", None
    names = ", ".join(d.value for d in (tied or vocab.dialects))
    return (
        None,
        None,
        "",
        f"cannot tell which platform wrote this {vocab.kind} report: the columns are spelled like "
        f"{names}, and neither the title lines nor the file name say which; import it again with "
        f"--platform (one of {', '.join(sorted({d.value for d in vocab.dialects}))})",
    )


def skeleton(kind: str, header: list[str | None], vocab: Vocabulary | None, platform: str | None) -> str:
    """The YAML a user fills in to teach this header (printed with a refusal)."""
    fields = [m.field for m in vocab.meanings] if vocab else []
    synonyms = vocab.synonyms() if vocab else {}
    lines = [
        "To teach xunpan this layout, save the lines below as XUNPAN_HOME/layouts/my_layout.yaml,",
        "write the field of each column you need after its colon (columns left empty are ignored),",
        "name the platform, and import again (`xunpan layouts` lists the known platforms):",
        f"  kind: {kind}",
        f"  {vocab.constant if vocab else 'platform'}: {platform or '<platform name>'}",
        "  columns:",
    ]
    for cell in header:
        key = norm_header(cell)
        if not key:
            continue
        text = str(cell).strip().replace('"', "'")
        lines.append(f'    "{text}": {synonyms.get(key, "")}')
    if fields:
        lines.append(f"  # fields: {', '.join(f for f in fields if not f.startswith('_'))}")
    return "\n".join(lines)


_WS = re.compile(r"\s+")


def sample_header(vocab: Vocabulary, d: Dialect, level: str | None) -> str:
    """A header this dialect writes at `level` (from the dialect's samples), for `xunpan layouts`."""
    return d.samples.get(level or "", "") or _WS.sub(" ", ",".join(h[0] for h in d.spellings.values()))
