"""The publish step of write-audit-publish: copy the audited marts into a new serving file, switch.

Dashboards read `settings.serving_current`, a symlink to one immutable serving DuckDB file. A
publish writes a new file under a temporary name, closes and fsyncs it, renames it into place,
and only then repoints the symlink with an atomic rename. A process killed at any moment
therefore leaves either the previous or the new file current, never a half-written one; the
temporary leftovers are removed by the next publish. Readers that still hold the previous file
open keep reading it (it is never modified, and unlinking it on Linux leaves open handles valid).

Layout of settings.serving_dir:
  serving-<UTC timestamp>-<run id>.duckdb        one file per publish, tables in schema main
  serving-<UTC timestamp>-<run id>.duckdb.json   its manifest (tables, row counts, checksums)
  current.duckdb -> serving-....duckdb           what dashboards open (read-only)
  current.json                                   copy of the current file's manifest
  companies/<company>/serving-<...>.duckdb        the same publish, only that company's rows
  companies/<company>/current.duckdb -> ...       what that company's analysts open in SQL Lab

Superset's row-level security filters dashboards and charts, but not SQL Lab. A company's
analysts therefore query a file that holds nothing but their company: every table with a
`company_id` column keeps that company's rows, every table without one (shared dimensions,
FX) is copied whole. Each company file is written and switched the same atomic way, before the
all-company file, under the same lock.

Only what changed is written. A new serving file starts as a byte copy of the previous one (a
file copy, not a table copy), and each table is then brought level with its source: a table that
is new or whose columns changed is created anew; otherwise its rows are compared per partition
(company_id and its first DATE column, where the table has them) by row count and a sum of row
hashes, and only the partitions that differ are deleted and inserted. A daily run that adds a
day to a year of keyword rows therefore writes that day, not the year. The result is the same
rows as a fresh copy (tests/xunpan/publish/test_publish.py compares them).

Every serving file also holds the quality history (`quality_*` tables, xunpan/quality/history.py)
as of its publish. When the gate blocks a run, its marts are not published, but people must see
why: `publish_quality_refresh` then writes a new serving file holding the last good file's marts
unchanged (same rows, same checksums, `_xunpan_publish` still naming the run they came from) and
the refreshed quality tables, and switches to it the same atomic way. Its manifest keeps the marts'
run id and names the blocked run under `quality_run_id`.
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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.files import atomic_path, exclusive_lock, write_json_atomic
from xunpan.quality import history

log = logging.getLogger(__name__)

MARTS_SCHEMA = "marts"
PUBLISH_TABLE = "_xunpan_publish"
SERVING_PREFIX = "serving-"
COMPANIES_DIR = "companies"
COMPANY_COLUMN = "company_id"
# A company id becomes a folder name and a Superset role name: lower-case slug only.
COMPANY_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DEFAULT_SERVING_KEEP: int = Settings.model_fields["serving_keep"].default
# Tests set this (Settings.test_publish_pause) to a marker path: publish writes the marker after
# copying the first table and waits while it exists, so a test can kill the process half-way
# through writing the file. The name is for tests that start such a process.
PAUSE_ENV = "XUNPAN_TEST_PUBLISH_PAUSE"
_PAUSE_LIMIT_SECONDS = 300


@dataclass(frozen=True)
class PublishResult:
    run_id: str
    path: Path
    published_at: str
    tables: dict[str, int]
    checksums: dict[str, str]
    previous: Path | None
    pruned: list[Path]
    companies: dict[str, Path] = field(default_factory=dict)
    # rows of each mart this publish wrote; the others came unchanged with the previous file
    written: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "path": str(self.path),
            "published_at": self.published_at,
            "tables": self.tables,
            "checksums": self.checksums,
            "previous": str(self.previous) if self.previous else None,
            "pruned": [str(p) for p in self.pruned],
            "companies": {company: str(p) for company, p in self.companies.items()},
            "written": self.written,
        }


def safe_run_id(run_id: str) -> str:
    """A run id usable in a file name (Airflow's contain ':' and '+')."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("._-")
    return cleaned[:100] or "run"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _publish_lock(serving_dir: Path, run_id: str) -> contextlib.AbstractContextManager[None]:
    """One publish at a time per XUNPAN_HOME; the kernel releases the lock of a killed process."""
    return exclusive_lock(serving_dir / ".publish.lock", f"publish of run {run_id}")


def _remove_leftovers(serving_dir: Path) -> list[Path]:
    """Temporary files of a publish that was killed (only called while holding the lock)."""
    leftovers = [p for p in serving_dir.iterdir() if p.name.startswith(".") and ".tmp" in p.name]
    for path in leftovers:
        path.unlink(missing_ok=True)
    if leftovers:
        log.warning(
            "removed %d leftover(s) of an interrupted publish: %s",
            len(leftovers),
            ", ".join(p.name for p in leftovers),
        )
    return leftovers


def _pause_for_tests(settings: Settings) -> None:
    marker = settings.test_publish_pause
    if not marker:
        return
    path = Path(marker)
    path.write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + _PAUSE_LIMIT_SECONDS
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def attach_read_only(
    con: duckdb.DuckDBPyConnection, source: Path, alias: str, schema: str
) -> dict[str, list[str]]:
    """Attach `source` read-only as `alias`; the relations of its `schema` with their column names."""
    con.execute(f"attach {_sql_string(str(source))} as {alias} (read_only)")
    rows = con.execute(
        "select table_name, list(column_name order by ordinal_position) from information_schema.columns "
        "where table_catalog = ? and table_schema = ? group by table_name order by table_name",
        [alias, schema],
    ).fetchall()
    return dict(rows)


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, type) of every column `relation` (a table or a parenthesised query) gives."""
    return [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]


# A table's rows as one order-independent figure: DuckDB's 64-bit hash of each whole row, summed
# as a 128-bit integer (duplicates count). Alias the table `t`.
_ROW_HASHES = "sum(hash(t)::hugeint)"


def _main_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' and table_type = 'BASE TABLE'"
    ).fetchall()
    return {r[0] for r in rows}


def partition_of(columns: list[tuple[str, str]]) -> list[str]:
    """The columns a table's rows are compared by: company_id and the first DATE column, if any."""
    keys = [COMPANY_COLUMN] if any(name == COMPANY_COLUMN for name, _ in columns) else []
    keys += [name for name, kind in columns if kind == "DATE"][:1]
    return keys


