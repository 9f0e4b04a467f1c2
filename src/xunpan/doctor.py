"""`xunpan doctor`: check an installation and say what is missing and how to fix it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from xunpan.config import Settings

ENVIRONMENTS = ("airflow", "dbt", "superset")
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)")


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, warn, fail
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(settings: Settings, env: str) -> dict[str, str]:
    """name -> version pinned in requirements/<env>.lock."""
    path = settings.repo / "requirements" / f"{env}.lock"
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def installed_versions(python: str) -> dict[str, str]:
    """name -> version of every distribution installed in the environment of `python`."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return {_normalise(k): v for k, v in json.loads(out).items() if k}


def check_environment(settings: Settings, env: str) -> Check:
    python = settings.venv_bin(env, "python")
    if not python.exists():
        return Check(f"environment {env}", "fail", f"{python.parent.parent} missing: run `make envs`")
    try:
        installed = installed_versions(str(python))
    except (subprocess.CalledProcessError, OSError, ValueError) as exc:
        return Check(f"environment {env}", "fail", f"cannot inspect {python}: {exc}")
    pins = lock_pins(settings, env)
    wrong = [
        f"{name} {installed.get(name, 'missing')} (lock: {version})"
        for name, version in sorted(pins.items())
        if installed.get(name) != version
    ]
    if wrong:
        shown = ", ".join(wrong[:8]) + (" ..." if len(wrong) > 8 else "")
        return Check(
            f"environment {env}", "fail", f"differs from requirements/{env}.lock: {shown}; run `make envs`"
        )
    return Check(f"environment {env}", "ok", f"{len(pins)} packages match requirements/{env}.lock")


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order a person would fix them."""
    checks = [
        Check("python", "ok" if sys.version_info >= (3, 11) else "fail", sys.version.split()[0]),
    ]
    checks += [check_environment(settings, env) for env in ENVIRONMENTS]
    for folder in ("dags", "dbt_project", "expectations", "superset"):
        path = settings.repo / folder
        checks.append(Check(f"repository {folder}/", "ok" if path.is_dir() else "fail", str(path)))
    home = settings.home
    try:
        settings.ensure_dirs()
        writable = os.access(home, os.W_OK)
    except OSError as exc:
        writable = False
        checks.append(Check("XUNPAN_HOME", "fail", f"{home}: {exc}"))
    else:
        checks.append(Check("XUNPAN_HOME", "ok" if writable else "fail", str(home)))
    secrets = settings.secrets_file
    if secrets.exists():
        mode = stat.S_IMODE(secrets.stat().st_mode)
        checks.append(
            Check(
                "secrets file",
                "ok" if mode & 0o077 == 0 else "fail",
                f"{secrets} mode {oct(mode)}" + ("" if mode & 0o077 == 0 else ": run chmod 600"),
            )
        )
    else:
        checks.append(
            Check("secrets file", "warn", f"{secrets} not generated yet (first `make demo` does it)")
        )
    serving = settings.serving_current
    checks.append(
        Check(
            "published data",
            "ok" if serving.exists() else "warn",
            str(serving.resolve()) if serving.exists() else "nothing published yet: run `xunpan run`",
        )
    )
    checks += test_prerequisites(required=False)
    return checks


def _postgres_listening(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def test_prerequisites(required: bool = True) -> list[Check]:
    """What `make test` needs beyond the lock files: Debian's chromium and a CJK font for the
    browser checks, PostgreSQL on 127.0.0.1:5432 for the dbt-postgres compile check, and Java
    (Debian's OpenJDK 17) for the dbt-spark build, whose PySpark runs in-process.

    `make test` runs these first (`xunpan doctor --for-tests`) so a machine that lacks one stops at
    once with the command that installs it, instead of failing three browser tests 8 minutes in.
    """
    missing = "fail" if required else "warn"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    fonts = [Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto")]
    has_cjk = any(any(folder.glob("NotoSansCJK*")) for folder in fonts if folder.is_dir())
    postgres = _postgres_listening()
    java = shutil.which("java")
    return [
        Check(
            "chromium (browser tests)",
            "ok" if browser else missing,
            browser or "not found: `apt-get install chromium` (`.ci/run` does it)",
        ),
        Check(
            "CJK font (Chinese on screenshots)",
            "ok" if has_cjk else missing,
            "Noto Sans CJK" if has_cjk else "not found: `apt-get install fonts-noto-cjk` (`.ci/run` does it)",
        ),
        Check(
            "PostgreSQL 127.0.0.1:5432 (dbt-postgres check)",
            "ok" if postgres else missing,
            "listening" if postgres else "nothing listens: start PostgreSQL with trust authentication",
        ),
        Check(
            "java (dbt-spark build)",
            "ok" if java else missing,
            java or "not found: `apt-get install openjdk-17-jre-headless` (`.ci/run` does it)",
        ),
    ]


def format_checks(checks: list[Check]) -> str:
    marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
    return "\n".join(f"[{marks[c.status]}] {c.name}: {c.detail}" for c in checks)
