"""Superset against a real serving file: import, security, metrics, browser check, republish, breakage.

The tests share one server (see conftest.py) and run in file order: the later ones publish new
serving files, as the pipeline would, and check what the dashboards show afterwards.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from serving_data import EXPECTED, publish

from xunpan.dashboards.browser import browser_check
from xunpan.errors import XunpanError

pytestmark = [pytest.mark.slow]


ASSETS = Path(__file__).resolve().parents[2] / "superset" / "assets"


def _assets(kind: str) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ASSETS / kind).rglob("*.yaml"))]


def _by(rows: list[dict], key: str, value_key: str) -> dict:
    return {row[key]: row[value_key] for row in rows}


def test_every_asset_is_imported(superset_stack):
    client = superset_stack.client()
    dashboards = {d["dashboard_title"] for d in client.list_all("dashboard", ("dashboard_title",))}
    charts = {c["slice_name"] for c in client.list_all("chart", ("slice_name",))}
    datasets = {d["table_name"] for d in client.list_all("dataset", ("table_name",))}
    assert dashboards == {d["dashboard_title"] for d in _assets("dashboards")}
    assert charts == {c["slice_name"] for c in _assets("charts")}
    assert datasets == {d["table_name"] for d in _assets("datasets")}
    # One dashboard per mart, titled Chinese first, then English.
    assert {
        "询盘漏斗 Inquiry funnel",
        "渠道成本 Channel cost per inquiry",
        "产品利润 Product margin",
        "询盘明细 Inquiries",
    } <= dashboards


def test_serving_database_is_read_only_and_sealed(superset_stack):
    client = superset_stack.client()
    # The all-company serving database (test_security.py adds one per company beside it).
    (database,) = [
        d
        for d in client.list_all("database", ("id", "database_name"))
        if d["database_name"] == "xunpan serving (DuckDB)"
    ]
    detail = client.get(f"/api/v1/database/{database['id']}/connection")["result"]
    assert detail["sqlalchemy_uri"] == f"duckdb:///{superset_stack.settings.serving_current}"
    extra = json.loads(detail["extra"])
    assert extra["engine_params"]["connect_args"] == {
        "read_only": True,
        "config": {"enable_external_access": False, "lock_configuration": True},
    }
    assert client.execute_sql(database["id"], "select count(*) as n from main.fct_inquiries")["data"] == [
        {"n": EXPECTED["inquiries_total"]}
    ]
    # DuckDB SQL could otherwise read any file the server can, or lift its own restrictions.
    for sql, message in [
        ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("set enable_external_access = true", "configuration has been locked"),
        ("attach '/tmp/xunpan-elsewhere.duckdb' as other", "disabled by configuration"),
    ]:
        with pytest.raises(XunpanError, match=message):
            client.execute_sql(database["id"], sql)


def test_public_role_sees_nothing(superset_stack):
    for path in ("/api/v1/dashboard/", "/api/v1/chart/", "/api/v1/dataset/"):
        try:
            with urllib.request.urlopen(f"{superset_stack.url}{path}", timeout=30) as response:
                status, body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            status, body = exc.code, None
        assert status == 401 or (status == 200 and body["count"] == 0), (path, status)
    # A dashboard page sends an anonymous visitor to the login form.
    with urllib.request.urlopen(f"{superset_stack.url}/superset/dashboard/inquiry-funnel/", timeout=30) as r:
        assert "/login/" in r.url


def test_cost_per_inquiry_through_the_chart_data_api(superset_stack):
    client = superset_stack.client()
    rows = client.query_metrics("mart_channel_cost_per_inquiry", ["cost_per_inquiry"], ["channel_id"])
    assert _by(rows, "channel_id", "cost_per_inquiry") == pytest.approx(EXPECTED["cpi_by_channel"])
    (total,) = client.query_metrics("mart_channel_cost_per_inquiry", ["cost_per_inquiry", "spend_total_cny"])
    assert total["cost_per_inquiry"] == pytest.approx(EXPECTED["cpi_total"])
    assert total["spend_total_cny"] == pytest.approx(16300.00)
    # The monthly rollup recomputes the same ratio from its sums.
    monthly = client.query_metrics(
        "mart_channel_cost_per_inquiry_monthly", ["cost_per_inquiry"], ["channel_id"]
    )
    assert _by(monthly, "channel_id", "cost_per_inquiry") == pytest.approx(EXPECTED["cpi_by_channel"])


def test_funnel_and_margin_metrics(superset_stack):
    client = superset_stack.client()
    (funnel,) = client.query_metrics(
        "mart_inquiry_funnel",
        [
            "inquiries_total",
            "inquiries_valid",
            "intentional_rate",
            "effective_rate",
            "win_rate",
            "overall_conversion",
        ],
    )
    assert funnel["inquiries_total"] == EXPECTED["inquiries_total"]
    assert funnel["inquiries_valid"] == EXPECTED["inquiries_valid"]
    assert funnel["intentional_rate"] == pytest.approx(13 / 18)
    assert funnel["effective_rate"] == pytest.approx(7 / 13)
    assert funnel["win_rate"] == pytest.approx(5 / 7)
    assert funnel["overall_conversion"] == pytest.approx(5 / 18)
    # Ratios are NULL, not 0, where the denominator is 0 (WeChat has no effective inquiry).
    by_channel = client.query_metrics("mart_inquiry_funnel", ["win_rate"], ["channel_id"])
    assert _by(by_channel, "channel_id", "win_rate")["wechat"] is None
    stages = client.query_metrics("mart_inquiry_funnel_stages", ["inquiries"], ["stage_name"])
    assert sorted(_by(stages, "stage_name", "inquiries").values(), reverse=True) == [
        20,
        18,
        13,
        7,
        5,
        4,
    ]  # the last is 流失 Lost (Q02 Q05 Q06 Q16)
    # September's P-200 has no cost card (its margin is unknown), so compare a fully costed month.
    october = [{"col": "month_start", "op": "TEMPORAL_RANGE", "val": "2026-10-01 : 2026-11-01"}]
    margin = client.query_metrics("mart_product_margin", ["gross_margin_rate"], ["product_class"], october)
    assert _by(margin, "product_class", "gross_margin_rate") == pytest.approx(EXPECTED["gross_margin_rate"])


@pytest.mark.browser
def test_browser_check_finds_every_chart_rendered_with_data(superset_stack):
    report = browser_check(
        superset_stack.url,
        superset_stack.username,
        superset_stack.password,
        superset_stack.artifacts / "healthy",
    )
    print(report.summary())
    assert report.ok, report.summary()
    assert len(report.dashboards) == len(_assets("dashboards"))
    assert len(report.charts) == len(_assets("charts"))
    assert all(chart.rendered and chart.has_data and chart.error is None for chart in report.charts)
    for dashboard in report.dashboards:
        assert Path(dashboard.screenshot).stat().st_size > 10_000
        # Every dashboard opens on the last complete month and says how far the data goes.
        assert dashboard.data_through == ["2026-10-31"], dashboard.title
        assert dashboard.period_months == ["2026-10-01 ~ 2026-10-31"], dashboard.title
        assert dashboard.period_shown == dashboard.period_applied[0] == "上个完整月 Last complete month"


def test_a_new_publish_is_shown_without_restart(superset_stack):
    client = superset_stack.client()
    pid = superset_stack.pid()
    before = client.query_metrics("mart_channel_cost_per_inquiry", ["cost_per_inquiry"], ["channel_id"])
    assert _by(before, "channel_id", "cost_per_inquiry") == pytest.approx(EXPECTED["cpi_by_channel"])

    publish(superset_stack.settings.serving_dir, "serving-v2", ppc_factor=2.0)

    after = client.query_metrics("mart_channel_cost_per_inquiry", ["cost_per_inquiry"], ["channel_id"])
    assert _by(after, "channel_id", "cost_per_inquiry") == pytest.approx(EXPECTED["cpi_by_channel_updated"])
    (total,) = client.query_metrics("mart_channel_cost_per_inquiry", ["cost_per_inquiry"])
    assert total["cost_per_inquiry"] == pytest.approx(EXPECTED["cpi_total_updated"])
    assert superset_stack.pid() == pid  # same server process: no restart


@pytest.mark.browser
def test_browser_check_reports_a_broken_dataset(superset_stack):
    # A publish whose cost mart lost a column: the charts that use it must be reported.
    publish(
        superset_stack.settings.serving_dir,
        "serving-broken",
        drop_column=("mart_channel_cost_per_inquiry", "spend_fixed_cny"),
    )
    try:
        report = browser_check(
            superset_stack.url,
            superset_stack.username,
            superset_stack.password,
            superset_stack.artifacts / "broken",
        )
    finally:
        publish(superset_stack.settings.serving_dir, "serving-v3")
    print(report.summary())
    assert not report.ok
    failing = {chart.chart: chart for chart in report.failures}
    # Only the charts that use spend_fixed_cny break; the report names them and quotes the error.
    assert "花费构成 Spend: fixed vs variable" in failing
    assert "渠道投入产出 ROAS / ROI by channel" in failing
    for chart in failing.values():
        assert chart.dashboard == "渠道成本 Channel cost per inquiry"
        assert not chart.has_data
        assert chart.error and "spend_fixed_cny" in chart.error, chart
    healthy = [c for c in report.charts if c.dashboard != "渠道成本 Channel cost per inquiry"]
    assert healthy and all(c.ok for c in healthy)
