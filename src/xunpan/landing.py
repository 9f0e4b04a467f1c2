"""The inbox and the raw landing zone: validate, load, archive, quarantine, and remember every file.

Flow: `import_files` validates files a person hands over and copies the good ones into the inbox;
the DAG's ingest (`ingest_inbox`) turns every waiting inbox file into one immutable Parquet file
raw/<kind>/<sha256>.parquet (docs/raw-landing.md), keeps the original bytes in archive/ (or, for a
rejected file, in quarantine/ beside a machine-readable reason), and appends a line per file to the
manifest (xunpan.landing_manifest). An API pull lands the same way through `land_parsed`. Nothing
is ever deleted: a file leaves the inbox only once its bytes are safe elsewhere. What `xunpan
inbox` shows is xunpan.inbox_view.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from xunpan.config import Settings
from xunpan.errors import InputRejected, XunpanError
from xunpan.files import atomic_path, exclusive_lock, write_atomic
from xunpan.landing_manifest import (
    Entry,
    append_entry,
    duplicate_entry,
    loaded_entry,
    loaded_for_another_company,
    next_load_seq,
    read_manifest,
    superseded,
)
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
        return {**vars(self), "has_warnings": self.has_warnings}

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
            parsed = _parse(settings, path, data, company_id, today, kind=kind, platform=platform)
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


def ingest_inbox(
    settings: Settings, today: dt.date | None = None, company: str | None = None
) -> IngestReport:
    """Load every waiting inbox file into raw Parquet, in file-name order; one bad file never stops the rest.

    With `company`, only that company's files (the DAG ingests each company in its own task).
    """
    ensure_raw_layout(settings)
    report = IngestReport()
    with _landing_lock(settings, "ingest of the inbox"):
        manifest = read_manifest(settings)
        for path, company_id in waiting_files(settings):
            if company is not None and company_id != company:
                continue
            try:
                _ingest_one(settings, path, company_id, manifest, report, today)
            except Exception as exc:  # keep going: the next file must still load
                log.exception("ingest of %s failed unexpectedly", path)
                if not path.exists():
                    continue
                error = InputRejected(
                    path.name, f"internal error while loading ({exc.__class__.__name__}: {exc})"
                )
                _refuse(settings, manifest, report, path, None, None, company_id, error)
    log.info("%s", report.summary())
    return report


def land_parsed(settings: Settings, parsed: ParsedInput, original: bytes, name: str) -> Entry:
    """Land an already-validated table (an API pull) exactly like an inbox file; returns its manifest entry.

    `original` are the bytes to archive (the API responses); their hash makes a repeated identical pull a no-op.
    """
    ensure_raw_layout(settings)
    with _landing_lock(settings, f"landing of {name}"):
        manifest = read_manifest(settings)
        sha = hashlib.sha256(original).hexdigest()
        return _land(
            settings, manifest, IngestReport(), name, parsed.company_id, original, sha, lambda: parsed
        )


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


# --- internals ------------------------------------------------------------------------------------


def _ingest_one(
    settings: Settings,
    path: Path,
    company_id: str,
    manifest: list[Entry],
    report: IngestReport,
    today: dt.date | None,
) -> None:
    try:
        validate_company_id(company_id)
        data = _read_limited(path, settings, follow_symlinks=False)
    except (InputRejected, XunpanError) as exc:
        # Refused before reading (a link, a huge file, a bad folder name): moved, never copied or followed.
        error = exc if isinstance(exc, InputRejected) else InputRejected(path.name, _folder_reason(path, exc))
        _refuse(settings, manifest, report, path, None, None, company_id, error)
        return
    sha = hashlib.sha256(data).hexdigest()
    try:
        _land(
            settings,
            manifest,
            report,
            path.name,
            company_id,
            data,
            sha,
            lambda: _parse(settings, path, data, company_id, today),
        )
    except InputRejected as error:
        _refuse(settings, manifest, report, path, data, sha, company_id, error)
        return
    path.unlink()  # its bytes are in archive/ under their hash (loaded now or before)


def _parse(
    settings: Settings, path: Path, data: bytes, company_id: str, today: dt.date | None, **options: str | None
) -> ParsedInput:
    """parse_file with this home's taught layouts, so `xunpan import` and the ingest read a file alike."""
    return parse_file(
        path, company_id=company_id, today=today, data=data, layouts_dir=settings.layouts, **options
    )


def _land(
    settings: Settings,
    manifest: list[Entry],
    report: IngestReport,
    name: str,
    company_id: str,
    data: bytes,
    sha: str,
    parse: Callable[[], ParsedInput],
) -> Entry:
    """The one path into raw/: skip bytes already loaded for the company, else archive, load, record.

    `parse` runs only for new bytes; an InputRejected it raises leaves nothing written.
    """
    earlier = loaded_entry(manifest, sha, company_id)
    if earlier is not None:
        entry = duplicate_entry(name, sha, company_id, earlier)
        append_entry(settings, manifest, entry)
        report.duplicates.append(entry)
        log.info("%s is a duplicate of %s; nothing loaded", name, earlier["file"])
        return entry
    parsed = parse()
    archive = settings.archive / f"{sha}{Path(name).suffix.lower()}"
    _write_bytes(archive, data)
    entry = _load(settings, parsed, sha, name, manifest, report)
    entry["archive_path"] = str(archive.relative_to(settings.home))
    append_entry(settings, manifest, entry)
    report.loaded.append(entry)
    return entry


def _refuse(
    settings: Settings,
    manifest: list[Entry],
    report: IngestReport,
    path: Path,
    data: bytes | None,
    sha: str | None,
    company_id: str,
    error: InputRejected,
) -> None:
    entry = _quarantine(settings, path, data, sha, company_id, error)
    append_entry(settings, manifest, entry)
    report.quarantined.append(entry)
    log.warning("quarantined %s: %s", path.name, error.reason)


def _load(
    settings: Settings,
    parsed: ParsedInput,
    sha: str,
    name: str,
    manifest: list[Entry],
    report: IngestReport,
) -> Entry:
    """Write the Parquet file and build the manifest entry, including the days this file takes over."""
    load_seq = next_load_seq(manifest)
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
    others = loaded_for_another_company(manifest, sha, parsed.company_id)
    target = (
        settings.raw / parsed.kind / (f"{sha}.{parsed.company_id}.parquet" if others else f"{sha}.parquet")
    )
    _write_parquet(table, target)

    partitions = parsed.partitions()
    taken_over = superseded(manifest, parsed.kind, parsed.company_id, partitions, parsed.layout)
    for s in taken_over:
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
        "superseded": taken_over,
        "raw_path": str(target.relative_to(settings.home)),
        "loaded_at": loaded_at.isoformat(),
    }


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
    write_atomic(reason_path, json.dumps(reason, ensure_ascii=False, indent=2))
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


def _write_bytes(target: Path, data: bytes) -> None:
    """Write once: a file named by its content's hash that exists already holds these bytes."""
    if not target.exists():
        write_atomic(target, data)


def _write_parquet(table: pa.Table, target: Path) -> None:
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _landing_lock(settings: Settings, purpose: str) -> contextlib.AbstractContextManager[None]:
    """One writer of the landing zone at a time (a manual run beside the scheduled one, parallel pulls)."""
    return exclusive_lock(settings.raw / ".landing.lock", purpose)


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
