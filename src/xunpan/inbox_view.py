"""What `xunpan inbox` (and `xunpan status`) shows: the files waiting, loaded and quarantined.

Read-only: the waiting files are listed the way the ingest will take them (xunpan.landing), the
rest comes from the landing manifest.
"""

from __future__ import annotations

from xunpan.config import Settings
from xunpan.landing import waiting_files
from xunpan.landing_manifest import read_manifest

_LOADED_FIELDS = (
    "file",
    "company_id",
    "kind",
    "layout",
    "rows",
    "date_min",
    "date_max",
    "load_seq",
    "loaded_at",
    "superseded",
)
_QUARANTINED_FIELDS = (
    "file",
    "company_id",
    "kind",
    "reason",
    "problems_total",
    "quarantine_path",
    "reason_path",
    "quarantined_at",
)


def inbox_overview(settings: Settings) -> dict[str, object]:
    """What is waiting in the inbox, what was loaded, what sits in quarantine and why."""
    manifest = read_manifest(settings)
    waiting = [
        {"file": str(p.relative_to(settings.inbox)), "company_id": c, "bytes": p.lstat().st_size}
        for p, c in waiting_files(settings)
    ]
    return {
        "inbox": str(settings.inbox),
        "waiting": waiting,
        "loaded": [{k: e.get(k) for k in _LOADED_FIELDS} for e in manifest if e["status"] == "loaded"],
        "duplicates": sum(1 for e in manifest if e["status"] == "duplicate"),
        "quarantined": [
            {k: e.get(k) for k in _QUARANTINED_FIELDS} for e in manifest if e["status"] == "quarantined"
        ],
    }


def format_overview(overview: dict[str, object]) -> str:
    """The inbox overview as text for a terminal."""
    waiting = overview["waiting"]
    loaded = overview["loaded"]
    quarantined = overview["quarantined"]
    assert isinstance(waiting, list) and isinstance(loaded, list) and isinstance(quarantined, list)
    lines = [f"inbox {overview['inbox']}", f"waiting ({len(waiting)}):"]
    lines += [f"  {w['file']}  [{w['company_id']}, {w['bytes']} bytes]" for w in waiting] or ["  (nothing)"]
    lines.append(f"loaded ({len(loaded)}, {overview['duplicates']} duplicate drop(s) ignored):")
    for e in loaded:
        replaced = sum(len(s["days"]) for s in e.get("superseded") or [])
        note = f", replaced {replaced} earlier day(s)" if replaced else ""
        lines.append(
            f"  #{e['load_seq']} {e['file']}  {e['kind']}/{e['layout']}  {e['rows']} rows  "
            f"{e['date_min']}..{e['date_max']}{note}"
        )
    if not loaded:
        lines.append("  (nothing)")
    lines.append(f"quarantined ({len(quarantined)}):")
    lines += [f"  {q['file']}: {q['reason']}\n    details: {q['reason_path']}" for q in quarantined] or [
        "  (nothing)"
    ]
    return "\n".join(lines)
