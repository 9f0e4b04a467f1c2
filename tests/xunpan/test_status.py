"""`xunpan status` against a real installation: a published serving file, the run journal the
pipeline's steps write, and the inbox."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from gate_warehouse import RUN_DATE, build_warehouse

from xunpan.cli import main
from xunpan.config import Settings
from xunpan.pipeline import record_step, step_audit, step_ingest, step_publish
from xunpan.status import describe_steps

RUN_ID = "manual__2026-03-11T06:00:00+08:00"


@pytest.fixture
def published(settings: Settings) -> Settings:
    """One run's ingest (empty inbox), audit and publish, done by the pipeline's own steps on a
    small warehouse whose marts pass the gate (tests/xunpan/quality/gate_warehouse.py)."""
    build_warehouse(settings.warehouse)
    step_ingest(settings, RUN_ID)
    step_audit(settings, RUN_DATE, RUN_ID)
    step_publish(settings, RUN_ID)
    return settings


def test_nothing_published_yet(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 0, result.output
    assert f"XUNPAN_HOME: {settings.home}" in result.output
    assert "Published (已发布): nothing yet — run `xunpan run` or `make demo`" in result.output
    assert "Recent runs (最近运行):\n  none" in result.output
    assert "Inbox (收件箱): waiting 0" in result.output


def test_status_names_the_published_file_the_run_and_its_figures(published: Settings) -> None:
    settings = published
    serving = settings.serving_current.resolve()
    assert serving.is_file() and serving.name.startswith("serving-")

    text = CliRunner().invoke(main, ["status"])
    assert text.exit_code == 0, text.output
    assert f"Published (已发布): run {RUN_ID} at " in text.output
    assert f"  serving database: {serving}" in text.output
    run_line = next(line for line in text.output.splitlines() if RUN_ID in line and "[" in line)
    assert "published" in run_line
    assert "ingest=success audit=success publish=success" in run_line
    assert f"data docs: {settings.quality_dir / 'data_docs'}" in text.output

    as_json = CliRunner().invoke(main, ["status", "--json"])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.output)
    assert report["serving_database"] == str(serving)
    assert report["published"]["run_id"] == RUN_ID
    # The hand-made warehouse holds 80 inquiries (40 days x 2); the serving file carries them all.
    assert report["published"]["tables"]["fct_inquiries"]["rows"] == 80
    assert [run["outcome"] for run in report["runs"]] == ["published"]
    assert report["runs"][0]["failures"] == []

    # What `xunpan run` prints under the outcome (same journal): one line per step, in numbers.
    lines = describe_steps(published, RUN_ID)
    assert [line.split()[:2] for line in lines] == [
        ["ingest", "success"],
        ["audit", "success"],
        ["publish", "success"],
    ]
    assert "0 file(s) loaded, 0 already loaded, 0 quarantined" in lines[0]
    assert "0 blocking failure(s), 0 warning(s); 298 of 298 rows checked one by one; data docs: " in lines[1]
    assert f"serving file {published.serving_current.resolve()}" in lines[2]
    assert describe_steps(published, "some other run") == []


def test_one_companys_failed_pull_fails_the_run_and_says_why(settings: Settings) -> None:
    """The DAG pulls each company in its own task: acme's pull fails, beta's succeeds after it.
    The run is failed, its pull step too, and both the status and the step lines say why."""
    run_id = "manual__2026-03-12T06:00:00+08:00"
    error = "Baidu API 401: token expired for account acme-bd\nTraceback (most recent call last): ..."
    record_step(settings, run_id, "pull", "failed", {"company_id": "acme", "error": error})
    record_step(settings, run_id, "pull", "success", {"company_id": "beta", "pulled": {}})
    record_step(settings, run_id, "ingest", "success", {"company_id": "beta", "loaded": [{"file": "x.csv"}]})

    (run,) = [r for r in json.loads(CliRunner().invoke(main, ["status", "--json"]).output)["runs"]]
    assert run["steps"] == {"pull": "failed", "ingest": "success"}
    assert run["outcome"] == "failed"
    assert run["failures"] == ["pull [acme]: Baidu API 401: token expired for account acme-bd"]
    text = CliRunner().invoke(main, ["status"]).output
    assert "failed: pull [acme]: Baidu API 401: token expired for account acme-bd" in text

    # `xunpan run` prints each step with the whole error it recorded
    lines = describe_steps(settings, run_id)
    assert lines[0].split()[:3] == ["pull", "failed", "[acme]"]
    assert "Baidu API 401: token expired for account acme-bd\nTraceback" in lines[0]
    assert lines[2].split()[:3] == ["ingest", "success", "[beta]"]
    assert "1 file(s) loaded" in lines[2]


def test_a_failed_attempt_that_airflow_retried_successfully_is_not_a_failure(settings: Settings) -> None:
    """Airflow retries a failed task (retries=2): the first attempt's entry says failed, the retry's
    success. The run published, and its failures are empty."""
    run_id = "scheduled__2026-03-12T22:00:00+00:00"
    record_step(settings, run_id, "pull", "failed", {"company_id": "acme", "error": "read timed out"})
    record_step(settings, run_id, "pull", "success", {"company_id": "acme", "pulled": {}})
    record_step(settings, run_id, "build", "failed", {"error": "database is locked"})
    record_step(settings, run_id, "build", "success", {"pass": 300, "warn": 0, "error": 0})
    record_step(settings, run_id, "publish", "success", {"path": "serving.duckdb"})

    (run,) = json.loads(CliRunner().invoke(main, ["status", "--json"]).output)["runs"]
    assert run["steps"] == {"pull": "success", "build": "success", "publish": "success"}
    assert (run["outcome"], run["failures"]) == ("published", [])
    # the step lines still show every attempt, the failed one with its error
    lines = describe_steps(settings, run_id)
    assert [line.split()[:2] for line in lines] == [
        ["pull", "failed"],
        ["pull", "success"],
        ["build", "failed"],
        ["build", "success"],
        ["publish", "success"],
    ]
    assert lines[2].endswith("database is locked") and "dbt: 300 passed, 0 warned, 0 errors" in lines[3]


def test_the_build_line_says_why_it_was_a_full_refresh(settings: Settings) -> None:
    record_step(
        settings,
        "manual__refresh",
        "build",
        "success",
        {"pass": 3, "warn": 0, "error": 0, "full_refresh": "the dbt project changed (seeds/channels.csv)"},
    )
    assert describe_steps(settings, "manual__refresh") == [
        "  build    success  dbt: 3 passed, 0 warned, 0 errors; full refresh because the dbt project "
        "changed (seeds/channels.csv)"
    ]
