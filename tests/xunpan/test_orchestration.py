"""`xunpan run` takes the run's state from Airflow's own record (`airflow dags list-runs -o json`)
and the exit status of `airflow dags test`, never from the text of the log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from xunpan.cli import main
from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.orchestration import dag_runs, parse_dag_runs
from xunpan.pipeline import logical_date_for

REPO = Path(__file__).resolve().parents[2]

# What `airflow dags list-runs xunpan_daily -o json` printed (Airflow 3.3): its own warning on
# stdout first, then the runs as one JSON line.
LIST_RUNS_STDOUT = (
    "2026-12-03T13:32:38.216958Z [warning  ] Could not import graphviz. Rendering graph to the "
    "graphical format will not be possible. \n"
    "You might need to install the graphviz package and necessary system packages.\n"
    "Run `pip install graphviz` to attempt to install it. [py.warnings] category=UserWarning "
    "filename=/work/main/.venvs/airflow/lib/python3.11/site-packages/airflow/cli/commands/dag_command.py "
    "lineno=57\n"
    '[{"dag_id": "xunpan_daily", "run_id": "manual__2026-12-03T13:20:35.773620+00:00", '
    '"state": "failed", "run_after": "2026-12-03T13:20:35.773620+00:00", '
    '"logical_date": "2026-01-20T22:00:00+00:00", "start_date": "2026-01-20T22:00:00+00:00", '
    '"end_date": "2026-12-03T13:30:55.627943+00:00"}]\n'
)

# A one-task DAG under the daily DAG's id, so the real `airflow dags test` / `list-runs` run in
# seconds instead of the pipeline's minutes. Its task fails when the test asks it to.
TINY_DAG = """
import os

import pendulum
from airflow.sdk import DAG, task

with DAG(
    "xunpan_daily",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    params={"full_refresh": False},
):

    @task
    def step(**context):
        if os.environ.get("ORCHESTRATION_TEST_FAIL"):
            raise RuntimeError("step failed on purpose")
        print("step done, full_refresh:", context["params"]["full_refresh"])

    step()
"""


def test_the_runs_are_the_json_line_after_airflows_warnings() -> None:
    runs = parse_dag_runs(LIST_RUNS_STDOUT)
    assert [(r["run_id"], r["state"]) for r in runs] == [
        ("manual__2026-12-03T13:20:35.773620+00:00", "failed")
    ]
    # The logical date Airflow prints (UTC) is the business day's 06:00 Shanghai trigger.
    assert dt.datetime.fromisoformat(runs[0]["logical_date"]) == logical_date_for(dt.date(2026, 1, 20))
    assert parse_dag_runs("[warning] nothing to see\n[]\n") == []


def test_output_without_the_json_is_an_error_that_quotes_it() -> None:
    with pytest.raises(XunpanError, match=r"printed no JSON list:\n.*DAG: xunpan_daily does not exist"):
        parse_dag_runs("DAG: xunpan_daily does not exist in 'dag' table\n")


@pytest.fixture
def tiny_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An installation whose dags/ holds only the one-task DAG; the environments are the real ones."""
    repo = tmp_path / "repo"
    (repo / "dags").mkdir(parents=True)
    (repo / "dags" / "xunpan_daily.py").write_text(TINY_DAG, encoding="utf-8")
    monkeypatch.setenv("XUNPAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XUNPAN_REPO", str(repo))
    monkeypatch.setenv("XUNPAN_VENVS", str(REPO / ".venvs"))
    monkeypatch.delenv("ORCHESTRATION_TEST_FAIL", raising=False)
    return Settings.from_env()


@pytest.mark.slow
def test_xunpan_run_reports_airflows_state_of_the_run(tiny_repo: Settings, monkeypatch) -> None:
    day = dt.date(2026, 1, 20)
    runner = CliRunner()

    ok = runner.invoke(main, ["run", "--date", day.isoformat(), "--quiet"])
    assert ok.exit_code == 0, ok.output
    first = dag_runs(tiny_repo, logical_date_for(day))
    assert [r["state"] for r in first] == ["success"]
    assert f"xunpan_daily for 2026-01-20: success (run {first[0]['run_id']})" in ok.output
    log = tiny_repo.logs / "run-2026-01-20.log"
    assert f"log: {log}" in ok.output and "step done, full_refresh: False" in log.read_text(encoding="utf-8")

    # --full-refresh reaches the run's params (the daily DAG's build task reads it).
    refreshed = runner.invoke(main, ["run", "--date", day.isoformat(), "--quiet", "--full-refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "step done, full_refresh: True" in log.read_text(encoding="utf-8")

    monkeypatch.setenv("ORCHESTRATION_TEST_FAIL", "1")
    failed = runner.invoke(main, ["run", "--date", day.isoformat(), "--quiet"])
    assert failed.exit_code == 1, failed.output
    newest = dag_runs(tiny_repo, logical_date_for(day))[0]
    assert newest["state"] == "failed"
    assert f"xunpan_daily for 2026-01-20: failed (run {newest['run_id']})" in failed.output
    assert "step failed on purpose" in log.read_text(encoding="utf-8")

    # A DAG file that does not import: Airflow records no run, and the exit status says it failed.
    (tiny_repo.repo / "dags" / "xunpan_daily.py").write_text(
        "from airflow.sdk import DAG\nraise ImportError('broken dag file')\n", encoding="utf-8"
    )
    broken = runner.invoke(main, ["run", "--date", "2026-01-21", "--quiet"])
    assert broken.exit_code == 1, broken.output
    assert "xunpan_daily for 2026-01-21: failed (run None)" in broken.output
    assert "broken dag file" in (tiny_repo.logs / "run-2026-01-21.log").read_text(encoding="utf-8")
