"""Open every dashboard in headless Chromium and check that every chart rendered with data.

Drives Debian's /usr/bin/chromium through Playwright (never a downloaded browser). For each
dashboard listed by the REST API, it waits until every chart has finished loading and records
whether it rendered, whether it shows data, and the text of any error alert. It also reads what
an owner sees first: the "数据截至 / data through" date and the period the dashboard opened on
(the reporting-month filter's value, as shown in the filter bar and as stored in the page's
filter state). It saves one full-page screenshot per dashboard.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from xunpan.errors import XunpanError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# What Superset shows instead of a chart when a query returns nothing (English and Chinese UI).
NO_DATA_TEXTS = (
    "No results",
    "No data",
    "无结果",
    "没有数据",
    "此查询没有数据返回",
    "暂无数据",
    "未找到结果",
)

# The period table every dashboard carries (dim_companies): "company  YYYY-MM-DD  start ~ end  ...".
PERIOD_CHART_MARK = "数据截至"
_PERIOD_ROW = re.compile(r"(\d{4}-\d{2}-\d{2})\s+(\d{4}-\d{2}-\d{2} ~ \d{4}-\d{2}-\d{2})")
# The native filter that sets the default period, and the value it must open on.
PERIOD_FILTER_SUFFIX = "-month"
DEFAULT_PERIOD = "上个完整月 Last complete month"

# Classifies one chart holder in the page. Returns {state, text}; state is one of
# loading | error | empty | rendered | blank.
_CLASSIFY_JS = """
(holder) => {
  const text = (holder.innerText || '').trim();
  const q = (sel) => holder.querySelector(sel);
  if (q('[data-test="loading-indicator"], .loading, .ant-skeleton')) return {state: 'loading', text};
  const alert = q('[data-test="error-alert"], .ant-alert-error, [role="alert"], .alert-danger');
  if (alert) return {state: 'error', text: (alert.innerText || '').trim() || text};
  if (q('[data-test="empty-state"], .ant-empty')) return {state: 'empty', text};
  const container = q('[data-test="chart-container"]');
  if (!container) return {state: 'loading', text};
  const canvas = container.querySelector('canvas');
  const svg = container.querySelector('svg');
  const rows = container.querySelectorAll('table tbody tr');
  const body = (container.innerText || '').trim();
  if ((canvas && canvas.width > 0) || (svg && svg.getBoundingClientRect().height > 20)
      || rows.length > 0 || body.length > 0) {
    return {state: 'rendered', text: body.slice(0, 500)};
  }
  return {state: 'blank', text};
}
"""


@dataclass
class ChartResult:
    dashboard: str
    chart_id: int | None
    chart: str
    rendered: bool
    has_data: bool
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.rendered and self.has_data and not self.error


@dataclass
class DashboardResult:
    title: str
    url: str
    expected_charts: int
    screenshot: str | None
    charts: list[ChartResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # What the page shows: data-through dates and last complete months of the period table, the
    # period filter's value in the filter bar (None if absent) and in the page's filter state.
    data_through: list[str] = field(default_factory=list)
    period_months: list[str] = field(default_factory=list)
    period_shown: str | None = None
    period_applied: list[str] | None = None


@dataclass
class BrowserReport:
    base_url: str
    dashboards: list[DashboardResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def charts(self) -> list[ChartResult]:
        return [chart for dashboard in self.dashboards for chart in dashboard.charts]

    @property
    def failures(self) -> list[ChartResult]:
        return [chart for chart in self.charts if not chart.ok]

    @property
    def ok(self) -> bool:
        """True when there was at least one dashboard and every chart rendered with data, error-free."""
        return (
            bool(self.dashboards)
            and not self.problems
            and not any(d.problems for d in self.dashboards)
            and not self.failures
        )

    def summary(self) -> str:
        lines = [
            f"{len(self.dashboards)} dashboards, {len(self.charts)} charts, "
            f"{len(self.failures)} failing ({'OK' if self.ok else 'FAILED'})"
        ]
        lines += [f"  ! {p}" for p in self.problems]
        for dashboard in self.dashboards:
            bad = [c for c in dashboard.charts if not c.ok]
            lines.append(
                f"  {dashboard.title}: {len(dashboard.charts) - len(bad)}/{dashboard.expected_charts} "
                f"charts ok; data through {', '.join(dashboard.data_through) or '?'}, period "
                f"{dashboard.period_shown or '?'} {', '.join(dashboard.period_months)} -> {dashboard.screenshot}"
            )
            lines += [f"    ! {p}" for p in dashboard.problems]
            for chart in bad:
                reason = chart.error or ("no data" if chart.rendered else "not rendered")
                lines.append(f"    x {chart.chart}: {reason}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower() or "dashboard"


def _has_no_data_text(text: str) -> bool:
    return any(marker in text for marker in NO_DATA_TEXTS)


def _login(page, base_url: str, username: str, password: str, timeout_ms: int, attempts: int = 3) -> None:
    # The form is rendered by React; keys typed before it is interactive are lost, so wait for the
    # page to settle and try again if the first submit leaves us on the login page.
    last_error: Exception | None = None
    for _ in range(attempts):
        page.goto(f"{base_url}/login/", wait_until="networkidle", timeout=timeout_ms)
        page.wait_for_selector("input#username", state="visible", timeout=timeout_ms)
        page.fill("input#username", username)
        page.fill("input#password", password)
        page.press("input#password", "Enter")
        try:
            page.wait_for_url(lambda url: "/login" not in url, timeout=20_000)
            return
        except Exception as exc:
            last_error = exc
    raise XunpanError(f"could not log in to {base_url} as {username!r}: {last_error}")


def _wait_settled(page, holder_sel: str, expected: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holders = page.locator(holder_sel)
        count = holders.count()
        if count >= max(expected, 1):
            states = [holders.nth(i).evaluate(_CLASSIFY_JS)["state"] for i in range(count)]
            if all(state in ("rendered", "error", "empty") for state in states):
                page.wait_for_timeout(500)  # let the chart animations finish
                return True
        page.wait_for_timeout(250)
    return False


def _check_dashboard(
    page, base_url: str, dashboard: dict, artifacts_dir: Path, chart_timeout: float, timeout_ms: int
) -> DashboardResult:
    title = dashboard["dashboard_title"]
    charts_answer = page.request.get(f"{base_url}/api/v1/dashboard/{dashboard['id']}/charts")
    expected = {}
    if charts_answer.ok:
        expected = {int(c["id"]): c["slice_name"] for c in charts_answer.json()["result"]}
    result = DashboardResult(
        title=title, url=f"{base_url}{dashboard['url']}", expected_charts=len(expected), screenshot=None
    )
    if not expected:
        result.problems.append("the dashboard has no charts (or the chart list could not be read)")
    page.goto(result.url, wait_until="domcontentloaded", timeout=timeout_ms)
    holder_sel = '[data-test="dashboard-component-chart-holder"]'
    holders = page.locator(holder_sel)
    # The page rewrites its own URL (native filter state) while it starts, so poll rather than
    # wait on one JavaScript context.
    deadline = time.monotonic() + chart_timeout
    while holders.count() < max(len(expected), 1) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    if holders.count() < len(expected):
        result.problems.append(f"only {holders.count()} of {len(expected)} charts appeared")
    seen: set[int] = set()
    for index in range(holders.count()):
        holder = holders.nth(index)
        holder.scroll_into_view_if_needed(timeout=timeout_ms)
        container = holder.locator('[data-test="chart-grid-component"]')
        chart_id = None
        name = f"chart #{index + 1}"
        deadline = time.monotonic() + chart_timeout
        state = {"state": "loading", "text": ""}
        while time.monotonic() < deadline:
            if container.count():
                raw_id = container.first.get_attribute("data-test-chart-id")
                chart_id = int(raw_id) if raw_id and raw_id.isdigit() else None
                name = container.first.get_attribute("data-test-chart-name") or name
            state = holder.evaluate(_CLASSIFY_JS)
            if state["state"] in ("error", "empty", "rendered"):
                break
            page.wait_for_timeout(250)
        if chart_id is not None:
            seen.add(chart_id)
            name = expected.get(chart_id, name)
        text = state.get("text") or ""
        rendered = state["state"] in ("empty", "rendered")
        error = None
        if state["state"] == "error":
            error = text[:1000] or "error alert without text"
        elif not rendered:
            error = f"still {state['state']} after {chart_timeout:.0f} s"
        has_data = state["state"] == "rendered" and not _has_no_data_text(text)
        result.charts.append(
            ChartResult(title, chart_id, name, rendered=rendered, has_data=has_data, error=error)
        )
    for chart_id, name in expected.items():
        if chart_id not in seen:
            result.charts.append(
                ChartResult(
                    title, chart_id, name, rendered=False, has_data=False, error="chart not found on the page"
                )
            )
    page.evaluate("window.scrollTo(0, 0)")
    # The dashboard may re-render once its native filters settle (the URL gains a filter key):
    # before the screenshot, wait until every chart is drawn again, so the picture shows them.
    if not _wait_settled(page, holder_sel, len(expected), chart_timeout):
        result.problems.append("the charts did not all finish drawing again before the screenshot")
    _read_period(page, base_url, dashboard, holder_sel, result)
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    shot = artifacts_dir / f"dashboard-{_slug(dashboard.get('slug') or title)}.png"
    page.screenshot(path=str(shot), full_page=True)
    result.screenshot = str(shot)
    return result


def _filter_state(page, base_url: str, dashboard_id: int) -> dict:
    """The native filter values the page applied, from the filter state its URL points at."""
    match = re.search(r"native_filters_key=([^&#]+)", page.url)
    if not match:
        return {}
    answer = page.request.get(f"{base_url}/api/v1/dashboard/{dashboard_id}/filter_state/{match.group(1)}")
    if not answer.ok:
        return {}
    value = answer.json().get("value")
    state = json.loads(value) if isinstance(value, str) else value
    return state if isinstance(state, dict) else {}


def _read_period(page, base_url: str, dashboard: dict, holder_sel: str, result: DashboardResult) -> None:
    """Record the data-through date and the period the dashboard shows; note what is missing."""
    holders = page.locator(holder_sel)
    for index in range(holders.count()):
        text = holders.nth(index).inner_text()
        if PERIOD_CHART_MARK in text:
            for through, month in _PERIOD_ROW.findall(text):
                result.data_through.append(through)
                result.period_months.append(month)
            break
    if not result.data_through:
        result.problems.append(f"no '{PERIOD_CHART_MARK} / data through' date is shown")
    panel = page.locator('[data-test="dashboard-filters-panel"]')
    panel_text = panel.first.inner_text() if panel.count() else page.inner_text("body")
    if DEFAULT_PERIOD in panel_text:
        result.period_shown = DEFAULT_PERIOD
    else:
        result.problems.append(f"the filter bar does not show the default period {DEFAULT_PERIOD!r}")
    for filter_id, mask in _filter_state(page, base_url, dashboard["id"]).items():
        if filter_id.endswith(PERIOD_FILTER_SUFFIX) and isinstance(mask, dict):
            result.period_applied = list((mask.get("filterState") or {}).get("value") or [])
    if result.period_applied != [DEFAULT_PERIOD]:
        result.problems.append(
            f"the page applied the period {result.period_applied!r}, not {DEFAULT_PERIOD!r}"
        )


def browser_check(
    base_url: str,
    username: str,
    password: str,
    artifacts_dir: Path,
    chart_timeout: float = 60.0,
    viewport: tuple[int, int] = (1600, 1400),
) -> BrowserReport:
    """Log in, open every dashboard and record per chart: rendered, has data, error text.

    Screenshots (one full page per dashboard) and report.json go to `artifacts_dir`.
    `BrowserReport.ok` is False if any chart errored, shows no data, or did not render.
    """
    from playwright.sync_api import sync_playwright

    base_url = base_url.rstrip("/")
    artifacts_dir = Path(artifacts_dir)
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    report = BrowserReport(base_url=base_url)
    timeout_ms = int(chart_timeout * 1000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN"
            )
            page = context.new_page()
            try:
                _login(page, base_url, username, password, timeout_ms)
            except Exception as exc:
                report.problems.append(f"login as {username!r} failed: {exc}")
                return report
            listing = page.request.get(f"{base_url}/api/v1/dashboard/?q=(page:0,page_size:100)")
            if not listing.ok:
                report.problems.append(f"listing dashboards answered HTTP {listing.status}")
                return report
            dashboards = sorted(listing.json()["result"], key=lambda d: d["id"])
            if not dashboards:
                report.problems.append("Superset has no dashboards")
            for dashboard in dashboards:
                report.dashboards.append(
                    _check_dashboard(page, base_url, dashboard, artifacts_dir, chart_timeout, timeout_ms)
                )
        finally:
            browser.close()
    (artifacts_dir / "report.json").write_text(report.to_json(), encoding="utf-8")
    return report


def _pick_filter_value(page, filter_name: str, value: str, timeout_ms: int) -> None:
    """Choose `value` in the native select filter called `filter_name` and apply the filters."""
    title = page.locator('[data-test="filter-control-name"]', has_text=filter_name).first
    title.wait_for(state="visible", timeout=timeout_ms)
    # The select sits in the same form item as the filter's title.
    item = title.locator("xpath=ancestor::*[.//div[contains(@class, 'ant-select-selector')]][1]")
    item.locator(".ant-select-selector").first.click()
    option = page.locator(
        ".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option", has_text=value
    ).first
    option.click(timeout=timeout_ms)
    page.keyboard.press("Escape")
    page.locator('[data-test="filterbar-action-buttons"] button[type="submit"]').first.click(
        timeout=timeout_ms
    )


def chart_texts_with_filter(
    base_url: str,
    username: str,
    password: str,
    slug: str,
    filter_name: str,
    value: str,
    artifacts_dir: Path,
    chart_timeout: float = 60.0,
) -> tuple[dict[str, str], dict]:
    """Open a dashboard, pick one value of one native filter as an owner would, apply it.

    Returns the text of every chart by name once they have drawn again, and the filter state the
    page then holds; saves a screenshot as dashboard-<slug>-<value>.png in `artifacts_dir`.
    """
    from playwright.sync_api import sync_playwright

    base_url = base_url.rstrip("/")
    timeout_ms = int(chart_timeout * 1000)
    holder_sel = '[data-test="dashboard-component-chart-holder"]'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="zh-CN").new_page()
            _login(page, base_url, username, password, timeout_ms)
            dashboard = page.request.get(f"{base_url}/api/v1/dashboard/{slug}").json()["result"]
            expected = len(page.request.get(f"{base_url}/api/v1/dashboard/{slug}/charts").json()["result"])
            page.goto(
                f"{base_url}/superset/dashboard/{slug}/", wait_until="domcontentloaded", timeout=timeout_ms
            )
            if not _wait_settled(page, holder_sel, expected, chart_timeout):
                raise XunpanError(f"{slug}: the charts did not finish drawing")
            _pick_filter_value(page, filter_name, value, timeout_ms)
            # The filter state key in the URL changes once the new value is applied.
            deadline = time.monotonic() + chart_timeout
            state: dict = {}
            while time.monotonic() < deadline:
                state = _filter_state(page, base_url, dashboard["id"])
                values = [
                    (m.get("filterState") or {}).get("value") or []
                    for m in state.values()
                    if isinstance(m, dict)
                ]
                if any(value in v for v in values):
                    break
                page.wait_for_timeout(250)
            page.wait_for_timeout(500)
            if not _wait_settled(page, holder_sel, expected, chart_timeout):
                raise XunpanError(f"{slug}: the charts did not draw again after picking {value!r}")
            texts = {}
            holders = page.locator(holder_sel)
            for index in range(holders.count()):
                holder = holders.nth(index)
                container = holder.locator('[data-test="chart-grid-component"]')
                name = container.first.get_attribute("data-test-chart-name") if container.count() else None
                texts[name or f"chart #{index + 1}"] = holder.inner_text()
            Path(artifacts_dir).mkdir(parents=True, exist_ok=True)
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(300)
            page.screenshot(
                path=str(Path(artifacts_dir) / f"dashboard-{_slug(slug)}-{_slug(value)}.png"), full_page=True
            )
            return texts, state
        finally:
            browser.close()