def mark_changed_partitions(
    con: duckdb.DuckDBPyConnection,
    source: str,
    target: str,
    keys: list[str],
    params: Any = None,
    table: str = "_xunpan_changed",
) -> str:
    """Write temp table `table` with the partitions (`keys`) whose rows differ between two relations.

    Rows are compared per partition by count and by the sum of their hashes (DuckDB's 64-bit hash
    of the whole row, summed as a 128-bit integer, so the order of rows does not matter and
    duplicates count); a partition only one side has differs. Both relations must have the same
    columns. Returns a condition on rows aliased `t` that holds for the rows of those partitions.
    The publish step replaces these partitions; the quality gate checks their rows one by one.
    """
    listed = ", ".join(_quote(k) for k in keys)
    summary = f"count(*) as row_count, {_ROW_HASHES} as row_hashes"
    grouped = f"group by {listed}" if keys else ""
    joined = " and ".join(f"s.{_quote(k)} is not distinct from d.{_quote(k)}" for k in keys) or "true"
    picked = ", ".join(f"coalesce(s.{_quote(k)}, d.{_quote(k)}) as {_quote(k)}" for k in keys) or "1 as whole"
    con.execute(
        f"""
        create or replace temp table {table} as
        with s as (select {listed + ", " if keys else ""}{summary} from {source} as t {grouped}),
             d as (select {listed + ", " if keys else ""}{summary} from {target} as t {grouped})
        select {picked}
        from s full join d on {joined}
        where s.row_count is distinct from d.row_count or s.row_hashes is distinct from d.row_hashes
        """,
        params,
    )
    return "exists (select 1 from {} as c where {})".format(
        table, " and ".join(f"c.{_quote(k)} is not distinct from t.{_quote(k)}" for k in keys) or "true"
    )


