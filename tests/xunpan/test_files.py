"""Atomic writes and the exclusive lock, on real files and real processes killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from xunpan.files import LockHeld, atomic_path, exclusive_lock, write_atomic, write_json_atomic


def _run(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.json"
    write_json_atomic(target, {"b": 2, "a": "询盘"})
    write_atomic(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_json_is_sorted_indented_and_keeps_chinese(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    write_json_atomic(target, {"b": 2, "a": "询盘"})
    assert target.read_text(encoding="utf-8") == '{\n  "a": "询盘",\n  "b": 2\n}'
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "询盘", "b": 2}


def test_private_mode_is_set_from_the_start(tmp_path: Path) -> None:
    target = tmp_path / "secrets.env"
    write_atomic(target, "KEY=value\n", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_process_killed_mid_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "serving.bin"
    target.write_bytes(b"old figures")
    proc = _run(
        """
        import os, signal, sys
        from pathlib import Path
        from xunpan.files import atomic_path
        with atomic_path(Path(sys.argv[1])) as tmp:
            with open(tmp, "wb") as out:
                out.write(b"half of the new fig")
                out.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        """,
        str(target),
    )
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"old figures"
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1
    assert leftovers[0].name.startswith(".serving.bin.") and leftovers[0].suffix == ".tmp"
    assert leftovers[0].read_bytes() == b"half of the new fig"


def test_an_error_mid_write_removes_the_temporary_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "table.parquet"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]


def test_a_symlink_is_switched_atomically(tmp_path: Path) -> None:
    (tmp_path / "one.duckdb").write_bytes(b"1")
    (tmp_path / "two.duckdb").write_bytes(b"2")
    link = tmp_path / "current.duckdb"
    for name in ("one.duckdb", "two.duckdb"):
        with atomic_path(link) as tmp:
            os.symlink(name, tmp)
        assert os.readlink(link) == name
    assert link.read_bytes() == b"2"


def test_a_held_lock_is_refused_naming_the_holder_and_the_file(tmp_path: Path) -> None:
    lock = tmp_path / ".publish.lock"
    holder = _run(
        """
        import sys, time
        from pathlib import Path
        from xunpan.files import exclusive_lock
        with exclusive_lock(Path(sys.argv[1]), "publish of run r1"):
            print("held", flush=True)
            time.sleep(60)
        """,
        str(lock),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(LockHeld) as caught, exclusive_lock(lock, "publish of run r2", wait_seconds=0.5):
            pytest.fail("the lock was granted while another process held it")
        assert time.monotonic() - started >= 0.5
        message = str(caught.value)
        assert str(lock) in message
        assert f"pid {holder.pid}, publish of run r1, since " in message
        assert "before the publish of run r2" in message
    finally:
        holder.kill()
        holder.communicate(timeout=60)
    # The kernel released the killed holder's lock: it is granted at once.
    with exclusive_lock(lock, "publish of run r3", wait_seconds=0):
        assert lock.read_text(encoding="utf-8").startswith(f"pid {os.getpid()}, publish of run r3, since ")
    assert lock.read_text(encoding="utf-8") == ""


def test_a_waiting_process_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    lock = tmp_path / "raw" / ".landing.lock"
    holder = _run(
        """
        import sys, time
        from pathlib import Path
        from xunpan.files import exclusive_lock
        with exclusive_lock(Path(sys.argv[1]), "ingest"):
            print("held", flush=True)
            time.sleep(1.0)
        """,
        str(lock),
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with exclusive_lock(lock, "land a pull", wait_seconds=60):
        waited = time.monotonic() - started
    holder.communicate(timeout=60)
    assert holder.returncode == 0
    assert 0.3 < waited < 30
