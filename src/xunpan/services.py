"""Start, stop and watch the background servers `make demo` runs (Airflow, Superset).

Each service runs in its own process group so stopping it also stops the workers it forked;
its pid lives in XUNPAN_HOME/run/<name>.pid and its output in XUNPAN_HOME/logs/<name>.log.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from xunpan.config import Settings
from xunpan.errors import XunpanError


def _pid_file(settings: Settings, name: str) -> Path:
    return settings.run_dir / f"{name}.pid"


def _alive(pid: int) -> bool:
    # A child of this very process that exited stays a zombie (and answers kill 0) until reaped.
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def service_pid(settings: Settings, name: str) -> int | None:
    """The pid of a running service, or None (a stale pid file is removed)."""
    path = _pid_file(settings, name)
    if not path.exists():
        return None
    try:
        pid = int(path.read_text().strip())
    except ValueError:
        path.unlink(missing_ok=True)
        return None
    if _alive(pid):
        return pid
    path.unlink(missing_ok=True)
    return None


def start_service(
    settings: Settings, name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None
) -> int:
    """Start `argv` detached in a new session (its own process group); return its pid."""
    existing = service_pid(settings, name)
    if existing is not None:
        return existing
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    settings.logs.mkdir(parents=True, exist_ok=True)
    log = open(settings.logs / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child process
    try:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()
    _pid_file(settings, name).write_text(str(proc.pid))
    return proc.pid


def stop_service(settings: Settings, name: str, grace: float = 20.0) -> bool:
    """Stop a service and every process in its group: SIGTERM, then SIGKILL after `grace` seconds."""
    pid = service_pid(settings, name)
    if pid is None:
        return False
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        _pid_file(settings, name).unlink(missing_ok=True)
        return False
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_alive(pgid):
        time.sleep(0.2)
    if _group_alive(pgid):
        _signal_group(pgid, signal.SIGKILL)
        while _group_alive(pgid):
            time.sleep(0.1)
    _pid_file(settings, name).unlink(missing_ok=True)
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies of our own children still count as members; reap what we can.
    try:
        while os.waitpid(-pgid, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def group_listeners(pid: int) -> list[tuple[str, int, int]]:
    """TCP sockets listening in the process group led by `pid`: (address, port, owning pid), sorted.

    Read from /proc (Linux), like `ss -ltnp` but limited to one service, so `xunpan serve status`
    and the tests can show that the demo serves nothing beyond 127.0.0.1.
    """
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return []
    inodes: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes[target[8:-1]] = int(entry.name)
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile, or is not ours to inspect
    found = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            address_hex, port_hex = local.split(":")
            raw = bytes.fromhex(address_hex)
            # /proc prints each 32-bit word of the address in host (little-endian) order.
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, width, 4))
            address = str(ipaddress.ip_address(words))
            found.add((address, int(port_hex, 16), inodes[inode]))
    return sorted(found)


def wait_http(
    url: str, timeout: float = 120.0, settings: Settings | None = None, name: str | None = None
) -> None:
    """Wait until `url` answers with a status below 500, or raise XunpanError after `timeout` seconds.

    Given the service's settings and name, stop waiting as soon as its process has died and
    quote the end of its log instead.
    """
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if settings is not None and name is not None and service_pid(settings, name) is None:
            tail = _log_tail(settings, name)
            raise XunpanError(
                f"{name} exited before {url} answered; end of {settings.logs / name}.log:\n{tail}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(1)
    raise XunpanError(f"{url} did not answer within {timeout:.0f} s (last: {last})")


def _log_tail(settings: Settings, name: str, lines: int = 25) -> str:
    path = settings.logs / f"{name}.log"
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
