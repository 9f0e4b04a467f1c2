"""Open the 经营总览 Overview dashboard as one user at several screen sizes, as an owner would.

Returns what every chart shows (its text, by chart name) and keeps a screenshot per size, so a
test can compare the displayed figures with the marts and a person can look at the pictures.
Drives Debian's chromium through Playwright like xunpan.dashboards.browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xunpan.dashboards.browser import CHROMIUM, CHROMIUM_ARGS, _filter_state, _login, _wait_settled
from xunpan.errors import XunpanError

SLUG = "overview"
# The laptop the issue names, and a common phone width (CSS pixels).
DESKTOP = ("desktop", 1366, 768)
PHONE = ("phone", 390, 844)
_HOLDER = '[data-test="dashboard-component-chart-holder"]'


@dataclass
class OverviewView:
    """One screen size: every chart's text by chart name, the screenshot, the applied filter values."""

    size: str
    width: int
    height: int
    charts: dict[str, str] = field(default_factory=dict)
    screenshot: Path | None = None
    # Native filter id suffix (company, month, week) -> the values the page applied.
    applied: dict[str, list] = field(default_factory=dict)


def read_overview(
    base_url: str,
    username: str,
    password: str,
    artifacts_dir: Path,
    sizes: tuple[tuple[str, int, int], ...] = (DESKTOP, PHONE),
    chart_timeout: float = 90.0,
) -> list[OverviewView]:
    """Log in, open /superset/dashboard/overview/ at each size, wait for every chart, read and shoot."""
    from playwright.sync_api import sync_playwright

    base_url = base_url.rstrip("/")
    timeout_ms = int(chart_timeout * 1000)
    artifacts_dir = Path(artifacts_dir)
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    views: list[OverviewView] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for size, width, height in sizes:
                context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                page = context.new_page()
                _login(page, base_url, username, password, timeout_ms)
                answer = page.request.get(f"{base_url}/api/v1/dashboard/{SLUG}/charts")
                if not answer.ok:
                    raise XunpanError(
                        f"{username} cannot list the charts of dashboard {SLUG}: HTTP {answer.status}"
                    )
                expected = len(answer.json()["result"])
                page.goto(
                    f"{base_url}/superset/dashboard/{SLUG}/",
                    wait_until="domcontentloaded",
                    timeout=timeout_ms,
                )
                # Charts below the fold load when scrolled to: visit each before reading.
                if not _wait_settled(page, _HOLDER, min(expected, 1), chart_timeout):
                    failed = artifacts_dir / f"overview-{size}-{width}x{height}-failed.png"
                    page.screenshot(path=str(failed), full_page=True)
                    raise XunpanError(f"{SLUG} at {width}x{height}: no chart finished drawing (see {failed})")
                holders = page.locator(_HOLDER)
                for index in range(holders.count()):
                    holders.nth(index).scroll_into_view_if_needed(timeout=timeout_ms)
                    page.wait_for_timeout(200)
                if not _wait_settled(page, _HOLDER, expected, chart_timeout):
                    raise XunpanError(f"{SLUG} at {width}x{height}: the charts did not all finish drawing")
                view = OverviewView(size, width, height)
                for index in range(holders.count()):
                    holder = holders.nth(index)
                    container = holder.locator('[data-test="chart-grid-component"]')
                    name = (
                        container.first.get_attribute("data-test-chart-name") if container.count() else None
                    )
                    view.charts[name or f"chart #{index + 1}"] = holder.inner_text()
                dashboard_id = page.request.get(f"{base_url}/api/v1/dashboard/{SLUG}").json()["result"]["id"]
                for filter_id, mask in _filter_state(page, base_url, dashboard_id).items():
                    if isinstance(mask, dict):
                        values = (mask.get("filterState") or {}).get("value") or []
                        view.applied[filter_id.rsplit("-", 1)[-1]] = list(values)
                page.evaluate("window.scrollTo(0, 0)")
                # Charts scrolled away may be drawn again: wait for all before the pictures.
                page.wait_for_timeout(500)
                _wait_settled(page, _HOLDER, expected, chart_timeout)
                view.screenshot = artifacts_dir / f"overview-{size}-{width}x{height}.png"
                page.screenshot(path=str(view.screenshot), full_page=True)
                # What fits the first screen, as the owner sees it without scrolling.
                page.screenshot(
                    path=str(artifacts_dir / f"overview-{size}-{width}x{height}-first-screen.png")
                )
                views.append(view)
                context.close()
        finally:
            browser.close()
    return views
