"""The dashboards over what the real pipeline published: every chart renders with data in Chromium,
and every dashboard opens on the last complete month and shows the data-through date of dim_companies.
Screenshots go to artifacts/e2e/ (the CI artifact folder)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_every_dashboard_chart_renders_with_data(pipeline_run, pipeline_superset) -> None:
    from xunpan.dashboards import browser_check
    from xunpan.secrets import ensure_secrets

    settings = pipeline_run.settings
    assert pipeline_run.state == "success"
    secrets = ensure_secrets(settings)
    report = browser_check(
        pipeline_superset,
        secrets["SUPERSET_ADMIN_USER"],
        secrets["SUPERSET_ADMIN_PASSWORD"],
        settings.repo / "artifacts" / "e2e",
    )
    assert report.charts, "no chart was found on any dashboard"
    assert report.ok, report.summary()
    # What each dashboard shows first is what the published dim_companies says.
    with duckdb.connect(str(settings.serving_current), read_only=True) as con:
        rows = con.execute(
            "select strftime(data_through_date, '%Y-%m-%d'), strftime(last_complete_month_start, '%Y-%m-%d') "
            "|| ' ~ ' || strftime(last_complete_month_end, '%Y-%m-%d') from dim_companies order by company_id"
        ).fetchall()
    assert rows, "dim_companies is empty"
    for dashboard in report.dashboards:
        assert dashboard.period_applied == ["上个完整月 Last complete month"], dashboard.title
        # The company filter opens on one company, so the period table shows that company's row.
        assert dashboard.data_through and dashboard.period_months, dashboard.title
        assert (dashboard.data_through[0], dashboard.period_months[0]) in rows, dashboard.title
        shot = Path(dashboard.screenshot)
        assert shot.parent == settings.repo / "artifacts" / "e2e" and shot.stat().st_size > 10_000
