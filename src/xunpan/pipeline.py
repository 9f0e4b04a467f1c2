"""The steps of the daily pipeline, callable without Airflow: ingest -> build -> audit -> publish.

The DAG in dags/xunpan_daily.py only wires these together; each returns a small JSON-able
summary (Airflow keeps it as the task's XCom) and appends it to XUNPAN_HOME/logs/runs.jsonl,
which `xunpan status` reads.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from xunpan.config import BUSINESS_TZ, Settings

log = logging.getLogger(__name__)


def business_date_for(logical_date: datetime) -> date:
    """The business day a run loads: the Shanghai calendar day before the run's logical date.

    The DAG fires at 06:00 Asia/Shanghai for the day that just ended, so the 2026-11-23 06:00
    run loads 2026-11-22. Airflow 3's cron timetable gives data_interval_start ==
    data_interval_end == logical_date, so the interval is not used.
    """
    return logical_date.astimezone(BUSINESS_TZ).date() - timedelta(days=1)


def logical_date_for(business_date: date) -> datetime:
    """The inverse of business_date_for: the scheduled 06:00 Shanghai trigger after the day."""
    next_day = business_date + timedelta(days=1)
    return datetime(next_day.year, next_day.month, next_day.day, 6, 0, tzinfo=BUSINESS_TZ)


def record_step(settings: Settings, run_id: str, step: str, outcome: str, details: dict[str, Any]) -> None:
    """Append one step's outcome to the run journal read by `xunpan status`."""
    settings.logs.mkdir(parents=True, exist_ok=True)
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "step": step,
        "outcome": outcome,
        **details,
    }
    with (settings.logs / "runs.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def read_journal(settings: Settings, limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` journal entries, oldest first."""
    path = settings.logs / "runs.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    return [json.loads(line) for line in lines if line.strip()]


# API name -> the connector it configures. Each company's connection is the Airflow connection
# `<api>__<company_id>` (e.g. baidu_search__acme); the bare `<api>` id is the XUNPAN_COMPANY_ID
# company's when it has no `<api>__<company_id>`. A connection that is not defined means that
# company does not pull that API; its data may still arrive as exported files in the inbox.
API_CONNECTIONS = {"baidu_tongji": "BaiduTongjiConnector", "baidu_search": "BaiduSearchAdsConnector"}


def api_connection_ids(settings: Settings) -> list[tuple[str, str, str, str | None]]:
    """(api, company_id, connection id, fallback id) to look up, for XUNPAN_COMPANY_ID and XUNPAN_COMPANIES."""
    from xunpan.landing import validate_company_id

    companies = dict.fromkeys([settings.company_id, *settings.companies])
    wanted = []
    for api in API_CONNECTIONS:
        for company in companies:
            validate_company_id(company)
            fallback = api if company == settings.company_id else None
            wanted.append((api, company, f"{api}__{company}", fallback))
    return wanted


def configured_api_connections(
    settings: Settings, company: str | None = None
) -> list[tuple[str, str, str, Any]]:
    """(api, company_id, connection id, credentials) of every API connection that exists (of `company`)."""
    import xunpan.connectors as connectors

    found = []
    for api, company_id, conn_id, fallback in api_connection_ids(settings):
        if company is not None and company_id != company:
            continue
        for candidate in (conn_id, fallback):
            if candidate is None:
                continue
            try:
                credentials = connectors.credentials_from_connection(candidate)
            except Exception as exc:
                if type(exc).__name__ != "AirflowNotFoundException":
                    raise
                continue
            found.append((api, company_id, candidate, credentials))
            break
    return found


def companies_to_run(settings: Settings) -> list[str]:
    """The companies a run pulls and ingests, each in its own mapped task: XUNPAN_COMPANY_ID, then
    XUNPAN_COMPANIES, then every other company with files waiting in the inbox (inbox/<company>/)."""
    from xunpan.landing import waiting_files

    configured = [settings.company_id, *settings.companies]
    waiting = sorted({company for _, company in waiting_files(settings)} - set(configured))
    return list(dict.fromkeys([*configured, *waiting]))


def step_pull(
    settings: Settings, business_date: date, run_id: str, company: str | None = None
) -> dict[str, Any]:
    """Pull every API connection that exists, each into its company, up to `business_date` (with look-back).

    With `company`, only that company's connections (the DAG pulls each company in its own task).
    """
    from xunpan.landing import ensure_raw_layout

    settings.ensure_dirs()
    ensure_raw_layout(settings)
    wanted = [c for c in api_connection_ids(settings) if company is None or c[1] == company]
    pulled: dict[str, Any] = {f"{api}__{c}": "not configured" for api, c, _, _ in wanted}
    try:
        for api, company_id, conn_id, credentials in configured_api_connections(settings, company):
            pulled[f"{api}__{company_id}"] = _pull_one(
                settings, business_date, api, company_id, conn_id, credentials
            )
    except Exception as exc:
        record_step(settings, run_id, "pull", "failed", {"company_id": company, "error": str(exc)[:2000]})
        raise
    record_step(settings, run_id, "pull", "success", {"company_id": company, "pulled": pulled})
    return pulled


def _pull_one(
    settings: Settings, business_date: date, api: str, company: str, conn_id: str, credentials: Any
) -> dict[str, Any]:
    import xunpan.connectors as connectors

    connector = getattr(connectors, API_CONNECTIONS[api])(credentials, company_id=company)
    result = connector.run(settings, end=business_date)
    log.info("pulled %s rows from %s into company %s (%s)", result.rows, conn_id, company, result.window)
    return {"connection": conn_id, "rows": result.rows, "window": str(result.window)}


def step_ingest(settings: Settings, run_id: str, company: str | None = None) -> dict[str, Any]:
    """Load every unprocessed inbox file (of `company` only, when given) into the raw landing zone."""
    from xunpan.landing import ensure_raw_layout, ingest_inbox

    settings.ensure_dirs()
    ensure_raw_layout(settings)
    try:
        report = ingest_inbox(settings, company=company)
    except Exception as exc:
        record_step(settings, run_id, "ingest", "failed", {"company_id": company, "error": str(exc)[:2000]})
        raise
    summary = {"company_id": company, **report.as_dict()} if company else report.as_dict()
    record_step(settings, run_id, "ingest", "warning" if report.has_warnings else "success", summary)
    return summary


def quarantined_in_run(settings: Settings, run_id: str) -> list[dict[str, Any]]:
    """The files this run's ingest tasks (every company's) sent to quarantine, from the run journal.

    Read from the journal rather than the ingest tasks' XComs: Airflow hands a downstream task one
    company's XCom as a dict but several as a list, and the journal holds the same entries either way.
    """
    return [
        item
        for entry in read_journal(settings, limit=10_000)
        if entry["run_id"] == run_id and entry["step"] == "ingest"
        for item in entry.get("quarantined") or []
    ]


def step_build(
    settings: Settings, run_id: str, business_date: date | None = None, full_refresh: bool = False
) -> dict[str, Any]:
    """Run one `dbt build` over the warehouse (DuckDB has a single writer, so one process).

    With `business_date`, nothing after that day is reported: a day is complete only once it has
    ended, so data of the day in progress (a register exported at noon) moves no data-through date.
    The build is a full refresh when asked (`full_refresh`, a backfill) or when the dbt project or
    the Settings it reads changed since the warehouse was built (xunpan.transform.full_refresh_reason).
    """
    from xunpan.transform import (
        build_inputs,
        dbt_build,
        forget_build_inputs,
        full_refresh_reason,
        record_build_inputs,
    )

    reason = None
    try:
        inputs = build_inputs(settings)
        reason = "asked for" if full_refresh else full_refresh_reason(settings, inputs)
        if reason:
            log.warning("full refresh: every day of the incremental tables is rebuilt, because %s", reason)
            # a refresh that fails part-way leaves some days refreshed and some not: the next
            # build must refresh again, whatever the reason for this one
            forget_build_inputs(settings)
        # the unit tests are the code's, not the data's: make test runs them (dbt_build)
        result = dbt_build(settings, business_date=business_date, unit_tests=False, full_refresh=bool(reason))
        record_build_inputs(settings, inputs)
    except Exception as exc:
        record_step(settings, run_id, "build", "failed", {"error": str(exc)[:2000], "full_refresh": reason})
        raise
    summary = {**result.as_dict(), "full_refresh": reason}
    record_step(settings, run_id, "build", "success", summary)
    return summary


def step_audit(settings: Settings, business_date: date, run_id: str) -> dict[str, Any]:
    """Run the Great Expectations gate; raise GateFailed when it blocks publishing.

    It does not alert by itself: the DAG's failure callback (alert_failed_task) sends the one alert
    of a blocked run, so the gate's failure is not reported twice.
    """
    from xunpan.quality import run_quality_gate

    result = run_quality_gate(settings, business_date, run_id)
    summary = {
        "success": result.success,
        "failures": [str(f) for f in result.failures],
        "warnings": [str(w) for w in result.warnings],
        "data_docs": str(result.data_docs_index),
        # rows of the gated marts, and how many were checked one by one (the changed days)
        "rows": sum(result.row_counts.values()),
        "rows_checked": sum(result.rows_checked.values()),
    }
    log.info("Data Docs for this run: %s", result.data_docs_index)
    if not result.success:
        record_step(settings, run_id, "audit", "failed", summary)
        raise GateFailed(result.summary())
    record_step(settings, run_id, "audit", "warning" if result.warnings else "success", summary)
    return summary


def step_publish(settings: Settings, run_id: str) -> dict[str, Any]:
    """Copy the audited marts into a new serving file and switch dashboards to it atomically."""
    from xunpan.publish import publish

    try:
        result = publish(settings, run_id)
    except Exception as exc:
        record_step(settings, run_id, "publish", "failed", {"error": str(exc)[:2000]})
        raise
    summary = result.as_dict()
    record_step(settings, run_id, "publish", "success", summary)
    return summary


class GateFailed(Exception):
    """The quality gate blocked publishing; the message names the failing expectations."""


def alert_failed_task(context: Any) -> None:
    """The DAG's one alert: its `on_failure_callback` for every task (default_args).

    Airflow calls it once, when a task fails for good: a failed try that will be retried calls
    `on_retry_callback` instead (not set), so retries never multiply alerts, and tasks that never ran
    because an upstream failed call nothing. A blocked publish (the audit's GateFailed) says so in
    the subject, and its body is the gate's summary, whose "- ..." lines become the webhook's
    `failures`. Delivery problems are logged by xunpan.notify and never raise.
    """
    from xunpan.notify import notify_failure

    ti = context["ti"]
    where = ti.task_id
    company = getattr(ti, "rendered_map_index", None)
    if company:
        where += f" [{company}]"
    exception = context.get("exception")
    body = str(exception) if exception else "see the task log"
    if ti.task_id == "audit":
        business_date = business_date_for(context["logical_date"])
        subject = f"xunpan: publish blocked for {business_date} (质量检查未通过)"
    else:
        subject = f"xunpan: run failed at {where} ({context['run_id']})"
    notify_failure(Settings.from_env(), subject, body)
