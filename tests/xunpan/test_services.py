"""Background services: a stop ends the whole process group, children included."""

from __future__ import annotations

import os
import sys
import time

import pytest

from xunpan.errors import XunpanError
from xunpan.orchestration import local_components
from xunpan.services import group_listeners, service_pid, start_service, stop_service, wait_http

# A parent that forks a child and both sleep: stopping the service must end both.
PARENT = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "open(sys.argv[1], 'w').write(str(child.pid)); time.sleep(600)"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); check its state.
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"


def test_stop_ends_the_service_and_its_children(settings, tmp_path) -> None:
    child_file = tmp_path / "child.pid"
    pid = start_service(
        settings, "sleeper", [sys.executable, "-c", PARENT, str(child_file)], dict(os.environ)
    )
    for _ in range(100):
        if child_file.exists() and child_file.read_text():
            break
        time.sleep(0.1)
    child = int(child_file.read_text())
    assert service_pid(settings, "sleeper") == pid
    assert start_service(settings, "sleeper", ["false"], dict(os.environ)) == pid  # already running
    assert stop_service(settings, "sleeper", grace=5) is True
    assert not _alive(pid) and not _alive(child)
    assert service_pid(settings, "sleeper") is None
    assert stop_service(settings, "sleeper") is False


def test_wait_http_reports_a_dead_service_with_its_log(settings) -> None:
    start_service(
        settings,
        "crasher",
        [sys.executable, "-c", "print('boom: bad config'); raise SystemExit(3)"],
        dict(os.environ),
    )
    with pytest.raises(XunpanError, match="boom: bad config"):
        wait_http("http://127.0.0.1:9/", timeout=30, settings=settings, name="crasher")


# --- what the demo listens on ---------------------------------------------------------------------

LISTENER = (
    "import socket, time; sockets = []\n"
    "for family, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::1')):\n"
    "    s = socket.socket(family); s.bind((host, 0)); s.listen(); sockets.append(s)\n"
    "print(' '.join(str(s.getsockname()[1]) for s in sockets), flush=True); time.sleep(600)"
)


def test_group_listeners_lists_every_listening_address_of_the_service(settings) -> None:
    pid = start_service(settings, "listener", [sys.executable, "-c", LISTENER], dict(os.environ))
    try:
        log = settings.logs / "listener.log"
        for _ in range(100):
            if log.exists() and log.read_text().strip():
                break
            time.sleep(0.1)
        ports = [int(p) for p in log.read_text().split()]
        assert group_listeners(pid) == sorted(
            [("127.0.0.1", ports[0], pid), ("0.0.0.0", ports[1], pid), ("::1", ports[2], pid)]
        )
    finally:
        stop_service(settings, "listener")
    assert group_listeners(pid) == []


def test_demo_airflow_components_start_no_log_server_and_bind_loopback() -> None:
    components = local_components(18080)
    assert set(components) == {"scheduler", "dag-processor", "triggerer", "api-server"}
    assert "--skip-serve-logs" in components["scheduler"] and "--skip-serve-logs" in components["triggerer"]
    assert components["api-server"] == ["api-server", "--host", "127.0.0.1", "--port", "18080"]


FAKE_AIRFLOW = """#!/bin/sh
# Stands in for the airflow command: the api-server fails at once, the rest would run for long.
echo "$@" >> "$(dirname "$0")/started"
[ "$1" = "api-server" ] && exit 3
exec sleep 600
"""


def test_demo_airflow_stops_every_component_when_one_dies(settings, tmp_path) -> None:
    fake = tmp_path / "airflow"
    fake.write_text(FAKE_AIRFLOW)
    fake.chmod(0o755)
    argv = [sys.executable, "-m", "xunpan.orchestration", "serve-local", str(fake), "18080"]
    pid = start_service(settings, "airflow-fake", argv, dict(os.environ))
    for _ in range(300):
        if service_pid(settings, "airflow-fake") is None:
            break
        time.sleep(0.1)
    assert service_pid(settings, "airflow-fake") is None, "the service must end when a component dies"
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # no component is left behind in the group
    started = sorted((tmp_path / "started").read_text().splitlines())
    assert started == [
        "api-server --host 127.0.0.1 --port 18080",
        "dag-processor",
        "scheduler --skip-serve-logs",
        "triggerer --skip-serve-logs",
    ]
    assert (
        "airflow api-server exited with code 3; stopping the others"
        in (settings.logs / "airflow-fake.log").read_text()
    )
