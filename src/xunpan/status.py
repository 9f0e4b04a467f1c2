"""What `xunpan status` reports: recent runs, the published serving file, the inbox."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from xunpan.config import Settings
from xunpan.pipeline import read_journal


def collect_status(settings: Settings) -> dict[str, Any]:
    """Gather the status as plain data (also what `--json` prints)."""
    from xunpan.publish import current_publication

    journal = read_journal(settings, limit=200)
    runs = []
    for run_id, steps in groupby(journal, key=lambda entry: entry["run_id"]):
        steps = list(steps)
        # Airflow retries a failed task, and each attempt writes an entry: a step's outcome for
        # one company is its last attempt's. A run pulls and ingests each company in its own
        # task: a step is as bad as its worst company (one company's failed pull must not hide
        # behind another's success).
        last = list({(s["step"], s.get("company_id")): s for s in steps}.values())
        outcomes: dict[str, str] = {}
        for entry in last:
            before = outcomes.get(entry["step"])
            if before is None or _SEVERITY.get(entry["outcome"], 1) > _SEVERITY.get(before, 1):
                outcomes[entry["step"]] = entry["outcome"]
        audit = next((s for s in steps if s["step"] == "audit"), {})
        runs.append(
            {
                "run_id": run_id,
                "started": steps[0]["at"],
                "steps": outcomes,
                "outcome": _overall(outcomes),
                "data_docs": audit.get("data_docs"),
                "failures": [e for e in map(_step_error, last) if e] + audit.get("failures", []),
                "warnings": audit.get("warnings", []),
            }
        )
    publication = current_publication(settings)
    return {
        "xunpan_home": str(settings.home),
        "warehouse": str(settings.warehouse),
        "serving_database": str(settings.serving_current.resolve()) if publication else None,
        "serving_link": str(settings.serving_current),
        "published": publication,
        "runs": runs[-10:],
        "inbox": _inbox(settings),
    }


_SEVERITY = {"success": 0, "warning": 1, "failed": 2}


def _error_text(entry: dict[str, Any]) -> str | None:
    """What a failed step said (the journal keeps its exception's first 2,000 characters)."""
    error = entry.get("error")
    if entry["outcome"] != "failed" or not isinstance(error, str):
        return None
    return error.strip() or "(no message)"


def _step_error(entry: dict[str, Any]) -> str | None:
    """A failed step's error in one line (its first), with the step and the company it ran for."""
    text = _error_text(entry)
    if text is None:
        return None
    company = f" [{entry['company_id']}]" if entry.get("company_id") else ""
    return f"{entry['step']}{company}: {text.splitlines()[0][:300]}"


def _overall(outcomes: dict[str, str]) -> str:
    if "failed" in outcomes.values():
        return "failed"
    if outcomes.get("publish") == "success":
        return "warning" if "warning" in outcomes.values() else "published"
    return "incomplete"


def _inbox(settings: Settings) -> dict[str, Any]:
    from xunpan.inbox_view import inbox_overview

    return inbox_overview(settings)


def format_status(report: dict[str, Any]) -> str:
    """Human-readable status."""
    lines = [f"XUNPAN_HOME: {report['xunpan_home']}"]
    published = report["published"]
    if published:
        lines.append(f"Published (已发布): run {published.get('run_id')} at {published.get('published_at')}")
        lines.append(f"  serving database: {report['serving_database']}")
    else:
        lines.append("Published (已发布): nothing yet — run `xunpan run` or `make demo`")
    lines.append("Recent runs (最近运行):")
    if not report["runs"]:
        lines.append("  none")
    for run in reversed(report["runs"]):
        steps = " ".join(f"{k}={v}" for k, v in run["steps"].items())
        lines.append(f"  {run['started']}  {run['outcome']:10} {run['run_id']}  [{steps}]")
        if run.get("data_docs"):
            lines.append(f"      data docs: {run['data_docs']}")
        for failure in run.get("failures", [])[:5]:
            lines.append(f"      failed: {failure}")
        # Warnings never block publishing (FX age, platform-vs-register inquiry gaps) but need a look.
        for warning in run.get("warnings", [])[:5]:
            lines.append(f"      warning: {warning}")
    inbox = report["inbox"]
    counts = {key: len(value) for key, value in inbox.items() if isinstance(value, list)}
    lines.append("Inbox (收件箱): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)


def describe_steps(settings: Settings, run_id: str | None) -> list[str]:
    """One line per pipeline step of `run_id`, from the run journal: what it did, in numbers."""
    lines = []
    for entry in read_journal(settings, limit=200):
        if entry["run_id"] != run_id:
            continue
        step, outcome = entry["step"], entry["outcome"]
        error = _error_text(entry)
        if error:
            detail = error
        elif step == "ingest":
            detail = (
                f"{len(entry.get('loaded', []))} file(s) loaded, {len(entry.get('duplicates', []))} already loaded, "
                f"{len(entry.get('quarantined', []))} quarantined"
            )
        elif step == "build":
            detail = (
                f"dbt: {entry.get('pass')} passed, {entry.get('warn')} warned, {entry.get('error')} errors"
            )
            if entry.get("full_refresh"):
                detail += f"; full refresh because {entry['full_refresh']}"
        elif step == "audit":
            checked = (
                f"; {entry['rows_checked']:,} of {entry['rows']:,} rows checked one by one"
                if entry.get("rows") is not None
                else ""
            )
            detail = (
                f"{len(entry.get('failures', []))} blocking failure(s), "
                f"{len(entry.get('warnings', []))} warning(s){checked}; data docs: {entry.get('data_docs')}"
            )
        elif step == "publish":
            detail = f"serving file {entry.get('path')}"
        else:
            detail = ", ".join(f"{k}: {v}" for k, v in (entry.get("pulled") or {}).items())
        company = f"[{entry['company_id']}] " if entry.get("company_id") else ""
        lines.append(f"  {step:8} {outcome:8} {company}{detail}")
    return lines
