"""One alert per failed run, whichever step fails, and companies that do not hold each other back.

The real DAG runs in-process with dag.test() (as `xunpan run` does with `airflow dags test`) on a copy
of one prepared XUNPAN_HOME (the small demo, already ingested). Each fault is a real input or setting:
a broken Airflow connection, a corrupt landing manifest, a corrupt warehouse file, a run date whose
data is stale, a serving folder nothing can be written to. Alerts go to a local webhook
(pytest-httpserver), which counts them.

The DAG's retries stay on (two retries per step) so the test proves they do not multiply alerts; only
their delay is cut to a second, on the parsed DAG, so three tries fit in the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from xunpan.config import Settings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "inputs"
DAG_ID = "xunpan_daily"


@dataclass
class Run:
    state: str
    # task_id -> {company or "": (state, try_number)}; unmapped tasks under ""
    tasks: dict[str, dict[str, tuple[str, int]]]

    def state_of(self, task_id: str, company: str = "") -> str:
        return self.tasks[task_id][company][0]

    def tries_of(self, task_id: str, company: str = "") -> int:
        return self.tasks[task_id][company][1]


@pytest.fixture(scope="module")
def prepared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo, ingested once, and a migrated Airflow metadata DB; each test runs on a copy."""
    from xunpan.demo import generate_small
    from xunpan.pipeline import step_ingest

    home = tmp_path_factory.mktemp("alerts") / "prepared"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XUNPAN_HOME", str(home))
        mp.setenv("XUNPAN_REPO", str(REPO))
        settings = Settings.from_env()
        settings.ensure_dirs()
        generate_small(settings.inbox)
        step_ingest(settings, "prepare")
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=dict(os.environ))
    return home


@pytest.fixture
def home(prepared_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    copy = tmp_path / "home"
    shutil.copytree(prepared_home, copy, symlinks=True)
    monkeypatch.setenv("XUNPAN_HOME", str(copy))
    monkeypatch.setenv("XUNPAN_REPO", str(REPO))
    for name in ("XUNPAN_COMPANY_ID", "XUNPAN_COMPANIES", "XUNPAN_ALERT_EMAIL_TO"):
        monkeypatch.delenv(name, raising=False)
    return Settings.from_env()


@pytest.fixture
def alerts(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict]]:
    """The webhook receiver: returns a function listing the alerts received so far."""
    httpserver.expect_request("/alerts", method="POST").respond_with_data("ok")
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", httpserver.url_for("/alerts"))
    # A plain-http receiver on loopback, which alerts refuse unless allowed.
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return lambda: [json.loads(request.get_data()) for request, _ in httpserver.log]


def run_dag(business_date: date) -> Run:
    """Run the real DAG once for `business_date` with dag.test(); retry delays cut to a second.

    Mapped task instances are keyed by their company (map index i is the i-th of companies_to_run)."""
    from airflow.models import TaskInstance
    from airflow.utils.cli import get_bagged_dag
    from airflow.utils.session import create_session

    from xunpan.pipeline import companies_to_run, logical_date_for

    companies = companies_to_run(Settings.from_env())
    dag = get_bagged_dag(None, DAG_ID)
    for task in dag.tasks:
        task.retry_delay = timedelta(seconds=1)
        task.max_retry_delay = timedelta(seconds=2)
    dag_run = dag.test(logical_date=logical_date_for(business_date))
    tasks: dict[str, dict[str, tuple[str, int]]] = {}
    with create_session() as session:
        rows = session.query(TaskInstance).filter(
            TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == dag_run.run_id
        )
        for ti in rows:
            key = companies[ti.map_index] if ti.map_index >= 0 else ""
            tasks.setdefault(ti.task_id, {})[key] = (str(ti.state), ti.try_number)
    return Run(str(dag_run.state), tasks)


