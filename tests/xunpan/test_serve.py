"""`xunpan serve start|stop|status [airflow|superset]`: the one way to run the background servers."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from xunpan.cli import main
from xunpan.config import Settings
from xunpan.services import group_listeners, service_pid, start_service, stop_service


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_status_and_stop_when_nothing_runs(settings: Settings) -> None:
    status = CliRunner().invoke(main, ["serve", "status"])
    # Exit 3 (like `systemctl status` of a stopped unit) so `make status` can tell.
    assert status.exit_code == 3, status.output
    assert status.output.splitlines() == ["airflow   stopped", "superset  stopped"]
    stop = CliRunner().invoke(main, ["serve", "stop"])
    assert stop.exit_code == 0 and stop.output == "stopped: nothing was running\n"


def test_only_the_two_servers_can_be_named() -> None:
    result = CliRunner().invoke(main, ["serve", "start", "redis"])
    assert result.exit_code == 2
    assert "'redis' is not one of 'airflow', 'superset'" in result.output


def test_status_shows_a_running_server_and_stop_ends_only_the_one_named(settings: Settings) -> None:
    """A real web server recorded under Superset's service name (what `serve start superset` leaves)."""
    port = _free_port()
    argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    pid = start_service(settings, "superset", argv, dict(os.environ))
    try:
        for _ in range(100):
            if group_listeners(pid):
                break
            time.sleep(0.1)
        status = CliRunner().invoke(main, ["serve", "status"])
        assert status.exit_code == 0, status.output
        assert status.output.splitlines() == [
            "airflow   stopped",
            f"superset  running (pid {pid})",
            f"          listening on 127.0.0.1:{port}",
        ]

        other = CliRunner().invoke(main, ["serve", "stop", "airflow"])
        assert other.output == "stopped: nothing was running\n"
        assert service_pid(settings, "superset") == pid

        stop = CliRunner().invoke(main, ["serve", "stop", "superset"])
        assert stop.exit_code == 0 and stop.output == "stopped: superset\n"
        assert service_pid(settings, "superset") is None
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
    finally:
        stop_service(settings, "superset")


@pytest.mark.slow
def test_serve_start_airflow_listens_on_loopback_only(settings: Settings, monkeypatch) -> None:
    """The real demo Airflow through the command: every socket its process group listens on is on
    127.0.0.1 (issue 9), `serve status` says so, and `serve stop airflow` ends it."""
    port = _free_port()
    monkeypatch.setenv("XUNPAN_AIRFLOW_PORT", str(port))
    runner = CliRunner()
    try:
        started = runner.invoke(main, ["serve", "start", "airflow", "--show-credentials"])
        assert started.exit_code == 0, started.output
        assert f"Airflow UI : http://127.0.0.1:{port}" in started.output
        assert re.search(r"^Airflow login : \S+ / \S+$", started.output, re.MULTILINE), started.output
        assert "Superset" not in started.output  # only the server named was started
        pid = service_pid(settings, "airflow")
        assert pid is not None and service_pid(settings, "superset") is None

        # Scheduler and triggerer open their log servers before they report healthy: wait for both.
        for _ in range(300):
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=10
            ) as answer:
                health = json.load(answer)
            if all((health.get(c) or {}).get("status") == "healthy" for c in ("scheduler", "triggerer")):
                break
            time.sleep(1)
        assert health["scheduler"]["status"] == health["triggerer"]["status"] == "healthy", health
        listeners = group_listeners(pid)
        assert ("127.0.0.1", port) in {(a, p) for a, p, _ in listeners}
        assert {a for a, _, _ in listeners} == {"127.0.0.1"}, listeners
        assert not {p for _, p, _ in listeners} & {8793, 8794}

        status = runner.invoke(main, ["serve", "status"])
        assert status.exit_code == 0, status.output
        assert f"airflow   running (pid {pid})" in status.output
        assert f"127.0.0.1:{port}" in status.output and "0.0.0.0" not in status.output

        stopped = runner.invoke(main, ["serve", "stop", "airflow"])
        assert stopped.output == "stopped: airflow\n"
        assert service_pid(settings, "airflow") is None
    finally:
        stop_service(settings, "airflow")
