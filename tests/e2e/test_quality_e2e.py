"""Quality results where people look (issue 14), over the real pipeline run of the small demo:

- the Data Docs index and a validation page, and the dbt docs site, open in Chromium with every
  request to another host refused (route interception): their tables have rows, and no request
  left the local files;
- no generated page refers to another host (the grep test);
- after a run with one refused file and a warning, the 数据质量 Data quality dashboard shows both,
  and its charts' data (chart-data API) equals the published quality tables.

Screenshots go to artifacts/quality/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "quality"
DBT_TEXT_HOSTS = {
    "docs.getdbt.com",  # the overview page's prose links
    "www.getdbt.com",
    "github.com",  # issue links in dbt's macro comments; marked.js's error message
    "schemas.getdbt.com",  # the manifest's and catalog's schema identifiers
    "fuzzed.getdbt.com",  # the usage tracker's page-address mask (the tracker cannot load)
    "docs.angularjs.org",  # AngularJS error messages
    "errors.angularjs.org",
    "npms.io",  # core-js error message
    "jqueryui.com",  # license comments
    "aviaryan.in",
}
BAD_FILE = REPO / "tests" / "fixtures" / "inputs" / "bad" / "fx_negative_rate.csv"


def _open_offline(url: str, screenshot: Path, ready: str, hash_route: str | None = None) -> dict:
    """Open a local page with every non-local request refused; return what it requested and showed."""
    from playwright.sync_api import sync_playwright

    from xunpan.dashboards.browser import CHROMIUM, CHROMIUM_ARGS

    requested: list[str] = []
    refused: list[str] = []

    def route(handle) -> None:
        target = handle.request.url
        if target.startswith(("file://", "data:")):
            handle.continue_()
        else:
            refused.append(target)
            handle.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto(url + (hash_route or ""), wait_until="load", timeout=60_000)
            page.wait_for_selector(ready, state="visible", timeout=60_000)
            page.wait_for_timeout(500)
            rows = page.locator(f"{ready} tbody tr").count() if "table" in ready else None
            shown = {
                "rows": rows,
                "jquery": page.evaluate("typeof window.jQuery"),
                "text": page.inner_text("body"),
            }
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"requested": requested, "refused": refused, **shown}


def _assert_local(opened: dict) -> None:
    assert opened["refused"] == [], opened["refused"]
    assert opened["requested"], "the page requested nothing at all"
    outside = [u for u in opened["requested"] if not u.startswith(("file://", "data:"))]
    assert outside == []


def test_data_docs_and_dbt_docs_work_offline(pipeline_run) -> None:
    from xunpan.quality.offline_docs import _host, external_references
    from xunpan.transform import dbt_docs

    settings = pipeline_run.settings
    docs = settings.quality_dir / "data_docs"
    index = docs / "index.html"
    # The vendored libraries are the pinned npm packages' own files, copied byte for byte.
    vendored = sorted(p for p in (docs / "static" / "vendor").rglob("*") if p.is_file())
    assert vendored
    for path in vendored:
        source = REPO / "docs-assets" / "node_modules" / path.relative_to(docs / "static" / "vendor")
        assert path.read_bytes() == source.read_bytes(), path

    opened = _open_offline(index.as_uri(), ARTIFACTS / "data-docs-index.png", "table.table")
    _assert_local(opened)
    assert opened["jquery"] == "function"  # the local jQuery loaded and ran
    assert opened["rows"] > 0 and "fct_inquiries" in opened["text"]

    page = next((docs / "validations" / "fct_inquiries").rglob("*.html"))
    opened = _open_offline(page.as_uri(), ARTIFACTS / "data-docs-validation.png", "table.table")
    _assert_local(opened)
    assert opened["jquery"] == "function"
    assert opened["rows"] > 0 and "company_id" in opened["text"]

    site = settings.home / "dbt-docs"
    dbt_index = dbt_docs(settings, site)
    opened = _open_offline(
        dbt_index.as_uri(),
        ARTIFACTS / "dbt-docs-model.png",
        "table",
        hash_route="#!/model/model.xunpan.fct_inquiries",
    )
    _assert_local(opened)
    assert "fct_inquiries" in opened["text"] and opened["rows"] > 0

    # The grep test: no page, stylesheet or script refers to another host, except as text.
    gx_refs = external_references(docs)
    assert [r for r in gx_refs if r.loads] == []
    # The pages and GX's own styles and images hold none at all; the vendored libraries only in
    # their license comments and documentation strings (checked byte-identical above).
    assert [str(r) for r in gx_refs if "vendor" not in r.file.parts] == []
    dbt_refs = external_references(site)
    assert [r for r in dbt_refs if r.loads] == []
    # What the dbt page says as text (never loads): links in the project's and dbt's documentation
    # prose and macro comments, its libraries' error-message and license addresses, and schema
    # identifiers. A new host here is looked at before it is added.
    assert {_host(r.url) for r in dbt_refs} <= DBT_TEXT_HOSTS, sorted({_host(r.url) for r in dbt_refs})
    html = dbt_index.read_text(encoding="utf-8")
    assert "cloudfront.net" not in html and "<script src=" not in html.replace('<script src="data:', "")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_quality_dashboard_shows_a_refused_file_and_a_warning(
    pipeline_run, pipeline_superset, dag_runner
) -> None:
    from xunpan.dashboards.api import SupersetClient
    from xunpan.dashboards.browser import chart_texts_with_filter
    from xunpan.secrets import ensure_secrets

    settings = pipeline_run.settings
    shutil.copy(BAD_FILE, settings.inbox / BAD_FILE.name)
    mp = pytest.MonkeyPatch()
    # Weekend days convert at Friday's rate (two days old): with a one-day limit the gate warns.
    mp.setenv("XUNPAN_FX_MAX_AGE_DAYS", "1")
    try:
        state, tasks = dag_runner(pipeline_run.business_date)
    finally:
        mp.undo()
    assert tasks["audit"] == "success" and tasks["publish"] == "success"
    assert state == "failed" and tasks["report_rejected_files"] == "failed"

    with duckdb.connect(str(settings.serving_current), read_only=True) as con:
        last = _rows(
            con,
            "select run_id, company_id, status_label, strftime(business_date, '%Y-%m-%d'), "
            "strftime(data_through_date, '%Y-%m-%d'), expectations_failed, expectations_warned, "
            "files_quarantined from quality_runs order by finished_at desc limit 1",
        )[0]
        runs = _rows(con, "select count(*) from quality_runs")[0][0]
        refused = _rows(
            con,
            "select company_id, file_name, input_kind_label, reason, bad_row, bad_column "
            "from quality_quarantined_files",
        )
        issues = _rows(
            con,
            f"select suite, expectation_type, outcome_label from quality_expectation_results "
            f"where run_id = '{last[0]}' and outcome <> 'passed' order by all",
        )
        trend = _rows(
            con,
            "select finished_at, sum(expectations_failed), sum(expectations_warned) "
            "from quality_runs group by 1 order by 1",
        )
    run_id, company, status, business_day, data_through, failed, warned, quarantined = last
    assert runs == 2  # the history grew: the first run is kept
    assert (status, failed, quarantined) == ("警告 Warned", 0, 1) and warned >= 1
    assert len(refused) == 1
    assert refused[0][1] == BAD_FILE.name and refused[0][3] and refused[0][4] is not None and refused[0][5]
    assert len(issues) == warned and all(i[2] == "警告 Warned" for i in issues)
    print(f"\nlast run {run_id}: {status}, {warned} warning(s), refused {refused}")

    secrets = ensure_secrets(settings)
    url = pipeline_superset
    client = SupersetClient(url, secrets["SUPERSET_ADMIN_USER"], secrets["SUPERSET_ADMIN_PASSWORD"])
    ids = {c["slice_name"]: c["id"] for c in client.list_all("chart", ("id", "slice_name"))}

    def data(prefix: str) -> list[dict]:
        (chart_id,) = [i for name, i in ids.items() if name.startswith(prefix)]
        answer = client.get(f"/api/v1/chart/{chart_id}/data/")
        return answer["result"][0]["data"]

    shown_last = data("各公司最近一次质量检查")
    assert [
        (
            r["company_id"],
            r["status_label"],
            r["business_day"],
            r["data_through"],
            r["expectations_failed"],
            r["expectations_warned"],
            r["files_quarantined"],
        )
        for r in shown_last
    ] == [(company, status, business_day, data_through, failed, warned, quarantined)]
    shown_refused = data("近30天被拒文件")
    assert [
        (
            r["company_id"],
            r["file_name"],
            r["input_kind_label"],
            r["reason"],
            r["bad_row"],
            r["bad_column"],
        )
        for r in shown_refused
    ] == refused
    shown_issues = data("最近一次检查的失败与警告")
    assert sorted((r["suite"], r["expectation_type"], r["outcome_label"]) for r in shown_issues) == issues
    # One bar per run: the first run's and this run's counts, in order.
    shown_trend = sorted(data("失败与警告的检查"), key=lambda r: r["finished_at"])
    assert [(r["expectations_failed"], r["expectations_warned"]) for r in shown_trend] == [
        (t[1], t[2]) for t in trend
    ]
    assert shown_trend[-1]["expectations_warned"] == warned

    texts, _ = chart_texts_with_filter(
        url,
        secrets["SUPERSET_ADMIN_USER"],
        secrets["SUPERSET_ADMIN_PASSWORD"],
        "data-quality",
        "公司 Company",
        company,
        ARTIFACTS,
    )
    refused_text = next(t for name, t in texts.items() if name and name.startswith("近30天被拒文件"))
    issues_text = next(t for name, t in texts.items() if name and name.startswith("最近一次检查的失败与警告"))
    assert BAD_FILE.name in refused_text
    assert issues[0][1] in issues_text
    assert (ARTIFACTS / f"dashboard-data-quality-{company}.png").stat().st_size > 10_000