def _sync_table(
    con: duckdb.DuckDBPyConnection, source_schema: str, name: str, where: str = "", params: Any = None
) -> tuple[int, int]:
    """Make main.<name> of the connected file hold exactly the rows of source_schema.<name> (`where`
    filters them); returns its row count and how many rows were written.

    A table the file lacks, or holds with other columns or types, is created anew. Otherwise only
    the partitions (`partition_of`) whose rows differ are replaced (`mark_changed_partitions`).
    """
    target = f"main.{_quote(name)}"
    source = f"(select * from {source_schema}.{_quote(name)}{where})"
    columns = relation_columns(con, f"{source_schema}.{_quote(name)}")
    try:
        held = relation_columns(con, target)
    except duckdb.CatalogException:  # a table the file does not hold yet
        held = None
    if held != columns:
        con.execute(f"create or replace table {target} as select * from {source}", params)
        rows = con.execute(f"select count(*) from {target}").fetchone()[0]
        return rows, rows
    in_changed = mark_changed_partitions(con, source, target, partition_of(columns), params)
    con.execute(f"delete from {target} as t where {in_changed}")
    written = con.execute(f"insert into {target} select * from {source} as t where {in_changed}", params)
    written_rows = written.fetchone()[0]
    con.execute("drop table _xunpan_changed")
    return con.execute(f"select count(*) from {target}").fetchone()[0], written_rows


def _drop_tables_not_in(con: duckdb.DuckDBPyConnection, keep: set[str]) -> None:
    """Drop the tables a copied file holds that its source no longer has (a mart removed)."""
    for name in sorted(_main_tables(con) - keep):
        if name != PUBLISH_TABLE and not name.startswith(history.TABLE_PREFIX):
            con.execute(f"drop table main.{_quote(name)}")


def _open_from(previous: Path | None, target: Path) -> duckdb.DuckDBPyConnection:
    """Open `target` for writing, started as a byte copy of `previous` when there is one."""
    if previous is not None and previous.is_file():
        shutil.copyfile(previous, target)
        try:
            return duckdb.connect(str(target))
        except duckdb.Error:
            log.warning("%s cannot be opened; writing %s from scratch", previous, target.name, exc_info=True)
            target.unlink(missing_ok=True)
    return duckdb.connect(str(target))


