"""The quality history: every gate run and every refused file, kept for good, published with the marts.

Where it lives between runs: one DuckDB file, `XUNPAN_HOME/quality/history.duckdb`, beside the
Data Docs. It is not in the warehouse (dbt rebuilds that) nor only in the serving files (publish
keeps the last few and a blocked run publishes no marts): the history must outlive both. Rows are
only ever added; a run recorded again under the same run id (a retried audit) replaces its own
rows and nothing else. Publish copies the tables into every serving file (see publish.py), so the
dashboards and each company's own serving file show them, one company's rows each.

Tables (grain first; every table keeps `company_id`, so row-level security applies):
  quality_runs                 run x company: status, counts, data-through date, Data Docs page
  quality_expectation_results  run x company x expectation: severity, outcome, observed value
  quality_freshness            run x company x input kind: newest data date, days behind, status
  quality_input_coverage       run x company x input kind x month: days the loaded files cover
  quality_quarantined_files    refused file: company, kind, reason, first bad row, column and value

One gate validates every company's rows together (publishing is one decision for the whole
installation), so an expectation's outcome is recorded once per company of the run. Its observed
value is GX's summary statistic (a count, a minimum, a share); the sample of unexpected values
GX lists is left out, because it may hold another company's ids and values. The full samples stay
in the Data Docs, which only the data engineer opens.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from xunpan.config import Settings

log = logging.getLogger(__name__)

HISTORY_FILE = "history.duckdb"
TABLE_PREFIX = "quality_"

# Status of a run as the dashboard shows it (Chinese first).
STATUS_LABELS = {
    "passed": "通过 Passed",
    "warned": "警告 Warned",
    "blocked": "阻止发布 Blocked",
}
OUTCOME_LABELS = {
    "passed": "通过 Passed",
    "warned": "警告 Warned",
    "failed": "失败 Failed",
}
FRESHNESS_LABELS = {
    "fresh": "及时 Fresh",
    "stale": "过期 Stale",
    "reference": "参考资料 Reference data",
    "undated": "无日期 Undated",
}
# Inputs that arrive for every day, whose newest day says whether an export was forgotten. Cost
# cards and platform contracts are reference data: valid from a date until replaced.
DAILY_KINDS = ("ad_spend", "platform_traffic", "web_traffic", "inquiries", "orders", "fx_rates")
KIND_LABELS = {
    "ad_spend": "推广消费 Ad spend",
    "platform_traffic": "平台流量 Platform traffic",
    "web_traffic": "网站流量 Web traffic",
    "inquiries": "询盘登记表 Inquiry register",
    "orders": "订单 Orders",
    "fx_rates": "汇率 FX rates",
    "product_costs": "产品成本卡 Product costs",
    "channel_contracts": "平台会员合同 Channel contracts",
}
UNKNOWN_KIND = "unknown"

SCHEMA = {
    "quality_runs": """
        run_id varchar not null,
        company_id varchar not null,
        business_date date not null,
        finished_at timestamp not null,
        status varchar not null,
        status_label varchar not null,
        is_publish_allowed boolean not null,
        expectations_evaluated integer not null,
        expectations_failed integer not null,
        expectations_warned integer not null,
        files_quarantined integer not null,
        data_through_date date,
        data_docs_page varchar,
        primary key (run_id, company_id)
    """,
    "quality_expectation_results": """
        run_id varchar not null,
        company_id varchar not null,
        business_date date not null,
        finished_at timestamp not null,
        suite varchar not null,
        expectation_type varchar not null,
        column_name varchar,
        severity varchar not null,
        outcome varchar not null,
        outcome_label varchar not null,
        observed_value varchar,
        unexpected_count bigint,
        element_count bigint,
        notes varchar,
        data_docs_page varchar
    """,
    "quality_freshness": """
        run_id varchar not null,
        company_id varchar not null,
        business_date date not null,
        finished_at timestamp not null,
        input_kind varchar not null,
        input_kind_label varchar not null,
        newest_data_date date,
        days_behind integer,
        freshness_limit_days integer not null,
        files_loaded integer not null,
        last_loaded_at timestamp,
        status varchar not null,
        status_label varchar not null,
        primary key (run_id, company_id, input_kind)
    """,
    "quality_input_coverage": """
        run_id varchar not null,
        company_id varchar not null,
        input_kind varchar not null,
        input_kind_label varchar not null,
        month_start date not null,
        days_in_month integer not null,
        days_covered integer not null,
        primary key (run_id, company_id, input_kind, month_start)
    """,
    "quality_quarantined_files": """
        quarantine_path varchar primary key,
        company_id varchar not null,
        file_name varchar not null,
        input_kind varchar not null,
        input_kind_label varchar not null,
        reason varchar not null,
        bad_row bigint,
        bad_column varchar,
        bad_value varchar,
        expected varchar,
        problems_total integer not null,
        quarantined_at timestamp not null,
        sha256 varchar,
        recorded_by_run_id varchar
    """,
}
TABLES = tuple(SCHEMA)
# Tables whose rows belong to one run (replaced when the same run id is recorded again).
_RUN_TABLES = ("quality_runs", "quality_expectation_results", "quality_freshness", "quality_input_coverage")


def history_path(settings: Settings) -> Path:
    return settings.quality_dir / HISTORY_FILE


def create_tables(con: duckdb.DuckDBPyConnection, keys: bool = True) -> None:
    """Create the history tables that are missing; without keys for a copy (tests' serving files)."""
    for name, columns in SCHEMA.items():
        if not keys:
            columns = re.sub(r",\s*primary key \([^)]*\)", "", columns).replace(" primary key", "")
        con.execute(f"create table if not exists {name} ({columns})")


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the history store."""
    path = history_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    create_tables(con)
    return con


@dataclass(frozen=True)
class ExpectationRecord:
    """One expectation's outcome in one run, before it is copied per company."""

    suite: str
    expectation_type: str
    column_name: str | None
    severity: str  # blocking | warning
    outcome: str  # passed | warned | failed
    observed_value: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    notes: str | None = None
    data_docs_page: str | None = None


def _short(value: Any, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def expectation_record(result: Any, suite: str, severity: str, page: str | None) -> ExpectationRecord:
    """The history record of one GX ExpectationValidationResult (no unexpected-value samples)."""
    config = result.expectation_config
    kwargs = config.kwargs or {}
    outcome = result.result or {}
    column = kwargs.get("column")
    if column is None and "column_A" in kwargs:
        column = f"{kwargs['column_A']}, {kwargs['column_B']}"
    state = "passed" if result.success else ("warned" if severity == "warning" else "failed")
    observed = outcome.get("observed_value")
    if observed is None and outcome.get("unexpected_percent") is not None:
        observed = f"{outcome['unexpected_percent']:.4g}% unexpected"
    exception = (result.exception_info or {}).get("exception_message") if result.exception_info else None
    notes = (config.meta or {}).get("notes")
    if exception:
        notes = f"could not be evaluated: {exception}"
    return ExpectationRecord(
        suite=suite,
        expectation_type=str(config.type),
        column_name=None if column is None else str(column),
        severity=severity,
        outcome=state,
        observed_value=_short(observed),
        unexpected_count=outcome.get("unexpected_count"),
        element_count=outcome.get("element_count"),
        notes=_short(notes, 500),
        data_docs_page=page,
    )


def read_data_through(warehouse: Path) -> dict[str, dt.date | None]:
    """Each company's data-through date from the warehouse's dim_companies (empty if not built)."""
    if not warehouse.is_file():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'dim_companies'"
        ).fetchone()[0]
        if not present:
            return {}
        return dict(con.execute("select company_id, data_through_date from marts.dim_companies").fetchall())


def _manifest(settings: Settings) -> list[dict[str, Any]]:
    path = settings.manifest
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def _timestamp(value: Any) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value))
    # Stored as naive UTC: DuckDB's TIMESTAMP, read the same way by Superset and pandas.
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def freshness_rows(
    manifest: list[dict[str, Any]], business_date: dt.date, limit_days: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Freshness per company and input kind, and days covered per company, kind and month.

    Data after the business date (a file exported mid-day) is not counted: that day is not over.
    """
    loaded: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in manifest:
        if entry.get("status") == "loaded" and entry.get("kind"):
            loaded.setdefault((str(entry["company_id"]), str(entry["kind"])), []).append(entry)
    freshness, coverage = [], []
    for (company, kind), entries in sorted(loaded.items()):
        newest = max((d for d in (_date(e.get("date_max")) for e in entries) if d), default=None)
        if newest is not None:
            newest = min(newest, business_date)
        last_loaded = max((t for t in (_timestamp(e.get("loaded_at")) for e in entries) if t), default=None)
        if kind not in DAILY_KINDS:
            status = "reference"
        elif newest is None:
            status = "undated"
        else:
            status = "stale" if (business_date - newest).days > limit_days else "fresh"
        freshness.append(
            {
                "company_id": company,
                "input_kind": kind,
                "input_kind_label": KIND_LABELS.get(kind, kind),
                "newest_data_date": newest,
                # Reference data (cost cards, contracts) is valid until replaced: no days behind.
                "days_behind": None
                if newest is None or status == "reference"
                else (business_date - newest).days,
                "freshness_limit_days": limit_days,
                "files_loaded": len(entries),
                "last_loaded_at": last_loaded,
                "status": status,
                "status_label": FRESHNESS_LABELS[status],
            }
        )
        if kind not in DAILY_KINDS:
            continue
        days: set[dt.date] = set()
        for entry in entries:
            first, last = _date(entry.get("date_min")), _date(entry.get("date_max"))
            if first is None or last is None:
                continue
            last = min(last, business_date)
            days |= {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
        months: dict[dt.date, int] = {}
        for day in days:
            months[day.replace(day=1)] = months.get(day.replace(day=1), 0) + 1
        for month, covered in sorted(months.items()):
            following = (month + dt.timedelta(days=32)).replace(day=1)
            coverage.append(
                {
                    "company_id": company,
                    "input_kind": kind,
                    "input_kind_label": KIND_LABELS.get(kind, kind),
                    "month_start": month,
                    "days_in_month": (following - month).days,
                    "days_covered": covered,
                }
            )
    return freshness, coverage


def quarantined_rows(settings: Settings, manifest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every refused file of the manifest, with the first bad row and column from its reason file."""
    rows = []
    for entry in manifest:
        if entry.get("status") != "quarantined" or not entry.get("quarantine_path"):
            continue
        first: dict[str, Any] = {}
        reason_path = settings.home / str(entry.get("reason_path") or "")
        if entry.get("reason_path") and reason_path.is_file():
            problems = json.loads(reason_path.read_text(encoding="utf-8")).get("problems") or []
            first = next((p for p in problems if p.get("row") is not None), problems[0] if problems else {})
        kind = str(entry.get("kind") or UNKNOWN_KIND)
        rows.append(
            {
                "quarantine_path": str(entry["quarantine_path"]),
                "company_id": str(entry.get("company_id") or settings.company_id),
                "file_name": str(entry.get("file")),
                "input_kind": kind,
                "input_kind_label": KIND_LABELS.get(
                    kind, "未识别 Not recognised" if kind == UNKNOWN_KIND else kind
                ),
                "reason": str(entry.get("reason") or ""),
                "bad_row": first.get("row"),
                "bad_column": first.get("column"),
                "bad_value": _short(first.get("value")),
                "expected": _short(first.get("expected"), 500),
                "problems_total": int(entry.get("problems_total") or 0),
                "quarantined_at": _timestamp(entry.get("quarantined_at"))
                or dt.datetime.now(dt.UTC).replace(tzinfo=None),
                "sha256": entry.get("sha256"),
            }
        )
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict[str, Any]]) -> int:
    rows = list(rows)
    if not rows:
        return 0
    columns = list(rows[0])
    con.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )
    return len(rows)


