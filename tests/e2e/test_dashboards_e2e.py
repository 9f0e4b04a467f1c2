"""The dashboards over what the real pipeline published: every chart renders with data in Chromium."""

from __future__ import annotations

import socket

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_dashboard_chart_renders_with_data(pipeline_run) -> None:
    from xunpan.dashboards import browser_check, setup_superset, start_superset, stop_superset
    from xunpan.secrets import ensure_secrets

    settings = pipeline_run.settings
    assert pipeline_run.state == "success"
    setup_superset(settings)
    secrets = ensure_secrets(settings)
    url = start_superset(settings, port=_free_port())
    try:
        report = browser_check(
            url,
            secrets["SUPERSET_ADMIN_USER"],
            secrets["SUPERSET_ADMIN_PASSWORD"],
            settings.repo / "artifacts" / "e2e",
        )
    finally:
        stop_superset(settings)
    assert report.charts, "no chart was found on any dashboard"
    assert report.ok, report.summary()
