"""Run the daily DAG through Airflow and serve the Airflow UI, from the embedded default install.

Airflow lives in its own environment (.venvs/airflow) with SQLite metadata under
XUNPAN_HOME/airflow; these helpers build its environment variables from the generated secrets
so no secret is ever written into airflow.cfg or the repository.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.pipeline import logical_date_for
from xunpan.secrets import ensure_secrets

DAG_ID = "xunpan_daily"
WAREHOUSE_POOL = "xunpan_warehouse"


def airflow_env(settings: Settings) -> dict[str, str]:
    """Environment for every Airflow process of this installation."""
    secrets = ensure_secrets(settings)
    home = settings.airflow_home
    home.mkdir(parents=True, exist_ok=True)
    passwords = home / "simple_auth_manager_passwords.json"
    wanted = {secrets["AIRFLOW_ADMIN_USER"]: secrets["AIRFLOW_ADMIN_PASSWORD"]}
    if not passwords.exists() or json.loads(passwords.read_text() or "{}") != wanted:
        fd = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(wanted, handle)
    env = dict(os.environ)
    env.update(
        {
            "XUNPAN_HOME": str(settings.home),
            "XUNPAN_REPO": str(settings.repo),
            "XUNPAN_VENVS": str(settings.venvs),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(settings.repo / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__FERNET_KEY": secrets["AIRFLOW_FERNET_KEY"],
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets["AIRFLOW_JWT_SECRET"],
            "AIRFLOW__API__SECRET_KEY": secrets["AIRFLOW_API_SECRET_KEY"],
            "AIRFLOW__API__PORT": str(settings.airflow_port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{secrets['AIRFLOW_ADMIN_USER']}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            # The DAG starts paused in the demo so `make demo` does not fire a second, scheduled run.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(settings.logs / "airflow"),
            "PYTHONUNBUFFERED": "1",
            # `airflow standalone` starts its components as `airflow ...` subprocesses via PATH.
            "PATH": f"{Path(airflow_bin(settings)).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    # The compose stack sets its own Postgres metadata DB and Celery executor; keep those.
    env.setdefault("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    return env


def airflow_bin(settings: Settings) -> str:
    candidate = settings.venv_bin("airflow", "airflow")
    if candidate.exists():
        return str(candidate)
    # Inside the Airflow environment itself (the compose image), `airflow` sits beside python.
    return str(Path(sys.executable).with_name("airflow"))


def _airflow(settings: Settings, *args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [airflow_bin(settings), *args],
        env=airflow_env(settings),
        text=True,
        capture_output=capture,
        check=False,
    )


def ensure_airflow_db(settings: Settings) -> None:
    """Create or migrate the metadata database and the warehouse pool (cheap when already done)."""
    marker = settings.airflow_home / ".xunpan-migrated"
    if not marker.exists():
        done = _airflow(settings, "db", "migrate")
        if done.returncode != 0:
            raise XunpanError(f"airflow db migrate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        pool = _airflow(
            settings, "pools", "set", WAREHOUSE_POOL, "1", "One writer at a time on the DuckDB warehouse"
        )
        if pool.returncode != 0:
            raise XunpanError(f"airflow pools set failed:\n{pool.stderr[-2000:]}")
        marker.write_text("ok\n")


@dataclass(frozen=True)
class DagRunOutcome:
    business_date: date
    state: str
    run_id: str | None
    log_file: Path

    @property
    def ok(self) -> bool:
        return self.state == "success"


def parse_dag_runs(stdout: str) -> list[dict[str, str]]:
    """The runs printed by `airflow dags list-runs -o json`: one dict per run (dag_id, run_id,
    state, run_after, logical_date, start_date, end_date).

    Airflow prints its own warnings on stdout too ("[warning  ] ..."), and the JSON array is one
    line; so the runs are the last line that parses as a JSON list.
    """
    for line in reversed(stdout.splitlines()):
        if not line.startswith("["):
            continue
        try:
            runs = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(runs, list):
            return runs
    raise XunpanError(f"`airflow dags list-runs -o json` printed no JSON list:\n{stdout[-2000:]}")


def dag_runs(settings: Settings, logical_date: datetime) -> list[dict[str, str]]:
    """Airflow's record of the daily DAG's runs for one logical date, newest first."""
    stamp = logical_date.isoformat()
    done = _airflow(settings, "dags", "list-runs", DAG_ID, "-o", "json", "-s", stamp, "-e", stamp)
    if done.returncode != 0:
        raise XunpanError(
            f"airflow dags list-runs failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    runs = [
        run
        for run in parse_dag_runs(done.stdout)
        if run.get("logical_date") and datetime.fromisoformat(run["logical_date"]) == logical_date
    ]
    # A logical date run again has several runs; the newest is the one asked for last. `dags test`
    # sets start_date to the logical date, so run_after (when it was asked for) tells them apart.
    return sorted(runs, key=lambda run: datetime.fromisoformat(run["run_after"]), reverse=True)


def run_dag_once(
    settings: Settings, business_date: date, echo: bool = True, conf: dict[str, object] | None = None
) -> DagRunOutcome:
    """Run the daily DAG once for `business_date` with `airflow dags test` (in-process, recorded in
    Airflow's metadata DB) and return its final state. The full log goes to XUNPAN_HOME/logs.

    The state is Airflow's own record of the run (`airflow dags list-runs -o json`); the exit
    status of `airflow dags test` (non-zero when the run failed or never started) overrides a
    recorded success, so a crash after the run finished is not reported as one. `conf` sets the
    DAG's params for this run (e.g. {"full_refresh": True}).
    """
    settings.ensure_dirs()
    ensure_airflow_db(settings)
    logical = logical_date_for(business_date)
    log_file = settings.logs / f"run-{business_date.isoformat()}.log"
    with log_file.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [
                airflow_bin(settings),
                "dags",
                "test",
                DAG_ID,
                logical.isoformat(),
                *(["--conf", json.dumps(conf)] if conf else []),
            ],
            env=airflow_env(settings),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if echo and _worth_echoing(line):
                print(line.rstrip()[:300], flush=True)
        proc.wait()
    try:
        runs = dag_runs(settings, logical)
    except XunpanError:
        if proc.returncode == 0:
            raise
        runs = []  # the DAG never loaded, so Airflow cannot even list its runs
    if not runs:
        # `dags test` failed before a run existed (the DAG file did not import); the log says why.
        return DagRunOutcome(business_date, "failed" if proc.returncode else "unknown", None, log_file)
    state, run_id = runs[0]["state"], runs[0]["run_id"]
    if proc.returncode != 0 and state == "success":
        state = "failed"
    return DagRunOutcome(business_date, state, run_id, log_file)


def _worth_echoing(line: str) -> bool:
    return any(key in line for key in ("DagRun Finished", "[error", "ERROR", "Traceback"))


# The demo's Airflow: the four components `airflow standalone` runs, started by `serve_local_airflow`
# instead, because standalone's scheduler and triggerer each open a log server on 0.0.0.0 (ports
# 8793/8794; Airflow 3.3 has no setting for their address). On one machine the API server reads
# task logs straight from the shared log folder, so those servers are not started at all, and the
# API server listens on 127.0.0.1 only: the demo serves nothing beyond this machine.
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
LOOPBACK = "127.0.0.1"


def local_components(port: int) -> dict[str, list[str]]:
    """Each demo Airflow component and its `airflow` arguments."""
    return {
        "scheduler": ["scheduler", "--skip-serve-logs"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer", "--skip-serve-logs"],
        "api-server": ["api-server", "--host", LOOPBACK, "--port", str(port)],
    }


def standalone_argv(settings: Settings) -> list[str]:
    """The demo's Airflow as one service: `serve_local_airflow` under the Airflow environment's python."""
    python = settings.venv_bin("airflow", "python")
    return [
        str(python if python.exists() else sys.executable),
        "-m",
        "xunpan.orchestration",
        "serve-local",
        airflow_bin(settings),
        str(settings.airflow_port),
    ]


def serve_local_airflow(airflow: str, port: int) -> int:
    """Run the demo's Airflow components until one stops (or SIGTERM/SIGINT); return its exit code.

    The components share this process's group, so `xunpan serve stop` (a signal to the group)
    stops them together; if one dies the others are stopped, so the service is seen as down.
    """
    env = dict(os.environ)
    env.setdefault("AIRFLOW__CORE__AUTH_MANAGER", SIMPLE_AUTH_MANAGER)
    env["AIRFLOW__API__HOST"] = LOOPBACK
    env["AIRFLOW__API__PORT"] = str(port)
    children = {
        name: subprocess.Popen([airflow, *args], env=env, stdin=subprocess.DEVNULL)
        for name, args in local_components(port).items()
    }
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        ended = [(name, child.returncode) for name, child in children.items() if child.poll() is not None]
        if ended:
            name, code = ended[0]
            print(f"xunpan: airflow {name} exited with code {code}; stopping the others", flush=True)
            code = code or 1
            break
        time.sleep(1)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return code


if __name__ == "__main__" and sys.argv[1:2] == ["serve-local"]:
    sys.exit(serve_local_airflow(sys.argv[2], int(sys.argv[3])))
