"""The daily DAG runs under the CeleryExecutor (issue 12, acceptance 4), as the compose stack runs it.

Real components only: Airflow's API server, DAG processor and scheduler, and a Celery worker,
each its own process, against the local Redis (broker) and PostgreSQL (metadata and Celery
results). The test gets its own Postgres database and its own Celery queue, so it shares nothing
with another test or the demo. One DAG run of the real `xunpan_daily` over the small demo
dataset must succeed, every task must have run on the worker, and the task log must name the
worker's host.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from xunpan.config import Settings
from xunpan.demo import SMALL_END_DATE, generate_small
from xunpan.orchestration import DAG_ID, airflow_bin, airflow_env, ensure_airflow_db
from xunpan.pipeline import logical_date_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
PG = "postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
RUN_TIMEOUT_S = 1800


def _psql(sql: str) -> None:
    subprocess.run(
        [shutil.which("psql") or "psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qAtc", sql],
        check=True,
        capture_output=True,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def celery_installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """An installation whose Airflow uses the CeleryExecutor on its own Postgres database and queue."""
    tag = uuid.uuid4().hex[:12]
    database = f"xunpan_celery_{tag}"
    _psql(f"create database {database}")
    port = _free_port()
    env = {
        "XUNPAN_HOME": str(tmp_path / "home"),
        "XUNPAN_REPO": os.environ.get("XUNPAN_REPO") or str(REPO),
        "XUNPAN_AIRFLOW_PORT": str(port),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{PG}/{database}",
        "AIRFLOW__CELERY__BROKER_URL": REDIS,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{PG}/{database}",
        # this test's own queue: no other worker on the broker takes its tasks
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"xunpan-test-{tag}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # a test machine shared by several jobs answers slowly: the worker's task processes wait
        # longer for the API server before they give up on a heartbeat (default 5 s, 3 misses)
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
        "AIRFLOW__WORKERS__MAX_FAILED_HEARTBEATS": "10",
        # only the run this test triggers: no scheduled run once the DAG is unpaused
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    settings.ensure_dirs()
    generate_small(settings.inbox)
    try:
        yield settings
    finally:
        _psql(f"drop database if exists {database} with (force)")
        import redis

        broker = redis.Redis.from_url(REDIS)
        leftovers = list(broker.scan_iter(match=f"*{env['AIRFLOW__OPERATORS__DEFAULT_QUEUE']}*"))
        if leftovers:
            broker.delete(*leftovers)


def _airflow_json(settings: Settings, *args: str) -> object:
    done = subprocess.run(
        [airflow_bin(settings), *args, "-o", "json"],
        env=airflow_env(settings),
        capture_output=True,
        text=True,
        check=True,
    )
    # Airflow prints its warnings on stdout too ("[warning  ] ..."); the JSON is the last line that parses.
    lines = done.stdout.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("["):
            try:
                return json.loads("\n".join(lines[i:]))
            except json.JSONDecodeError:
                continue
    return []


def _start(settings: Settings, name: str, args: list[str], extra_env: dict[str, str] | None = None):
    log = (settings.logs / f"celery-test-{name}.log").open("w")
    env = {**airflow_env(settings), **(extra_env or {})}
    return subprocess.Popen(
        [airflow_bin(settings), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    ), log


def test_daily_dag_runs_on_a_celery_worker(celery_installation: Settings, tmp_path: Path):
    settings = celery_installation
    ensure_airflow_db(settings)
    worker_host = f"xunpan-celery-{uuid.uuid4().hex[:8]}"
    # The worker names its host this way (Airflow's hostname_callable, in the worker only), so the
    # name in the task log can only come from the worker process.
    (tmp_path / "worker_hostname.py").write_text(f"def hostname():\n    return {worker_host!r}\n")
    port = os.environ["XUNPAN_AIRFLOW_PORT"]
    queue = os.environ["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]
    started = []
    try:
        for name, args, extra in (
            ("api-server", ["api-server", "--host", "127.0.0.1", "--port", port], None),
            ("dag-processor", ["dag-processor"], None),
            ("scheduler", ["scheduler", "--skip-serve-logs"], None),
            (
                "worker",
                [
                    "celery",
                    "worker",
                    "--queues",
                    queue,
                    "--concurrency",
                    "1",
                    "--skip-serve-logs",
                    "--celery-hostname",
                    f"{worker_host}@%h",
                ],
                {
                    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_hostname.hostname",
                    "PYTHONPATH": os.pathsep.join(
                        filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])
                    ),
                },
            ),
        ):
            started.append(_start(settings, name, args, extra))

        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not any(d.get("dag_id") == DAG_ID for d in _airflow_json(settings, "dags", "list")):
            assert time.monotonic() < deadline, "the DAG processor never serialised xunpan_daily"
            time.sleep(5)
        logical = logical_date_for(SMALL_END_DATE).isoformat()
        run_id = f"celery-test-{uuid.uuid4().hex[:8]}"
        for args in (
            ["dags", "trigger", DAG_ID, "--logical-date", logical, "--run-id", run_id],
            # The DAG starts paused (as in the demo), and a paused DAG's runs are not scheduled.
            ["dags", "unpause", DAG_ID],
        ):
            subprocess.run(
                [airflow_bin(settings), *args], env=airflow_env(settings), check=True, capture_output=True
            )
        state = None
        while state not in ("success", "failed"):
            assert time.monotonic() < deadline, f"the DAG run did not finish; last state {state}"
            time.sleep(10)
            runs = _airflow_json(settings, "dags", "list-runs", DAG_ID)
            state = next((r["state"] for r in runs if r.get("run_id") == run_id), None)
            for process, _ in started:
                assert process.poll() is None, "an Airflow component exited; see logs/celery-test-*.log"
        assert state == "success", _task_logs(settings, run_id)
    finally:
        for process, _log in started:
            process.terminate()
        for process, log in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    tasks = {
        t["task_id"]: t["state"]
        for t in _airflow_json(settings, "tasks", "states-for-dag-run", DAG_ID, run_id)
    }
    assert tasks and set(tasks.values()) == {"success"}, tasks
    logs = _task_logs(settings, run_id)
    assert set(logs) == set(tasks)
    # Airflow's task runner logs the task instance, with the host it runs on, when a task hands its
    # result on (every pipeline step does; the last check returns nothing)
    for task_id in ("pull_apis", "ingest", "build", "audit", "publish"):
        assert f"hostname='{worker_host}'" in logs[task_id], (
            f"{task_id}'s log does not name the worker's host"
        )
    assert settings.serving_current.exists()


def _task_logs(settings: Settings, run_id: str) -> dict[str, str]:
    """task_id -> the text of its attempts' log files (a mapped task's are under map_index=<i>/)."""
    folder = settings.logs / "airflow" / f"dag_id={DAG_ID}" / f"run_id={run_id}"
    logs: dict[str, str] = {}
    for path in sorted(folder.glob("task_id=*/**/attempt=*.log")):
        task_id = path.relative_to(folder).parts[0].removeprefix("task_id=")
        logs[task_id] = logs.get(task_id, "") + path.read_text(encoding="utf-8", errors="replace")
    return logs
