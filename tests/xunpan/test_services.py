"""Background services: a stop ends the whole process group, children included."""

from __future__ import annotations

import os
import sys
import time

import pytest

from xunpan.errors import XunpanError
from xunpan.services import service_pid, start_service, stop_service, wait_http

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
