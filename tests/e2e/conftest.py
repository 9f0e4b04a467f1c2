"""The end-to-end tests share one pipeline run on the small demo dataset (it takes a few minutes)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from xunpan.config import Settings

REPO = Path(__file__).resolve().parents[2]


@dataclass
class PipelineRun:
    settings: Settings
    business_date: date
    state: str


def _migrate_airflow_db() -> None:
    """dag.test() records its run in Airflow's metadata DB, so the throw-away one must exist."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=dict(os.environ))


def run_daily_dag(business_date: date) -> str:
    """Run the DAG once for `business_date`; return the run's final state."""
    return str(run_daily_dag_with_tasks(business_date)[0])


def run_daily_dag_with_tasks(business_date: date) -> tuple[str, dict[str, str]]:
    """Run the real DAG in-process with dag.test() for one business date; return the run's state.

    The DAG is parsed and serialised into the metadata DB the way `airflow dags test` does it."""
    from airflow.models import TaskInstance
    from airflow.utils.cli import get_bagged_dag
    from airflow.utils.session import create_session

    from xunpan.pipeline import logical_date_for

    dag = get_bagged_dag(None, "xunpan_daily")
    dag_run = dag.test(logical_date=logical_date_for(business_date))
    with create_session() as session:
        rows = session.query(TaskInstance.task_id, TaskInstance.state).filter(
            TaskInstance.dag_id == dag.dag_id, TaskInstance.run_id == dag_run.run_id
        )
        tasks = {task_id: str(state) for task_id, state in rows}
    return str(dag_run.state), tasks


@pytest.fixture(scope="session")
def dag_runner():
    """Runs the daily DAG for a business date: returns (run state, {task_id: state})."""
    return run_daily_dag_with_tasks


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """Generate the small demo dataset into a fresh XUNPAN_HOME and run the daily DAG once."""
    from xunpan.demo import SMALL_END_DATE, generate_small

    home = tmp_path_factory.mktemp("e2e") / "xunpan_home"
    mp = pytest.MonkeyPatch()
    mp.setenv("XUNPAN_HOME", str(home))
    mp.setenv("XUNPAN_REPO", str(REPO))
    settings = Settings.from_env()
    settings.ensure_dirs()
    _migrate_airflow_db()
    generate_small(settings.inbox)
    state = run_daily_dag(SMALL_END_DATE)
    yield PipelineRun(settings, SMALL_END_DATE, state)
    mp.undo()


@pytest.fixture(scope="session")
def pipeline_superset(pipeline_run: PipelineRun):
    """One Superset (web server, report worker and beat) over the pipeline run's home, for every
    e2e test that opens its dashboards: set up and started once, stopped at the end of the session.
    Serving files are read per query (no result cache by default), so a test that publishes again
    sees its new figures on the same server."""
    from recovery_helpers import free_port

    from xunpan.dashboards import setup_superset, start_superset, stop_superset

    settings = pipeline_run.settings
    setup_superset(settings)
    try:
        yield start_superset(settings, port=free_port())
    finally:
        stop_superset(settings)
