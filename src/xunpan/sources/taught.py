"""Layouts a user teaches: one YAML file per layout in XUNPAN_HOME/layouts/, validated when loaded.

    kind: ad_spend              # ad_spend, platform_traffic or web_traffic
    platform: sogou             # for web_traffic: `tool: ...`; a known name or a new one (lower_case)
    description: 搜狗推广 计划报告 (自定义列)
    columns:                    # header as the export writes it: canonical field
      统计时间: spend_date
      花费金额: cost
      计划名称: campaign
    ignore: [备注]              # optional: columns known to be of no use

A taught layout applies to a header row holding every header under `columns`; the row's other
columns are still read by meaning, so only the unknown ones need teaching.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from xunpan.errors import XunpanError
from xunpan.sources.meaning import Taught, Vocabulary

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_KEYS = {"kind", "platform", "tool", "description", "columns", "ignore"}


class LayoutFileError(XunpanError):
    """A layout file that cannot be used; the message names the file, the key and what was expected."""


def load_taught(directory: Path, vocabs: dict[str, Vocabulary]) -> tuple[Taught, ...]:
    """Every *.yaml / *.yml layout in `directory` (none when it does not exist), in file-name order."""
    if not directory.is_dir():
        return ()
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
    return tuple(_load(path, vocabs) for path in files)


def _load(path: Path, vocabs: dict[str, Vocabulary]) -> Taught:
    def fail(key: str, problem: str, expected: str) -> LayoutFileError:
        return LayoutFileError(f"layout file {path}: {key}: {problem}; expected {expected}")

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise fail(
            "(file)", f"cannot be read ({exc})", "a UTF-8 YAML mapping like the one in docs/raw-landing.md"
        ) from exc
    if not isinstance(doc, dict):
        raise fail("(file)", f"is a {type(doc).__name__}, not a mapping", "keys kind, platform and columns")
    extra = sorted(set(map(str, doc)) - _KEYS)
    if extra:
        raise fail(extra[0], "is not a known key", f"only {', '.join(sorted(_KEYS))}")
    kind = doc.get("kind")
    if kind not in vocabs:
        raise fail("kind", f"{kind!r} cannot be taught", f"one of {', '.join(vocabs)}")
    vocab = vocabs[kind]
    constant = vocab.constant
    platform = doc.get(constant)
    if not isinstance(platform, str) or not _NAME.match(platform):
        known = ", ".join(sorted({d.value for d in vocab.dialects}))
        raise fail(constant, f"{platform!r} is not a name", f"a known one ({known}) or a new lower_case name")
    fields = {m.field for m in vocab.meanings}
    columns = doc.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("columns", "is missing or empty", "a mapping of header -> field")
    mapped: dict[str, str] = {}
    ignore = [str(h) for h in (doc.get("ignore") or [])]
    if not isinstance(doc.get("ignore") or [], list):
        raise fail("ignore", "is not a list", "a list of headers, like [备注]")
    for header, name in columns.items():
        header = str(header).strip()
        if not header:
            raise fail("columns", "has an empty header", "the header text as the export writes it")
        if name is None or str(name).strip() == "":
            ignore.append(header)  # the skeleton's unfilled lines: the user chose to leave them out
            continue
        name = str(name).strip()
        if name not in fields:
            raise fail(
                f"columns.{header}",
                f"{name!r} is not a field of {kind}",
                f"one of {', '.join(f for f in sorted(fields) if not f.startswith('_'))} "
                "(or _ctr/_cpc for a rate to check)",
            )
        if name in mapped.values():
            other = next(h for h, f in mapped.items() if f == name)
            raise fail(
                f"columns.{header}", f"maps to {name}, which {other!r} already maps to", "each field once"
            )
        mapped[header] = name
    if not mapped:
        raise fail("columns", "maps no column to a field", "at least one header -> field line")
    description = str(doc.get("description") or f"layout taught in {path.name}")
    return Taught(path.stem, kind, platform, description, mapped, tuple(ignore), str(path))