@dataclass(frozen=True)
class RecordedRun:
    run_id: str
    companies: list[str]
    status: str
    quarantined_new: int
    path: Path


def record_gate_run(
    settings: Settings,
    *,
    run_id: str,
    business_date: dt.date,
    finished_at: dt.datetime,
    expectations: list[ExpectationRecord],
    evaluated: int,
    data_docs_page: str | None,
    freshness_limit_days: int,
    companies: Iterable[str] = (),
) -> RecordedRun:
    """Append one gate run (per company) and every newly refused file to the history store.

    The run is recorded for every company in `companies` (those in the validated marts), in
    dim_companies, with loaded files or with refused ones.
    """
    manifest = _manifest(settings)
    through = read_data_through(settings.warehouse)
    freshness, coverage = freshness_rows(manifest, business_date, freshness_limit_days)
    refused = quarantined_rows(settings, manifest)
    companies = sorted(
        set(companies)
        | set(through)
        | {r["company_id"] for r in freshness}
        | {r["company_id"] for r in refused}
    ) or [settings.company_id]
    failed = sum(e.outcome == "failed" for e in expectations)
    warned = sum(e.outcome == "warned" for e in expectations)
    status = "blocked" if failed else ("warned" if warned else "passed")
    finished = finished_at.astimezone(dt.UTC).replace(tzinfo=None) if finished_at.tzinfo else finished_at
    run_fields = {"run_id": run_id, "business_date": business_date, "finished_at": finished}

    con = connect(settings)
    try:
        con.execute("begin")
        for table in _RUN_TABLES:
            con.execute(f"delete from {table} where run_id = ?", [run_id])
        known = {
            r[0] for r in con.execute("select quarantine_path from quality_quarantined_files").fetchall()
        }
        new_refused = [
            {**r, "recorded_by_run_id": run_id} for r in refused if r["quarantine_path"] not in known
        ]
        _insert(con, "quality_quarantined_files", new_refused)
        quarantined_by_company = {
            company: sum(1 for r in new_refused if r["company_id"] == company) for company in companies
        }
        _insert(
            con,
            "quality_runs",
            (
                {
                    **run_fields,
                    "company_id": company,
                    "status": status,
                    "status_label": STATUS_LABELS[status],
                    "is_publish_allowed": not failed,
                    "expectations_evaluated": evaluated,
                    "expectations_failed": failed,
                    "expectations_warned": warned,
                    "files_quarantined": quarantined_by_company.get(company, 0),
                    "data_through_date": through.get(company),
                    "data_docs_page": data_docs_page,
                }
                for company in companies
            ),
        )
        _insert(
            con,
            "quality_expectation_results",
            (
                {
                    **run_fields,
                    "company_id": company,
                    "suite": e.suite,
                    "expectation_type": e.expectation_type,
                    "column_name": e.column_name,
                    "severity": e.severity,
                    "outcome": e.outcome,
                    "outcome_label": OUTCOME_LABELS[e.outcome],
                    "observed_value": e.observed_value,
                    "unexpected_count": e.unexpected_count,
                    "element_count": e.element_count,
                    "notes": e.notes,
                    "data_docs_page": e.data_docs_page,
                }
                for company in companies
                for e in expectations
            ),
        )
        _insert(con, "quality_freshness", ({**run_fields, **row} for row in freshness))
        _insert(con, "quality_input_coverage", ({"run_id": run_id, **row} for row in coverage))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
    log.info(
        "quality history: run %s recorded for %s (%s), %d newly refused file(s) -> %s",
        run_id,
        ", ".join(companies),
        status,
        len(new_refused),
        history_path(settings),
    )
    return RecordedRun(run_id, companies, status, len(new_refused), history_path(settings))


def copy_into(settings: Settings, con: duckdb.DuckDBPyConnection, schema: str = "main") -> dict[str, int]:
    """Copy every history table into `schema` of an open (writable) database; returns row counts.

    Used by publish: the serving file gets the history as of this moment. With no history yet
    (a warehouse published without a gate run, as some tests do) the tables are empty, so the
    dashboards' datasets always find them.
    """
    # Opening the store read-write creates it (or any table a newer version added) first.
    connect(settings).close()
    path = history_path(settings)
    counts: dict[str, int] = {}
    con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as quality_history (read_only)")
    try:
        for table in TABLES:
            con.execute(
                f"create or replace table {schema}.{table} as select * from quality_history.main.{table}"
            )
            counts[table] = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
    finally:
        con.execute("detach quality_history")
    return counts
