"""Helpers for test_recovery.py: the pipeline steps of one run, what a serving file holds,
and child processes to SIGKILL (or to load Superset) with their process group.

Run as a script, this file is the child process itself:
  recovery_helpers.py build RUN_ID      step_build in XUNPAN_HOME (the test kills it mid-way)
  recovery_helpers.py publish RUN_ID    step_publish in XUNPAN_HOME (paused by XUNPAN_TEST_PUBLISH_PAUSE)
  recovery_helpers.py load CONFIG_JSON  chart-data queries through Superset's REST API until told to stop
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve()


# --- the pipeline ---------------------------------------------------------------------------------
def run_steps(settings: Any, business_date: date, run_id: str, ingest: bool = True) -> dict[str, Any]:
    """ingest -> build -> audit -> publish as the DAG runs them; returns the publish summary."""
    from xunpan.pipeline import step_audit, step_build, step_ingest, step_publish

    if ingest:
        step_ingest(settings, run_id)
    step_build(settings, run_id)
    step_audit(settings, business_date, run_id)
    return step_publish(settings, run_id)


def serving_checksums(path: Path) -> dict[str, str]:
    """table_checksums of a serving file without the publish bookkeeping table(s)."""
    from xunpan.publish import table_checksums

    return {name: digest for name, digest in table_checksums(path).items() if not name.startswith("_xunpan")}


def row_counts(path: Path) -> dict[str, int]:
    """Open a serving file read-only and count the rows of every table in it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        return {name: con.execute(f'select count(*) from main."{name}"').fetchone()[0] for name in names}
    finally:
        con.close()


def spend_total(path: Path) -> Decimal:
    """SUM(spend_total_cny) of mart_channel_cost_per_inquiry, what the dashboard metric shows."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        (total,) = con.execute("select sum(spend_total_cny) from mart_channel_cost_per_inquiry").fetchone()
    finally:
        con.close()
    return Decimal(str(total)).quantize(Decimal("0.01"))


def journal(settings: Any, run_id: str) -> list[tuple[str, str]]:
    """(step, outcome) of every journal entry of one run."""
    from xunpan.pipeline import read_journal

    return [(e["step"], e["outcome"]) for e in read_journal(settings, limit=10_000) if e["run_id"] == run_id]


def tmp_leftovers(serving_dir: Path) -> list[Path]:
    return sorted(p for p in serving_dir.iterdir() if ".tmp" in p.name)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- child processes ------------------------------------------------------------------------------
def spawn(command: list[str], log_path: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """This file as a script in a new session (its own process group), output to log_path."""
    env = {**os.environ, **(extra_env or {})}
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, str(HERE), *command],
            env=env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(
    condition: Callable[[], bool], proc: subprocess.Popen, log_path: Path, what: str, timeout: float
) -> None:
    """Poll until `condition` holds; fail if the child exits first or the bound is reached."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the child exited ({proc.returncode}) before {what}:\n{tail(log_path)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s:\n{tail(log_path)}")
        time.sleep(0.05)


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def group_members(pgid: int) -> list[int]:
    """Pids of the live (not zombie) processes of a process group."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def kill_group(proc: subprocess.Popen, timeout: float = 30.0) -> list[int]:
    """SIGKILL the child's whole process group; returns the members it had (dbt included)."""
    pgid = proc.pid  # start_new_session: the child leads its own group
    members = group_members(pgid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes of group {pgid} survived SIGKILL: {group_members(pgid)}")
        time.sleep(0.05)
    return members


def new_text(path: Path, offset: int) -> str:
    """What was appended to a file after `offset` bytes."""
    if not path.exists():
        return ""
    if path.stat().st_size < offset:  # rotated by dbt: everything in the new file is new
        offset = 0
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", errors="replace")


# --- the load generator (second process) ----------------------------------------------------------
def _load(config: dict[str, Any]) -> dict[str, Any]:
    """Sequential chart-data queries (SUM of one metric over one dataset) until stopped or bounded.

    Writes the number of finished queries to config["progress"] after each one, so the test can
    interleave its publishes with queries without sleeping for fixed times.
    """
    from xunpan.dashboards.api import SupersetClient

    client = SupersetClient(config["url"], config["username"], config["password"])
    metric = config["metric"]
    body = {
        "datasource": {"id": config["dataset_id"], "type": "table"},
        "force": True,
        "result_format": "json",
        "result_type": "full",
        "queries": [{"columns": [], "metrics": [metric], "filters": [], "orderby": [], "row_limit": 10}],
    }
    stop, progress = Path(config["stop"]), Path(config["progress"])
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    while (
        len(results) < config["max_queries"]
        and time.monotonic() - started < config["max_seconds"]
        and not stop.exists()
    ):
        try:
            answer = client.post("/api/v1/chart/data", body)
            result = answer["result"][0]
            if result.get("error"):
                results.append({"error": str(result["error"])[:500]})
            else:
                value = Decimal(str(result["data"][0][metric])).quantize(Decimal("0.01"))
                results.append({"total": str(value)})
        except Exception as exc:  # every failure counts as an error seen by a dashboard
            results.append({"error": f"{type(exc).__name__}: {exc}"[:500]})
        tmp = progress.with_name(progress.name + ".tmp")
        tmp.write_text(str(len(results)))
        os.replace(tmp, progress)
    return {"results": results, "seconds": round(time.monotonic() - started, 1)}


def read_progress(path: Path) -> int:
    try:
        return int(path.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def main(argv: list[str]) -> int:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    command = argv[0]
    if command in ("build", "publish"):
        from xunpan.config import Settings
        from xunpan.pipeline import step_build, step_publish

        step = step_build if command == "build" else step_publish
        print(json.dumps(step(Settings.from_env(), argv[1]), default=str), flush=True)
        return 0
    if command == "load":
        config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        report = _load(config)
        Path(config["out"]).write_text(json.dumps(report), encoding="utf-8")
        return 0
    raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