def _fill_serving_file(
    settings: Settings,
    target: Path,
    copy: Callable[[duckdb.DuckDBPyConnection], dict[str, int]],
    previous: Path | None = None,
) -> dict[str, int]:
    """Write `target` with `copy(connection)`, then the quality history; the row count of every table.

    `target` starts as a copy of `previous` (the current serving file), which `copy` brings level.
    """
    con = _open_from(previous, target)
    try:
        counts = copy(con)
        counts.update(history.copy_into(settings, con))
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def _copy_marts(
    settings: Settings,
    target: Path,
    run_id: str,
    published_at: str,
    previous: Path | None,
    written: dict[str, int],
) -> dict[str, int]:
    """Every relation of the warehouse's schema marts, the publish bookkeeping table and the quality history.

    `written` receives, per mart, how many rows this publish wrote (the rest came with the copy).
    """

    def copy(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        warehouse = settings.warehouse
        relations = attach_read_only(con, warehouse, "wh", MARTS_SCHEMA)
        if not relations:
            raise XunpanError(
                f"{warehouse}: schema {MARTS_SCHEMA!r} holds no tables; expected the marts "
                "built by dbt (nothing was published)"
            )
        _drop_tables_not_in(con, set(relations))
        counts: dict[str, int] = {}
        for index, name in enumerate(relations):
            counts[name], written[name] = _sync_table(con, f"wh.{MARTS_SCHEMA}", name)
            if index == 0:
                con.execute("checkpoint")
                _pause_for_tests(settings)
        con.execute(
            f"create or replace table main.{PUBLISH_TABLE} (run_id varchar, published_at varchar, "
            "table_name varchar, row_count bigint)"
        )
        con.executemany(
            f"insert into main.{PUBLISH_TABLE} values (?, ?, ?, ?)",
            [(run_id, published_at, name, count) for name, count in counts.items()],
        )
        con.execute("detach wh")
        return counts

    return _fill_serving_file(settings, target, copy, previous)


def table_checksum(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """One table's checksum (see table_checksums); the connection's TimeZone must be UTC."""
    columns = con.execute(f"describe {table}").fetchall()
    # fetchall: a pending result would block the caller's next query on this connection
    ((row_count, row_hashes),) = con.execute(
        f"select count(*), coalesce({_ROW_HASHES}, 0) from {table} as t"
    ).fetchall()
    header = ";".join(f"{c[0]}:{c[1]}" for c in columns)
    return hashlib.sha256(f"{header}\n{row_count}:{row_hashes}".encode()).hexdigest()


def table_checksums(db_path: Path, schema: str = "main") -> dict[str, str]:
    """An order-independent SHA-256 of each table's column names, types, row count and rows.

    The rows enter as the sum of DuckDB's 64-bit hash of each whole row (as a 128-bit integer):
    one pass, no sort, 0.06 s for 2,000,000 rows where an md5 of every row sorted took 3.3 s.
    Two files with the same rows in any order give the same checksums; the publish bookkeeping
    table (`_xunpan_publish`, which holds the publish time) and the quality history (`quality_*`,
    which gains the rows of every run by design) are left out: the checksums say whether the
    figures changed.
    """
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' and table_catalog = current_database() "
                "order by table_name",
                [schema],
            ).fetchall()
        ]
        checksums = {
            name: table_checksum(con, f"{_quote(schema)}.{_quote(name)}")
            for name in names
            if not (name.startswith("_xunpan") or name.startswith(history.TABLE_PREFIX))
        }
    finally:
        con.close()
    return checksums


def _manifest_path(serving_file: Path) -> Path:
    return serving_file.with_name(serving_file.name + ".json")


def current_serving_file(settings: Settings) -> Path | None:
    """The serving file the symlink points to, if any."""
    link = settings.serving_current
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_file() else None


def current_publication(settings: Settings) -> dict[str, Any] | None:
    """What dashboards see now: run id, file, publish time, tables with row counts and checksums."""
    target = current_serving_file(settings)
    if target is None:
        return None
    current_json = settings.serving_dir / "current.json"
    if current_json.is_file():
        data = json.loads(current_json.read_text(encoding="utf-8"))
        if data.get("file") == target.name:
            return data
    # Killed between the switch and the current.json copy: the file's own manifest is the truth.
    manifest = _manifest_path(target)
    if manifest.is_file():
        return json.loads(manifest.read_text(encoding="utf-8"))
    return None


def _serving_files(serving_dir: Path) -> list[Path]:
    return sorted(p for p in serving_dir.glob(f"{SERVING_PREFIX}*.duckdb") if p.is_file())


def _prune_dir(folder: Path, keep: int) -> list[Path]:
    link = folder / "current.duckdb"
    current = link.resolve() if link.is_symlink() else None
    files = _serving_files(folder)
    doomed = [p for p in files[: max(len(files) - max(keep, 1), 0)] if p != current]
    for path in doomed:
        for extra in (path, _manifest_path(path), path.with_name(path.name + ".wal")):
            extra.unlink(missing_ok=True)
    return doomed


