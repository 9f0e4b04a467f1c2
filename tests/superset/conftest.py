"""A real Superset, set up from superset/assets/ in a temporary XUNPAN_HOME, for the whole session.

The serving database is the hand-made one of serving_data.py, published through a real symlink
as the pipeline's publish step does. The server listens on a free loopback port and is stopped
(with all its workers) at the end of the session.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from serving_data import publish

from xunpan.config import Settings
from xunpan.dashboards import setup_superset, start_superset, stop_superset
from xunpan.dashboards.api import SupersetClient
from xunpan.secrets import ensure_secrets
from xunpan.services import service_pid

QUERY_TIMEOUT_SECONDS = 10


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SupersetStack:
    settings: Settings
    url: str
    username: str
    password: str
    artifacts: Path
    query_timeout: int = QUERY_TIMEOUT_SECONDS

    def client(self) -> SupersetClient:
        return SupersetClient(self.url, self.username, self.password)

    def login(self, username: str, password: str) -> SupersetClient:
        """A client logged in as another user (see test_security.py for the company users)."""
        return SupersetClient(self.url, username, password)

    def pid(self) -> int | None:
        return service_pid(self.settings, "superset")


@pytest.fixture(scope="session")
def superset_stack(tmp_path_factory: pytest.TempPathFactory):
    # Every DuckDB statement is interrupted after this many seconds (superset_config.py, handed the
    # Settings value by the launcher); short here so that test_security.py can show the limit at
    # work. The marts answer in milliseconds.
    settings = Settings.from_env(home=tmp_path_factory.mktemp("xunpan_home")).model_copy(
        update={"query_timeout_seconds": QUERY_TIMEOUT_SECONDS}
    )
    if not settings.venv_bin("superset", "python").exists():
        pytest.fail(f"the Superset environment is missing: {settings.venv_bin('superset', 'python')}")
    settings.ensure_dirs()
    publish(settings.serving_dir, "serving-v1")
    setup_superset(settings)
    secrets = ensure_secrets(settings)
    url = start_superset(settings, port=_free_port())
    artifacts = settings.repo / "artifacts" / "superset"
    artifacts.mkdir(parents=True, exist_ok=True)
    try:
        yield SupersetStack(
            settings, url, secrets["SUPERSET_ADMIN_USER"], secrets["SUPERSET_ADMIN_PASSWORD"], artifacts
        )
    finally:
        stop_superset(settings)
        assert service_pid(settings, "superset") is None
