"""The landing manifest: one JSON line per file the landing ever saw, and what it says.

raw/_manifest.jsonl (settings.manifest) is append-only: a line per file loaded, dropped as a
duplicate or quarantined (docs/raw-landing.md). It decides load_seq, which bytes were already
loaded for a company, and which earlier file owned each day a new file takes over. Only
xunpan.landing writes it, under the landing lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from xunpan.config import Settings

Entry = dict[str, object]


def read_manifest(settings: Settings) -> list[Entry]:
    """Every manifest line, oldest first."""
    if not settings.manifest.exists():
        return []
    with settings.manifest.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def append_entry(settings: Settings, manifest: list[Entry], entry: Entry) -> None:
    """Append one line and flush it to disk before the caller removes the inbox file it describes."""
    settings.manifest.parent.mkdir(parents=True, exist_ok=True)
    with settings.manifest.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    manifest.append(entry)


def next_load_seq(manifest: list[Entry]) -> int:
    return 1 + max((int(e["load_seq"]) for e in manifest if e.get("load_seq") is not None), default=0)


def loaded_entry(manifest: list[Entry], sha: str, company_id: str) -> Entry | None:
    """The earlier load of the same bytes for the same company (another company's copy is its own data)."""
    return next(
        (
            e
            for e in manifest
            if e["sha256"] == sha and e["status"] == "loaded" and e["company_id"] == company_id
        ),
        None,
    )


def loaded_for_another_company(manifest: list[Entry], sha: str, company_id: str) -> bool:
    return any(
        e["sha256"] == sha and e["status"] == "loaded" and e["company_id"] != company_id for e in manifest
    )


def duplicate_entry(name: str, sha: str, company_id: str, earlier: Entry) -> Entry:
    return {
        "sha256": sha,
        "file": name,
        "kind": earlier["kind"],
        "layout": earlier["layout"],
        "company_id": company_id,
        "status": "duplicate",
        "load_seq": None,
        "rows": 0,
        "duplicate_of": earlier["file"],
        "duplicate_of_load_seq": earlier["load_seq"],
        "seen_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }


def superseded(
    manifest: list[Entry],
    kind: str,
    company_id: str,
    partitions: dict[str, list[str]],
    layout: str,
) -> list[Entry]:
    """For each day of the new file, the earlier file that owned that day until now (highest load_seq).

    Spend reports of another level (a keyword report after a campaign report) replace nothing: dbt's
    grain-of-record rule picks one level per platform and day, so only a restated export of the same
    layout takes over days.
    """
    if not partitions:
        return []
    owner: dict[tuple[str, str], Entry] = {}
    for entry in sorted(
        (
            e
            for e in manifest
            if e["status"] == "loaded"
            and e["kind"] == kind
            and e["company_id"] == company_id
            and (kind != "ad_spend" or e.get("layout") == layout)
        ),
        key=lambda e: int(e["load_seq"]),
    ):
        for key, days in (entry.get("partitions") or {}).items():
            if key in partitions:
                for day in days:
                    owner[(key, day)] = entry
    taken: dict[tuple[str, str], list[str]] = {}
    files: dict[str, Entry] = {}
    for key, days in partitions.items():
        for day in days:
            previous = owner.get((key, day))
            if previous is not None:
                taken.setdefault((str(previous["sha256"]), key), []).append(day)
                files[str(previous["sha256"])] = previous
    return [
        {
            "sha256": sha,
            "file": files[sha]["file"],
            "load_seq": files[sha]["load_seq"],
            "key": key,
            "days": sorted(days),
        }
        for (sha, key), days in sorted(taken.items())
    ]
