"""DAG integrity: it imports, and its schedule, retries, pools and task graph are what the docs say."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from airflow.dag_processing.dagbag import DagBag

from xunpan.pipeline import business_date_for, logical_date_for

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(REPO / "dags"))


def test_dags_import_without_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == ["xunpan_daily"]


def test_every_dag_file_is_named_after_its_dag(dagbag: DagBag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.fileloc.endswith(f"/{dag_id}.py")


def test_daily_dag_settings(dagbag: DagBag) -> None:
    dag = dagbag.dags["xunpan_daily"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert set(dag.tags) == {"xunpan", "warehouse"}
    assert dag.doc_md and "xunpan_daily" in dag.doc_md
    assert dag.timetable.summary == "0 6 * * *"
    # The retries promised in the architecture: every task retries except the gate and the report,
    # where a retry cannot fix bad data.
    retries = {task.task_id: task.retries for task in dag.tasks}
    assert retries == {
        "companies": 2,
        "pull_apis": 2,
        "ingest": 2,
        "build": 2,
        "audit": 0,
        "publish": 2,
        "report_rejected_files": 0,
    }
    # DuckDB has one writer: the steps that write the warehouse or the serving file share the one-slot
    # pool; pulls and ingests write the raw landing zone (behind landing's own lock) and run side by side.
    pools = {task.task_id: task.pool for task in dag.tasks}
    assert pools["build"] == pools["publish"] == "xunpan_warehouse"
    assert pools["pull_apis"] == pools["ingest"] == "default_pool"


def test_every_task_alerts_through_the_one_failure_callback(dagbag: DagBag) -> None:
    """One callback for every task, on final failure only: no retry callback, no task of its own."""
    from xunpan.pipeline import alert_failed_task

    dag = dagbag.dags["xunpan_daily"]
    for task in dag.tasks:
        assert task.on_failure_callback == [alert_failed_task], task.task_id
        assert not task.on_retry_callback, task.task_id
    assert not dag.on_failure_callback


def test_companies_are_mapped_and_the_build_waits_for_all_of_them(dagbag: DagBag) -> None:
    from airflow.sdk import TriggerRule

    dag = dagbag.dags["xunpan_daily"]
    group = dag.task_dict["ingest"].task_group
    assert dag.task_dict["pull_apis"].task_group is group
    assert (
        type(group).__name__ == "MappedTaskGroup"
    )  # one pull and one ingest per company, ingest[i] waiting for pull[i] only
    # A company whose ingest failed keeps its last published data; the others are built.
    assert dag.task_dict["build"].trigger_rule == TriggerRule.ALL_DONE_MIN_ONE_SUCCESS


def test_task_graph(dagbag: DagBag) -> None:
    dag = dagbag.dags["xunpan_daily"]
    downstream = {task.task_id: sorted(task.downstream_task_ids) for task in dag.tasks}
    assert downstream == {
        "companies": ["ingest", "pull_apis"],
        "pull_apis": ["ingest"],
        "ingest": ["build", "report_rejected_files"],
        "build": ["audit"],
        "audit": ["publish"],
        "publish": ["report_rejected_files"],
        "report_rejected_files": [],
    }


def test_next_scheduled_run_is_six_in_the_morning_shanghai(dagbag: DagBag) -> None:
    dag = dagbag.dags["xunpan_daily"]
    after = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    info = dag.timetable.next_dagrun_info(last_automated_data_interval=None, restriction=_restriction(after))
    assert info is not None
    assert info.logical_date == datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # Airflow 3's cron timetable has an empty interval; the business date comes from the logical date.
    assert info.data_interval.start == info.data_interval.end == info.logical_date
    assert business_date_for(info.logical_date) == date(2026, 11, 22)


def _restriction(earliest: datetime):
    from airflow.timetables.base import TimeRestriction

    # catchup=True here only so the answer does not depend on today's date (with catchup=False the
    # timetable starts from "now").
    return TimeRestriction(earliest=earliest, latest=None, catchup=True)


@pytest.mark.parametrize(
    ("logical", "business"),
    [
        (datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai")), date(2026, 11, 22)),
        # 22:00 UTC on the 22nd is 06:00 on the 23rd in Shanghai.
        (datetime(2026, 11, 22, 22, 0, tzinfo=ZoneInfo("UTC")), date(2026, 11, 22)),
        (datetime(2028, 3, 1, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai")), date(2028, 2, 29)),
    ],
)
def test_business_date_mapping(logical: datetime, business: date) -> None:
    assert business_date_for(logical) == business
    assert business_date_for(logical_date_for(business)) == business


def test_a_run_can_ask_for_a_full_refresh(dagbag: DagBag) -> None:
    # `xunpan run --full-refresh` and a trigger with config {"full_refresh": true} set this param;
    # a scheduled run keeps the default and rebuilds only the days with new files.
    param = dagbag.dags["xunpan_daily"].params.get_param("full_refresh")
    assert param.value is False
    assert param.schema["type"] == "boolean"