def prune_serving_files(settings: Settings, keep: int) -> list[Path]:
    """Delete all but the newest `keep` serving files (per company too); current ones are kept."""
    doomed = _prune_dir(settings.serving_dir, keep)
    companies = settings.serving_dir / COMPANIES_DIR
    if companies.is_dir():
        for folder in sorted(p for p in companies.iterdir() if p.is_dir() and not p.is_symlink()):
            doomed += _prune_dir(folder, keep)
    return doomed


def company_serving_current(serving_dir: Path, company: str) -> Path:
    """The symlink a company's analysts read: serving/companies/<company>/current.duckdb."""
    return serving_dir / COMPANIES_DIR / company / "current.duckdb"


def serving_companies(serving_file: Path) -> list[str]:
    """Every company id found in any table of a serving file that has a company_id column."""
    con = duckdb.connect(str(serving_file), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.columns "
                "where table_schema = 'main' and column_name = ? and table_catalog = current_database() "
                "order by table_name",
                [COMPANY_COLUMN],
            ).fetchall()
        ]
        companies: set[str] = set()
        for table in tables:
            companies |= {
                r[0]
                for r in con.execute(
                    f"select distinct {COMPANY_COLUMN} from main.{_quote(table)} "
                    f"where {COMPANY_COLUMN} is not null"
                ).fetchall()
            }
    finally:
        con.close()
    bad = sorted(c for c in companies if not COMPANY_ID_PATTERN.match(c))
    if bad:
        raise XunpanError(
            f"{serving_file}: company_id value(s) {bad} cannot name a company's serving folder; "
            "expected lower-case letters, digits, '-' or '_' (at most 63 characters)"
        )
    return sorted(companies)


def _copy_company(source: Path, target: Path, company: str, previous: Path | None) -> dict[str, int]:
    """Every table of source into target: one company's rows where a table has company_id.

    `target` starts as a copy of the company's `previous` file and only what differs is written.
    """
    con = _open_from(previous, target)
    try:
        counts: dict[str, int] = {}
        relations = attach_read_only(con, source, "src", "main")
        _drop_tables_not_in(con, set(relations))
        for name, names in relations.items():
            where = f" where {COMPANY_COLUMN} = $company" if COMPANY_COLUMN in names else ""
            counts[name], _ = _sync_table(
                con, "src.main", name, where, {"company": company} if where else None
            )
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def write_company_files(serving_dir: Path, source: Path, keep: int = DEFAULT_SERVING_KEEP) -> dict[str, Path]:
    """Write one file per company of `source` and switch each company's current.duckdb to it.

    The file takes source's name inside serving/companies/<company>/. Call with the publish
    lock held (publish does; the Superset tests call it on their hand-made serving file).
    """
    written: dict[str, Path] = {}
    for company in serving_companies(source):
        folder = serving_dir / COMPANIES_DIR / company
        folder.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(folder)
        final = folder / source.name
        link = folder / "current.duckdb"
        previous = link.resolve() if link.is_symlink() else None
        with atomic_path(final) as tmp:
            _copy_company(source, tmp, company, previous if previous != final else None)
        _switch_current(link, final)
        _prune_dir(folder, keep)
        written[company] = final
    return written


def _switch_current(link: Path, target: Path) -> None:
    with atomic_path(link) as tmp_link:
        os.symlink(target.name, tmp_link)  # relative: the serving folder can move


def publish(settings: Settings, run_id: str) -> PublishResult:
    """Copy every table of schema marts into a new serving file and make it current atomically."""
    if not settings.warehouse.is_file():
        raise XunpanError(f"{settings.warehouse}: the warehouse does not exist; nothing to publish")
    keep = settings.serving_keep
    serving_dir = settings.serving_dir
    serving_dir.mkdir(parents=True, exist_ok=True)
    with _publish_lock(serving_dir, run_id):
        _remove_leftovers(serving_dir)
        previous = current_serving_file(settings)
        written: dict[str, int] = {}
        result = _write_serving_file(
            settings,
            safe_run_id(run_id),
            keep,
            lambda tmp, published_at: _copy_marts(settings, tmp, run_id, published_at, previous, written),
            previous,
            written,
            run_id=run_id,
        )
    log.info(
        "published %s (%d tables, %d of %d mart rows written, %d company files) for run %s; previous %s; "
        "pruned %d",
        result.path.name,
        len(result.tables),
        sum(written.values()),
        sum(result.tables.get(name, 0) for name in written),
        len(result.companies),
        run_id,
        previous.name if previous else "none",
        len(result.pruned),
    )
    return result


