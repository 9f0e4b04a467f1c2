"""Issue 15, acceptance 1: the owner of a demo company opens 经营总览 Overview in Chromium.

What the dashboard displays for the last complete week and for the week before must equal the
published marts (mart_overview_weekly, mart_overview_kpis_weekly, mart_overview_month_to_date),
at a 1366x768 laptop size and at a phone width. Screenshots of both stay in artifacts/e2e/ (the
CI artifact folder). The small demo runs 2025-12-01..2026-01-20 (a Tuesday): its last complete
week is 2026-01-12..01-18 and the week before 2026-01-05..01-11.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

COMPANY = "default"  # the small demo's company (generate_small)
LAST_WEEK = dt.date(2026, 1, 12)
FORMATS = {"funnel": ",d", "rates": ".1%", "costs": ",.2f"}


def shown(value: Decimal | float | int | None, fmt: str) -> str:
    """A value as the dashboard's d3 format prints it; Superset shows N/A for NULL."""
    if value is None:
        return "N/A"
    if fmt == ",d":
        return f"{int(value):,}"
    if fmt == ".1%":
        return f"{float(value) * 100:.1f}%"
    if fmt == ".0%":
        return f"{float(value) * 100:.0f}%"
    if fmt == ",.0f":
        return f"{float(value):,.0f}"
    return f"{float(value):,.2f}"


def table_rows(text: str) -> dict[str, list[str]]:
    """A table chart's text (cells separated by tabs) as {first cell: cells}."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) > 1:
            rows[cells[0]] = cells
    return rows


def test_owner_sees_the_marts_figures_for_the_last_complete_week_and_the_week_before(
    pipeline_run, pipeline_superset
) -> None:
    from xunpan.dashboards.overview_check import read_overview
    from xunpan.dashboards.users import add_user

    settings = pipeline_run.settings
    assert pipeline_run.state == "success"
    with duckdb.connect(str(settings.serving_current), read_only=True) as con:
        weeks = con.execute(
            "select week_start, inquiries_valid, deals_won, spend_total_cny, cost_per_inquiry_cny "
            "from mart_overview_weekly where company_id = ? and week_start in (?, ?) order by week_start",
            [COMPANY, LAST_WEEK - dt.timedelta(days=7), LAST_WEEK],
        ).fetchall()
        kpis = con.execute(
            "select metric_group, metric_name, value_this_week, value_last_week, vs_last_week_text "
            "from mart_overview_kpis_weekly where company_id = ? and is_last_complete_week order by metric_order",
            [COMPANY],
        ).fetchall()
        before = dict(
            con.execute(
                "select metric_name, value_this_week from mart_overview_kpis_weekly "
                "where company_id = ? and week_start = ?",
                [COMPANY, LAST_WEEK - dt.timedelta(days=7)],
            ).fetchall()
        )
        month_to_date = con.execute(
            "select measure_name, actual_month_to_date, target_month from mart_overview_month_to_date "
            "where company_id = ? and is_last_complete_week order by measure_order",
            [COMPANY],
        ).fetchall()
        through = con.execute(
            "select data_through_date, last_complete_week_start from dim_companies"
        ).fetchall()
    assert through == [(dt.date(2026, 1, 20), LAST_WEEK)]
    assert [w[0] for w in weeks] == [LAST_WEEK - dt.timedelta(days=7), LAST_WEEK]
    assert len(kpis) == 11 and len(month_to_date) == 5

    owner = add_user(settings, "owner", COMPANY)
    views = read_overview(
        pipeline_superset, owner.username, owner.password, settings.repo / "artifacts" / "e2e"
    )

    (_, valid, deals, spend, cpi) = weeks[1]
    for view in views:
        where = f"{view.size} {view.width}x{view.height}"
        # It opened on the last complete week, for the owner's own company.
        assert view.applied["week"] == ["上个完整周 Last complete week"], (where, view.applied)
        period = view.charts["数据截至与报告期 Data through and reporting period"]
        assert "2026-01-20\t2025-12-01 ~ 2025-12-31\t2026-01-12 ~ 2026-01-18" in period, where
        charts = view.charts
        # The headline tiles: the last complete week.
        assert shown(valid, ",d") in charts["合格询盘 Valid inquiries"], where
        assert shown(deals, ",d") in charts["成交单数 Deals closed"], where
        assert shown(spend, ",.2f") in charts["花费 Spend (CNY)"], where
        assert shown(cpi, ",.2f") in charts["询盘成本 Cost / valid inquiry"], where
        # The comparison tables: this week, the week before (the same as that week's own row), and
        # the arrow text of the mart.
        tables = {
            "funnel": table_rows(
                charts["询盘漏斗 本周 vs 上周 vs 去年同周 Funnel: this week, last week, same week last year"]
            ),
            "rates": table_rows(charts["阶段转化率 Stage rates"]),
            "costs": table_rows(charts["花费与成本（下降为好） Spend and costs (down is good)"]),
        }
        for group, name, this_week, last_week, arrow in kpis:
            cells = tables[group][name]
            fmt = FORMATS[group]
            assert cells[1:4] == [shown(this_week, fmt), shown(last_week, fmt), arrow], (where, name, cells)
            assert shown(before[name], fmt) == cells[2], (where, name)
        targets = table_rows(charts["本月至今 vs 目标 Month to date vs target"])
        for name, actual, target in month_to_date:
            assert targets[name][1:3] == [shown(actual, ",.0f"), shown(target, ",.0f")], (where, name)
        week = charts["报告周与节假日 Week and holidays"]
        assert "2026-01-12 ~ 2026-01-18" in week and "2026-W03" in week, where
        assert view.screenshot is not None and view.screenshot.stat().st_size > 10_000
        assert view.screenshot.parent == settings.repo / "artifacts" / "e2e"
    assert {v.size for v in views} == {"desktop", "phone"}
    assert Path(settings.repo / "artifacts" / "e2e" / "overview-phone-390x844.png").is_file()
