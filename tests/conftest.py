"""Fixtures shared by every test folder: an isolated XUNPAN_HOME per test, and a throw-away
AIRFLOW_HOME set before Airflow is first imported so tests never touch ~/airflow."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from xunpan.config import Settings

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="xunpan-airflow-test-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose XUNPAN_HOME is a fresh temporary folder, with its sub-folders created."""
    home = tmp_path / "xunpan_home"
    monkeypatch.setenv("XUNPAN_HOME", str(home))
    monkeypatch.setenv("XUNPAN_REPO", str(REPO))
    s = Settings.from_env()
    s.ensure_dirs()
    return s