def _write_serving_file(
    settings: Settings,
    name_tag: str,
    keep: int,
    copy: Callable[[Path, str], dict[str, int]],
    previous: Path | None,
    written: dict[str, int] | None = None,
    **identity: str,
) -> PublishResult:
    """Write a new serving file with `copy(path, published_at)`, its manifest and company files, then switch.

    `identity` (run_id, and for a quality refresh what the marts came from) heads the manifest.
    Call with the publish lock held. The file is complete and flushed before it gets its final
    name, and the symlink moves only after the manifest and every company file are written.
    """
    serving_dir = settings.serving_dir
    now = dt.datetime.now(dt.UTC)
    published_at = now.isoformat()
    final = serving_dir / f"{SERVING_PREFIX}{now:%Y%m%dT%H%M%S%fZ}-{name_tag}.duckdb"
    with atomic_path(final) as tmp:
        tables = copy(tmp, published_at)
        checksums = table_checksums(tmp)
    manifest = {
        **identity,
        "file": final.name,
        "path": str(final),
        "published_at": published_at,
        "tables": {name: {"rows": rows, "checksum": checksums.get(name)} for name, rows in tables.items()},
        "written": written or {},
    }
    write_json_atomic(_manifest_path(final), manifest)
    companies = write_company_files(serving_dir, final, keep)
    _switch_current(settings.serving_current, final)
    write_json_atomic(serving_dir / "current.json", manifest)
    pruned = prune_serving_files(settings, keep)
    return PublishResult(
        identity["run_id"], final, published_at, tables, checksums, previous, pruned, companies, written or {}
    )


def _copy_last_good(settings: Settings, source: Path, target: Path) -> dict[str, int]:
    """Every table of `source` but the quality history, then the history as it is now."""

    def copy(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        counts = {
            name: _sync_table(con, "good.main", name)[0]
            for name in attach_read_only(con, source, "good", "main")
            if not name.startswith(history.TABLE_PREFIX)
        }
        con.execute("detach good")
        return counts

    return _fill_serving_file(settings, target, copy, source)


def publish_quality_refresh(settings: Settings, run_id: str) -> PublishResult | None:
    """After a blocked gate: the last good marts again, with the quality history of `run_id` added.

    Returns None when nothing was ever published (there are no good marts to keep showing; the
    blocked run is in the history store and the Data Docs all the same).
    """
    keep = settings.serving_keep
    serving_dir = settings.serving_dir
    if not serving_dir.is_dir():
        return None
    with _publish_lock(serving_dir, run_id):
        good = current_serving_file(settings)
        if good is None:
            log.warning("run %s was blocked and nothing was ever published: no quality refresh", run_id)
            return None
        _remove_leftovers(serving_dir)
        previous_manifest = current_publication(settings) or {}
        marts_run = str(previous_manifest.get("run_id") or run_id)
        result = _write_serving_file(
            settings,
            f"{safe_run_id(run_id)}-quality",
            keep,
            lambda tmp, _published_at: _copy_last_good(settings, good, tmp),
            good,
            run_id=marts_run,
            quality_run_id=run_id,
            marts_from=good.name,
        )
    log.info(
        "run %s was blocked: republished the marts of run %s (%s) with the refreshed quality history as %s",
        run_id,
        marts_run,
        good.name,
        result.path.name,
    )
    return result
