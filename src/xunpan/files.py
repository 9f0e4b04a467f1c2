"""Writing files so that a killed process never leaves half of one, and one writer at a time.

Every file xunpan writes for others to read (raw Parquet, the archive, quarantine reasons, serving
files and their manifests, the gate's run records, secrets) goes through `atomic_path` or
`write_atomic`: the new content is written to a temporary file in the same folder (a rename is
only atomic within one file system), flushed to disk, renamed over the target with `os.replace`,
and the folder itself is flushed so the rename survives a power cut. Readers see the old file or
the new one, never a mixture. Temporary files are named `.<name>.<pid>.<n>.tmp`: hidden (the
inbox listing skips them) and recognisable (publish removes a killed run's leftovers).

`exclusive_lock` is the one lock: an flock on a lock file (the kernel releases it when its
process dies, so it can never go stale). The holder writes its pid and purpose into the file, so a
process that waited too long can say who is holding it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import itertools
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xunpan.errors import XunpanError

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"
# Long enough for the slowest holder (a publish of the 2,000,000-row bench, a large ingest) to
# finish; a wait beyond this means something is stuck, and saying so beats waiting forever.
LOCK_WAIT_SECONDS = 1800.0
_POLL_SECONDS = 0.1
_counter = itertools.count()


class LockHeld(XunpanError):
    """Another process held the lock for longer than the caller would wait."""


def temporary_name(path: Path) -> Path:
    """A fresh hidden temporary path beside `path` (unique per process and call)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{next(_counter)}{TMP_SUFFIX}")


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's content (a folder: its entries, i.e. renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a not-yet-existing temporary path to write; on success it replaces `path` atomically.

    The caller creates the temporary file itself (DuckDB, Parquet and symlinks need a path, not
    a handle). If the block raises, the temporary file is removed and `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        yield tmp
        if not tmp.is_symlink():
            fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def write_atomic(path: Path, data: bytes | str, mode: int = 0o666) -> None:
    """Write `data` (str as UTF-8) to `path` atomically; `mode` before the umask (0o600: private)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp:
        # Created with its final mode from the start, so a private file is never readable by others.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()


def write_json_atomic(path: Path, payload: Any) -> None:
    """`payload` as indented JSON (keys sorted, non-ASCII kept, dates as text), written atomically."""
    write_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True, default=str))


@contextlib.contextmanager
def exclusive_lock(lock_file: Path, purpose: str, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` for the block, waiting up to `wait_seconds` for it.

    `purpose` (for example "ingest of the inbox") is recorded in the lock file with the pid, and
    a process that gives up names them in its LockHeld error.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    # "a+": opening must not truncate the current holder's note before we hold the lock.
    with open(lock_file, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_seconds
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            holder = _holder(lock_file)
            if time.monotonic() >= deadline:
                raise LockHeld(
                    f"{lock_file} is locked by {holder}; waited {wait_seconds:g} s for it to finish "
                    f"before the {purpose}. Wait for that process to end (the lock is released "
                    "when it exits), then run again"
                ) from None
            if not announced:
                log.info("waiting for %s (held by %s) before the %s", lock_file, holder, purpose)
                announced = True
            time.sleep(_POLL_SECONDS)
        try:
            handle.seek(0)
            handle.truncate()
            now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            handle.write(f"pid {os.getpid()}, {purpose}, since {now}\n")
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(lock_file: Path) -> str:
    try:
        note = lock_file.read_text(encoding="utf-8").strip()
    except OSError:
        note = ""
    return f"another process ({note})" if note else "another process"