# --- the faults, one per step -------------------------------------------------------------------
def broken_connection(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> date:
    """The company's Baidu search connection names a report type that is not a number."""
    from xunpan.demo import SMALL_END_DATE

    connection = {"conn_type": "http", "login": "hengtong", "password": "pw", "extra": {"report_type": "kw"}}
    monkeypatch.setenv("AIRFLOW_CONN_BAIDU_SEARCH", json.dumps(connection))
    return SMALL_END_DATE


def corrupt_manifest(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> date:
    """The landing manifest ends in a line cut short (a disk that filled up mid-write)."""
    from xunpan.demo import SMALL_END_DATE

    with settings.manifest.open("a", encoding="utf-8") as handle:
        handle.write('{"file": "baidu_keyword_2026')
    return SMALL_END_DATE


def corrupt_warehouse(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> date:
    """The warehouse file is not a DuckDB database, so dbt cannot open it."""
    from xunpan.demo import SMALL_END_DATE

    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse.write_bytes(b"this is not a duckdb file\n" * 64)
    return SMALL_END_DATE


def stale_data(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> date:
    """A run 30 days after the newest data: the gate's freshness expectations fail."""
    from xunpan.demo import SMALL_END_DATE

    return SMALL_END_DATE + timedelta(days=30)


def unwritable_serving(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> date:
    """Nothing can be written in the serving folder (immutable for root, read-only otherwise)."""
    from xunpan.demo import SMALL_END_DATE

    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    _set_writable(settings.serving_dir, False)
    return SMALL_END_DATE


def _set_writable(folder: Path, writable: bool) -> None:
    if os.geteuid() == 0:
        # Permission bits do not stop root; the immutable attribute does (ext4, xfs, btrfs).
        subprocess.run(["chattr", "-i" if writable else "+i", str(folder)], check=True)
    else:
        folder.chmod(0o755 if writable else 0o555)


@contextlib.contextmanager
def writable_again(settings: Settings) -> Iterator[None]:
    try:
        yield
    finally:
        if settings.serving_dir.exists():
            _set_writable(settings.serving_dir, True)


# step -> (fault, tries of the failing task: retried steps fail three times, the gate once)
FAULTS = {
    "pull_apis": (broken_connection, 3),
    "ingest": (corrupt_manifest, 3),
    "build": (corrupt_warehouse, 3),
    "audit": (stale_data, 1),
    "publish": (unwritable_serving, 3),
}
DOWNSTREAM = ["pull_apis", "ingest", "build", "audit", "publish", "report_rejected_files"]


@pytest.mark.parametrize("step", list(FAULTS))
def test_a_failed_step_sends_exactly_one_alert(
    step: str, home: Settings, alerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault, tries = FAULTS[step]
    business_date = fault(home, monkeypatch)
    with writable_again(home):
        run = run_dag(business_date)

    assert run.state == "failed", run.tasks
    # The default company is the only one; mapped steps are keyed by it.
    company = home.company_id
    keyed = {"pull_apis": company, "ingest": company}
    assert run.state_of(step, keyed.get(step, "")) == "failed", run.tasks
    assert run.tries_of(step, keyed.get(step, "")) == tries, run.tasks
    # Every step before it succeeded, every step after it never ran.
    for before in DOWNSTREAM[: DOWNSTREAM.index(step)]:
        assert run.state_of(before, keyed.get(before, "")) == "success", run.tasks
    for after in DOWNSTREAM[DOWNSTREAM.index(step) + 1 :]:
        assert run.state_of(after, keyed.get(after, "")) == "upstream_failed", run.tasks

    received = alerts()
    assert len(received) == 1, [a["subject"] for a in received]
    alert = received[0]
    if step == "audit":
        assert alert["subject"] == f"xunpan: publish blocked for {business_date} (质量检查未通过)"
        # One line per failing expectation of the gate's own report (freshness, on stale data).
        from xunpan.quality import last_gate

        report = last_gate(home)
        assert report["success"] is False and report["failures"]
        assert len(alert["failures"]) == len(report["failures"]), (alert["failures"], report["failures"])
    else:
        where = f"{step} [{company}]" if step in keyed else step
        assert alert["subject"].startswith(f"xunpan: run failed at {where} ("), alert["subject"]
        assert alert["text"] and alert["text"] != "see the task log"
    assert alert["company_id"] == company


def test_one_companys_bad_file_does_not_hold_back_another(
    home: Settings, alerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two more companies in the inbox: north's file loads and is published, south's is quarantined."""
    from xunpan.demo import SMALL_END_DATE

    (home.inbox / "north").mkdir(parents=True)
    shutil.copy(FIXTURES / "baidu_account_202601.csv", home.inbox / "north" / "baidu_account_202601.csv")
    (home.inbox / "south").mkdir(parents=True)
    shutil.copy(FIXTURES / "bad" / "negative_cost.csv", home.inbox / "south" / "negative_cost.csv")

    run = run_dag(SMALL_END_DATE)

    # One pull and one ingest task instance per company, each on its own.
    assert set(run.tasks["ingest"]) == {home.company_id, "north", "south"}, run.tasks
    assert set(run.tasks["pull_apis"]) == {home.company_id, "north", "south"}, run.tasks
    assert run.state_of("ingest", "north") == "success"
    assert run.state_of("ingest", "south") == "success"  # the bad file went to quarantine
    assert run.state_of("publish") == "success"
    assert run.state_of("report_rejected_files") == "failed"
    assert run.state == "failed"
    assert (home.quarantine / "negative_cost.csv.reason.json").exists()

    # north's spend is published: its landed rows up to the business date, to the cent.
    with duckdb.connect(str(home.serving_current), read_only=True) as con:
        (published,) = con.execute(
            "select sum(spend_variable_cny) from mart_channel_cost_per_inquiry where company_id = 'north'"
        ).fetchone()
        (landed,) = con.execute(
            f"""select sum(cost) from read_parquet('{home.raw}/ad_spend/*.parquet', union_by_name = true)
                where company_id = 'north' and spend_date <= ?""",
            [SMALL_END_DATE],
        ).fetchone()
    assert landed is not None and landed > 0
    assert published == landed

    received = alerts()
    assert len(received) == 1, [a["subject"] for a in received]
    assert received[0]["subject"].startswith("xunpan: run failed at report_rejected_files (")
    assert "negative_cost.csv" in received[0]["text"]
