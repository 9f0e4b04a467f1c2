"""The inbox and the raw landing zone: validate, load, archive, quarantine, and remember every file.

Flow: `import_files` validates files a person hands over and copies the good ones into the inbox;
the DAG's ingest (`ingest_inbox`) turns every waiting inbox file into one immutable Parquet file
raw/<kind>/<sha256>.parquet (docs/raw-landing.md), keeps the original bytes in archive/ (or, for a
rejected file, in quarantine/ beside a machine-readable reason), and appends a line per file to the
manifest. Nothing is ever deleted: a file leaves the inbox only once its bytes are safe elsewhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from xunpan.config import Settings
from xunpan.errors import InputRejected, XunpanError
from xunpan.sources import KINDS, ParsedInput, parse_file, raw_schema

log = logging.getLogger("xunpan.landing")

# File names that are never inputs: editor lock files, partial downloads, our own reason files.
_SKIP_PREFIXES = (".", "~$")
_SKIP_SUFFIXES = (".reason.json", ".part", ".tmp", ".crdownload", ".download")

# A company id is a folder name under inbox/ and a value in every table's company_id column (and in
# Superset's row-level security clauses): lower-case letters, digits, "_" and "-", starting with a
# letter or digit, at most 63 characters. No dots or slashes, so it can never leave the inbox.
COMPANY_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def validate_company_id(value: str) -> str:
    """Return `value` if it is a valid company id, else raise XunpanError saying what is allowed."""
    if not COMPANY_ID_PATTERN.fullmatch(value):
        raise XunpanError(
            f"company id {value!r} is not allowed: use 1-63 lower-case letters, digits, '_' or '-', "
            "starting with a letter or digit (for example acme or hebei-valve_2)"
        )
    return value


@dataclass
class ImportResult:
    """What `xunpan import` found in one file: what it is, or exactly why it was refused."""

    file: Path
    accepted: bool
    company_id: str
    kind: str | None = None
    layout: str | None = None
    layout_description: str | None = None
    rows: int = 0
    date_min: dt.date | None = None
    date_max: dt.date | None = None
    totals: dict[str, object] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inbox_path: Path | None = None
    error: InputRejected | None = None

    def describe(self) -> str:
        """A few lines for a person: recognised kind, layout, dates, rows and totals, or the rejection."""
        if not self.accepted:
            assert self.error is not None
            return f"REJECTED {self.error}"
        lines = [
            f"OK {self.file.name}: {self.layout_description} [{self.kind}/{self.layout}], company {self.company_id}",
            f"   {self.rows} rows, {self.date_min} .. {self.date_max}; totals {json.dumps(self.totals, ensure_ascii=False)}",
        ]
        if self.unknown_columns:
            lines.append(f"   note: unknown columns kept out of the load: {', '.join(self.unknown_columns)}")
        lines += [f"   note: {w}" for w in self.warnings]
        if self.inbox_path is not None:
            lines.append(f"   placed in the inbox: {self.inbox_path}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "accepted": self.accepted,
            "company_id": self.company_id,
            "kind": self.kind,
            "layout": self.layout,
            "rows": self.rows,
            "date_min": _iso(self.date_min),
            "date_max": _iso(self.date_max),
            "totals": self.totals,
            "unknown_columns": self.unknown_columns,
            "warnings": self.warnings,
            "inbox_path": str(self.inbox_path) if self.inbox_path else None,
            "reason": self.error.reason if self.error else None,
            "problems": [p.as_dict() for p in self.error.problems] if self.error else [],
        }


@dataclass
class IngestReport:
    """One ingest run: manifest entries of what was loaded, skipped as duplicate, or quarantined."""

    loaded: list[dict[str, object]] = field(default_factory=list)
    duplicates: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[dict[str, object]] = field(default_factory=list)
    replacements: list[dict[str, object]] = field(default_factory=list)

    @property
    def has_warnings(self) -> bool:
        """A quarantined file means the run must end in a visible warning state."""
        return bool(self.quarantined)

    def as_dict(self) -> dict[str, object]:
        return {
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "replacements": self.replacements,
            "has_warnings": self.has_warnings,
        }

    def summary(self) -> str:
        """Human summary for logs and the CLI."""
        lines = [
            f"ingest: {len(self.loaded)} loaded, {len(self.duplicates)} duplicate(s), "
            f"{len(self.quarantined)} quarantined, {len(self.replacements)} replacement(s)"
        ]
        lines += [
            f"  loaded {e['file']} -> {e['kind']}/{e['layout']} ({e['rows']} rows, load_seq {e['load_seq']})"
            for e in self.loaded
        ]
        lines += [f"  duplicate {e['file']} (same bytes as {e['duplicate_of']})" for e in self.duplicates]
        lines += [f"  QUARANTINED {e['file']}: {e['reason']}" for e in self.quarantined]
        lines += [
            f"  {r['file']} replaces {len(r['days'])} day(s) of {r['replaces_file']} for {r['key']}"
            for r in self.replacements
        ]
        return "\n".join(lines)


def ensure_raw_layout(settings: Settings) -> None:
    """Create raw/<kind>/_schema.parquet (zero rows, full schema) for every kind so dbt sources always resolve."""
    settings.ensure_dirs()
    for kind in KINDS:
        folder = settings.raw / kind
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "_schema.parquet"
        schema = raw_schema(kind)
        if target.exists() and pq.read_schema(target).equals(schema):
            continue
        _write_parquet(schema.empty_table(), target)


def import_files(
    settings: Settings,
    paths: list[Path],
    kind: str | None = None,
    company: str | None = None,
    today: dt.date | None = None,
    platform: str | None = None,
) -> list[ImportResult]:
    """Validate each file fully and copy the accepted ones into the inbox (inbox/<company>/ when given).

    Nothing is loaded into raw here: the DAG's ingest does that, so a person's import and the
    scheduled load never write the landing zone at the same time.
    """
    company_id = validate_company_id(company or settings.company_id)
    target_dir = settings.inbox / company if company else settings.inbox
    # XUNPAN_HOME/inbox itself may be a link an administrator made (to a shared drive); a company
    # folder inside it may not: ingest would refuse it, and writing through it leaves the inbox.
    if company and target_dir.is_symlink():
        raise XunpanError(
            f"{target_dir} is a symbolic link; company folders in the inbox must be real folders"
        )
    results = []
    for path in paths:
        path = Path(path)
        try:
            # The person names this file, so a link they made is followed; what lands in the inbox is a copy.
            data = _read_limited(path, settings, follow_symlinks=True)
        except InputRejected as error:
            results.append(ImportResult(path, False, company_id, error=error))
            continue
        try:
            parsed = parse_file(
                path, kind=kind, company_id=company_id, today=today, data=data, platform=platform
            )
        except InputRejected as error:
            results.append(
                ImportResult(path, False, company_id, kind=getattr(error, "kind_guess", None), error=error)
            )
            continue
        target_dir.mkdir(parents=True, exist_ok=True)
        name = path.name
        if platform and parsed.platform_source == "--platform":
            # Only the user's word named the platform: the inbox copy carries it in its name, which the
            # ingest reads as the file-name evidence (docs/raw-landing.md, "Recognising the platform").
            name = f"{platform}__{path.name}"
        placed = _place(target_dir, name, data)
        result = _result_from(parsed, path)
        result.inbox_path = placed
        results.append(result)
    return results


def ingest_inbox(settings: Settings, today: dt.date | None = None) -> IngestReport:
    """Load every waiting inbox file into raw Parquet, in file-name order; one bad file never stops the rest."""
    ensure_raw_layout(settings)
    report = IngestReport()
    with _landing_lock(settings):
        manifest = read_manifest(settings)
        for path, company_id in waiting_files(settings):
            try:
                _ingest_one(settings, path, company_id, manifest, report, today)
            except Exception as exc:  # keep going: the next file must still load
                log.exception("ingest of %s failed unexpectedly", path)
                if not path.exists():
                    continue
                error = InputRejected(
                    path.name, f"internal error while loading ({exc.__class__.__name__}: {exc})"
                )
                entry = _quarantine(settings, path, None, None, company_id, error)
                _append_manifest(settings, manifest, entry)
                report.quarantined.append(entry)
    log.info("%s", report.summary())
    return report


def land_parsed(settings: Settings, parsed: ParsedInput, original: bytes, name: str) -> dict[str, object]:
    """Land an already-validated table (an API pull) exactly like an inbox file; returns its manifest entry.

    `original` are the bytes to archive (the API responses); their hash makes a repeated identical pull a no-op.
    """
    ensure_raw_layout(settings)
    report = IngestReport()
    with _landing_lock(settings):
        manifest = read_manifest(settings)
        sha = hashlib.sha256(original).hexdigest()
        earlier = _loaded_entry(manifest, sha, parsed.company_id)
        if earlier is not None:
            entry = _duplicate_entry(name, sha, parsed.company_id, earlier)
            _append_manifest(settings, manifest, entry)
            return entry
        archive = settings.archive / f"{sha}{Path(name).suffix.lower()}"
        _write_bytes(archive, original)
        entry = _load(settings, parsed, sha, name, manifest, report)
        entry["archive_path"] = str(archive.relative_to(settings.home))
        _append_manifest(settings, manifest, entry)
    return entry


def read_manifest(settings: Settings) -> list[dict[str, object]]:
    """Every manifest line, oldest first."""
    if not settings.manifest.exists():
        return []
    with settings.manifest.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def waiting_files(settings: Settings) -> list[tuple[Path, str]]:
    """Inbox files with their company (sub-folder name, else the configured company), sorted by file name.

    The order decides load_seq, so it must not depend on the file system's listing order.
    Symbolic links (to files or folders) are listed but never followed: ingest refuses them.
    """
    found: list[tuple[Path, str]] = []
    if not settings.inbox.is_dir():
        return found
    for folder, dirnames, filenames in os.walk(settings.inbox, followlinks=False):
        base = Path(folder)
        linked_dirs = [d for d in dirnames if (base / d).is_symlink()]
        for name in filenames + linked_dirs:
            path = base / name
            if name.startswith(_SKIP_PREFIXES) or name.endswith(_SKIP_SUFFIXES):
                continue
            relative = path.relative_to(settings.inbox)
            company = relative.parts[0] if len(relative.parts) > 1 else settings.company_id
            found.append((path, company))
    return sorted(found, key=lambda item: (item[0].name, item[1], str(item[0])))


def inbox_overview(settings: Settings) -> dict[str, object]:
    """What is waiting in the inbox, what was loaded, what sits in quarantine and why."""
    manifest = read_manifest(settings)
    waiting = [
        {"file": str(p.relative_to(settings.inbox)), "company_id": c, "bytes": p.lstat().st_size}
        for p, c in waiting_files(settings)
    ]
    loaded = [e for e in manifest if e["status"] == "loaded"]
    quarantined = [e for e in manifest if e["status"] == "quarantined"]
    return {
        "inbox": str(settings.inbox),
        "waiting": waiting,
        "loaded": [
            {
                k: e.get(k)
                for k in (
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
            }
            for e in loaded
        ],
        "duplicates": sum(1 for e in manifest if e["status"] == "duplicate"),
        "quarantined": [
            {
                k: e.get(k)
                for k in (
                    "file",
                    "company_id",
                    "kind",
                    "reason",
                    "problems_total",
                    "quarantine_path",
                    "reason_path",
                    "quarantined_at",
                )
            }
            for e in quarantined
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


# --- internals ------------------------------------------------------------------------------------


def _ingest_one(
    settings: Settings,
    path: Path,
    company_id: str,
    manifest: list[dict[str, object]],
    report: IngestReport,
    today: dt.date | None,
) -> None:
    try:
        validate_company_id(company_id)
        data = _read_limited(path, settings, follow_symlinks=False)
    except (InputRejected, XunpanError) as exc:
        # Refused before reading (a link, a huge file, a bad folder name): moved, never copied or followed.
        error = exc if isinstance(exc, InputRejected) else InputRejected(path.name, _folder_reason(path, exc))
        entry = _quarantine(settings, path, None, None, company_id, error)
        _append_manifest(settings, manifest, entry)
        report.quarantined.append(entry)
        log.warning("quarantined %s: %s", path.name, error.reason)
        return
    sha = hashlib.sha256(data).hexdigest()
    earlier = _loaded_entry(manifest, sha, company_id)
    if earlier is not None:
        entry = _duplicate_entry(path.name, sha, company_id, earlier)
        _append_manifest(settings, manifest, entry)
        path.unlink()  # the same bytes are already in archive/ under this hash
        report.duplicates.append(entry)
        log.info("%s is a duplicate of %s; nothing loaded", path.name, earlier["file"])
        return
    try:
        parsed = parse_file(path, company_id=company_id, today=today, data=data)
    except InputRejected as error:
        entry = _quarantine(settings, path, data, sha, company_id, error)
        _append_manifest(settings, manifest, entry)
        report.quarantined.append(entry)
        log.warning("quarantined %s: %s", path.name, error.reason)
        return
    archive = settings.archive / f"{sha}{path.suffix.lower()}"
    _write_bytes(archive, data)
    entry = _load(settings, parsed, sha, path.name, manifest, report)
    entry["archive_path"] = str(archive.relative_to(settings.home))
    _append_manifest(settings, manifest, entry)
    path.unlink()
    report.loaded.append(entry)


def _load(
    settings: Settings,
    parsed: ParsedInput,
    sha: str,
    name: str,
    manifest: list[dict[str, object]],
    report: IngestReport,
) -> dict[str, object]:
    """Write the Parquet file and build the manifest entry, including the days this file takes over."""
    load_seq = 1 + max((int(e["load_seq"]) for e in manifest if e.get("load_seq") is not None), default=0)
    loaded_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    n = parsed.rows
    table = parsed.table.append_column("file_sha256", pa.array([sha] * n, pa.string()))
    table = table.append_column("load_seq", pa.array([load_seq] * n, pa.int64()))
    table = table.append_column("loaded_at", pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC")))
    schema = raw_schema(parsed.kind)
    table = table.select(schema.names).cast(schema)
    # raw/<kind>/<sha256>.parquet; the same bytes already loaded for another company (a shared
    # contract template, identical cost cards) get the company in the name, so neither overwrites
    # the other. A leftover of this company's own killed load is simply overwritten.
    others = any(
        e["sha256"] == sha and e["status"] == "loaded" and e["company_id"] != parsed.company_id
        for e in manifest
    )
    target = (
        settings.raw / parsed.kind / (f"{sha}.{parsed.company_id}.parquet" if others else f"{sha}.parquet")
    )
    _write_parquet(table, target)

    partitions = parsed.partitions()
    superseded = _superseded(manifest, parsed.kind, parsed.company_id, partitions, parsed.layout)
    for s in superseded:
        replacement = {
            "file": name,
            "replaces_file": s["file"],
            "replaces_load_seq": s["load_seq"],
            "key": s["key"],
            "days": s["days"],
        }
        report.replacements.append(replacement)
        log.warning(
            "%s replaces %d day(s) (%s..%s) of %s for %s",
            name,
            len(s["days"]),
            s["days"][0],
            s["days"][-1],
            s["file"],
            s["key"],
        )
    return {
        "sha256": sha,
        "file": name,
        "kind": parsed.kind,
        "layout": parsed.layout,
        "company_id": parsed.company_id,
        "status": "loaded",
        "load_seq": load_seq,
        "rows": n,
        "date_min": _iso(parsed.date_min),
        "date_max": _iso(parsed.date_max),
        "totals": parsed.totals,
        "unknown_columns": parsed.unknown_columns,
        "warnings": parsed.warnings,
        "partitions": partitions,
        "superseded": superseded,
        "raw_path": str(target.relative_to(settings.home)),
        "loaded_at": loaded_at.isoformat(),
    }


def _superseded(
    manifest: list[dict[str, object]],
    kind: str,
    company_id: str,
    partitions: dict[str, list[str]],
    layout: str,
) -> list[dict[str, object]]:
    """For each day of the new file, the earlier file that owned that day until now (highest load_seq).

    Spend reports of another level (a keyword report after a campaign report) replace nothing: dbt's
    grain-of-record rule picks one level per platform and day, so only a restated export of the same
    layout takes over days.
    """
    if not partitions:
        return []
    owner: dict[tuple[str, str], dict[str, object]] = {}
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
    files: dict[str, dict[str, object]] = {}
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


def _quarantine(
    settings: Settings,
    path: Path,
    data: bytes | None,
    sha: str | None,
    company_id: str,
    error: InputRejected,
) -> dict[str, object]:
    """Move the file (or the link itself, never its target) to quarantine/ with a reason file beside it.

    `data` and `sha` are None for a file refused before it was read (a link, a file over the size
    limit): it is renamed as it is, not read, hashed or copied.
    """
    settings.quarantine.mkdir(parents=True, exist_ok=True)
    target = settings.quarantine / path.name
    if os.path.lexists(target) and (data is None or target.is_symlink() or target.read_bytes() != data):
        tag = sha[:8] if sha else dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = settings.quarantine / f"{path.stem}.{tag}{path.suffix}"
    link_target = os.readlink(path) if path.is_symlink() else None
    # os.rename moves a symbolic link itself; shutil.move would copy a link's target across file systems.
    try:
        os.rename(path, target)
    except OSError:
        shutil.move(str(path), target)
    reason_path = target.with_name(target.name + ".reason.json")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    reason = {
        "file": path.name,
        "sha256": sha,
        "company_id": company_id,
        "kind_guess": getattr(error, "kind_guess", None),
        "layout_guess": getattr(error, "layout_guess", None),
        "reason": error.reason,
        "problems": [p.as_dict() for p in error.problems],
        "problems_listed": len(error.problems),
        "quarantined_at": now,
    }
    if link_target is not None:
        reason["symlink_target"] = link_target
    _write_bytes(reason_path, json.dumps(reason, ensure_ascii=False, indent=2).encode("utf-8"), replace=True)
    return {
        "sha256": sha,
        "file": path.name,
        "kind": reason["kind_guess"],
        "layout": reason["layout_guess"],
        "company_id": company_id,
        "status": "quarantined",
        "load_seq": None,
        "rows": 0,
        "reason": error.reason,
        "problems_total": len(error.problems),
        "quarantine_path": str(target.relative_to(settings.home)),
        "reason_path": str(reason_path.relative_to(settings.home)),
        "quarantined_at": now,
    }


def _duplicate_entry(name: str, sha: str, company_id: str, earlier: dict[str, object]) -> dict[str, object]:
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


def _loaded_entry(manifest: list[dict[str, object]], sha: str, company_id: str) -> dict[str, object] | None:
    """The earlier load of the same bytes for the same company (another company's copy is its own data)."""
    return next(
        (
            e
            for e in manifest
            if e["sha256"] == sha and e["status"] == "loaded" and e["company_id"] == company_id
        ),
        None,
    )


def _append_manifest(settings: Settings, manifest: list[dict[str, object]], entry: dict[str, object]) -> None:
    settings.manifest.parent.mkdir(parents=True, exist_ok=True)
    with settings.manifest.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    manifest.append(entry)


def _place(target_dir: Path, name: str, data: bytes) -> Path:
    """Copy into the inbox without overwriting a different file of the same name."""
    target = target_dir / name
    if target.exists():
        if target.read_bytes() == data:
            return target
        stem, suffix = Path(name).stem, Path(name).suffix
        target = target_dir / f"{stem}.{hashlib.sha256(data).hexdigest()[:8]}{suffix}"
    _write_bytes(target, data)
    return target


def _write_bytes(target: Path, data: bytes, replace: bool = False) -> None:
    """Write atomically (temp file + rename) so a killed run never leaves half a file behind."""
    if target.exists() and not replace:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _write_parquet(table: pa.Table, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, target)


@contextlib.contextmanager
def _landing_lock(settings: Settings) -> Iterator[None]:
    """One writer of the landing zone at a time (a manual run beside the scheduled one)."""
    settings.raw.mkdir(parents=True, exist_ok=True)
    with (settings.raw / ".landing.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _result_from(parsed: ParsedInput, path: Path) -> ImportResult:
    return ImportResult(
        file=path,
        accepted=True,
        company_id=parsed.company_id,
        kind=parsed.kind,
        layout=parsed.layout,
        layout_description=parsed.layout_description,
        rows=parsed.rows,
        date_min=parsed.date_min,
        date_max=parsed.date_max,
        totals=parsed.totals,
        unknown_columns=parsed.unknown_columns,
        warnings=parsed.warnings,
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _read_limited(path: Path, settings: Settings, follow_symlinks: bool) -> bytes:
    """The bytes of a regular file no larger than XUNPAN_MAX_FILE_MB, checked before reading anything.

    Without `follow_symlinks` a link is refused (O_NOFOLLOW makes the open itself fail, so a link
    swapped in after the check is not followed either). The size is taken from the open file, and
    at most one byte more than the limit is read, so a file growing meanwhile cannot slip through.
    """
    limit = settings.max_file_mb << 20
    if not follow_symlinks and path.is_symlink():
        raise InputRejected(
            path.name,
            f"{path} is a symbolic link (to {os.readlink(path)}); links are not followed from the inbox. "
            "Copy the file itself into the inbox",
        )
    flags = os.O_RDONLY | (0 if follow_symlinks else os.O_NOFOLLOW) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputRejected(path.name, f"cannot read the file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputRejected(
                path.name,
                f"{path} is not a regular file (a folder, device or pipe); only export files are read",
            )
        if info.st_size > limit:
            raise InputRejected(
                path.name,
                f"the file is {info.st_size / 2**20:,.0f} MB, more than the limit of {settings.max_file_mb} MB "
                "(XUNPAN_MAX_FILE_MB); split the export by date range, or raise the limit if the file is genuine",
            )
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputRejected(
            path.name,
            f"the file grew past the limit of {settings.max_file_mb} MB (XUNPAN_MAX_FILE_MB) while being read",
        )
    return data


def _folder_reason(path: Path, exc: Exception) -> str:
    return f"{exc}; the first folder under the inbox names the company: move {path.name} into inbox/<company id>/"
