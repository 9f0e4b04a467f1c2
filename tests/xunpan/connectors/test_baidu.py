"""The Baidu connectors against a local HTTP server answering in the documented shapes: paging,
a 429 with Retry-After, a 500 then success, and a look-back re-pull of restated days."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from xunpan.config import Settings
from xunpan.connectors import (
    ApiError,
    BaiduSearchAdsConnector,
    BaiduTongjiConnector,
    Credentials,
    HttpClient,
    RetryPolicy,
)
from xunpan.errors import XunpanError
from xunpan.landing_manifest import read_manifest

OK_HEADER = {"desc": "success", "failures": [], "oprs": 1, "succ": 1, "oprtime": 0, "quota": 1, "status": 0}


class FakeBaidu:
    """State behind the fake endpoints: data per day, scripted failures, and every request seen."""

    def __init__(self) -> None:
        self.costs: dict[str, str] = {}
        self.tongji: dict[str, list[tuple[str, list[int]]]] = {}
        self.failures: list[tuple[int, dict[str, str]]] = []
        self.requests: list[dict[str, Any]] = []

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        self.requests.append({"path": path, **body})
        if self.failures:
            status, headers = self.failures.pop(0)
            return status, headers, {"error": "try later"}
        if path.endswith("ReportService/getData"):
            return 200, {}, self._tongji(body["body"])
        return 200, {}, self._report(body["body"])

    def _report(self, req: dict[str, Any]) -> dict[str, Any]:
        start, end = dt.date.fromisoformat(req["startDate"]), dt.date.fromisoformat(req["endDate"])
        rows = []
        for day, cost in sorted(self.costs.items()):
            if start <= dt.date.fromisoformat(day) <= end:
                for kw in ("数控机床", "激光切割"):
                    rows.append(
                        {
                            "date": day,
                            "userName": "acme-bd",
                            "campaignNameStatus": "机床",
                            "adGroupNameStatus": "通用",
                            "wInfoNameStatus": kw,
                            "impression": 100,
                            "click": 4,
                            "cost": float(cost),
                        }
                    )
        page = rows[req["startRow"] : req["startRow"] + req["rowCount"]]
        return {
            "header": OK_HEADER,
            "body": {"data": [{"rowCount": len(page), "totalRowCount": len(rows), "rows": page}]},
        }

    def _tongji(self, req: dict[str, Any]) -> dict[str, Any]:
        day = f"{req['start_date'][:4]}-{req['start_date'][4:6]}-{req['start_date'][6:]}"
        items = self.tongji.get(day, [])
        page = items[req["start_index"] : req["start_index"] + req["max_results"]]
        return {
            "header": OK_HEADER,
            "body": {
                "data": [
                    {
                        "result": {
                            "total": len(items),
                            "offset": req["start_index"],
                            "fields": [
                                "source_type_title",
                                "pv_count",
                                "visitor_count",
                                "visit_count",
                                "trans_count",
                            ],
                            "items": [
                                [[{"name": name}] for name, _ in page],
                                [values for _, values in page],
                                [],
                                [],
                            ],
                            "sum": [[sum(v[i] for _, v in items if v[i] != "--") for i in range(4)]],
                            "timeSpan": [day],
                        }
                    }
                ]
            },
        }


@pytest.fixture
def fake(httpserver: HTTPServer) -> tuple[FakeBaidu, str]:
    """The endpoints on pytest-httpserver: every POST is answered by the FakeBaidu state."""
    state = FakeBaidu()

    def respond(request: Request) -> Response:
        status, headers, answer = state.answer(request.path, request.get_json())
        return Response(json.dumps(answer), status=status, headers=headers, content_type="application/json")

    httpserver.expect_request(re.compile("/.*"), method="POST").respond_with_handler(respond)
    return state, httpserver.url_for("").rstrip("/")


def _client(sleeps: list[float]) -> HttpClient:
    return HttpClient(
        RetryPolicy(attempts=4, base_seconds=0.5, max_seconds=30), sleep=sleeps.append, timeout=5
    )


CREDS = Credentials(login="acme-bd", token="t0ken", extra={"site_id": "12345"})


def _spend_by_day(settings: Settings) -> dict[str, Decimal]:
    rows = duckdb.sql(f"""
        with spend as (select * from read_parquet('{settings.raw}/ad_spend/*.parquet', union_by_name = true)),
        latest as (select platform, account, spend_date, max(load_seq) load_seq from spend group by all)
        select cast(spend_date as varchar), sum(cost) from spend join latest using
            (platform, account, spend_date, load_seq) group by 1 order by 1
    """).fetchall()
    return dict(rows)


def test_search_ads_pages_retries_and_replaces_restated_days(
    settings: Settings, fake: tuple[FakeBaidu, str]
) -> None:
    state, base = fake
    state.costs = {f"2026-01-{d:02d}": f"{10 * d}.25" for d in range(1, 13)}
    state.failures = [(429, {"Retry-After": "2"}), (500, {})]
    sleeps: list[float] = []
    connector = BaiduSearchAdsConnector(
        CREDS,
        url=f"{base}/json/sms/service/OpenApiReportService/getReportData",
        page_size=7,
        client=_client(sleeps),
        lookback_days=3,
        initial_days=10,
    )
    first = connector.run(settings, end=dt.date(2026, 1, 10))
    assert (first.window.start, first.window.end, first.rows) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 10),
        20,
    )
    # The 429's Retry-After (2 s) is honoured; the 500 then waits the second back-off step (0.5 * 2).
    assert sleeps == [2.0, 1.0]
    report_calls = [r for r in state.requests if "startRow" in r["body"]]
    assert [r["body"]["startRow"] for r in report_calls[2:]] == [0, 7, 14]
    assert report_calls[-1]["header"] == {"userName": "acme-bd", "accessToken": "t0ken"}

    state.costs.update({"2026-01-08": "99.00", "2026-01-09": "99.00", "2026-01-10": "99.00"})
    second = connector.run(settings, end=dt.date(2026, 1, 12))
    assert (second.window.start, second.window.end) == (dt.date(2026, 1, 8), dt.date(2026, 1, 12))
    assert second.entry is not None
    assert second.entry["superseded"][0]["days"] == ["2026-01-08", "2026-01-09", "2026-01-10"]
    spend = _spend_by_day(settings)
    assert spend["2026-01-07"] == Decimal("140.50")  # two keywords x 70.25, untouched
    assert spend["2026-01-09"] == Decimal("198.00")  # restated: two keywords x 99.00
    assert spend["2026-01-12"] == Decimal("240.50")
    assert len(spend) == 12

    # Re-running the same day re-reads the look-back window; unchanged data leaves every day as it was.
    again = connector.run(settings, end=dt.date(2026, 1, 12))
    assert (again.window.start, again.window.end) == (dt.date(2026, 1, 10), dt.date(2026, 1, 12))
    assert _spend_by_day(settings) == spend
    assert [e["status"] for e in read_manifest(settings)] == ["loaded", "loaded", "loaded"]


def test_tongji_pages_per_day_into_web_traffic(settings: Settings, fake: tuple[FakeBaidu, str]) -> None:
    state, base = fake
    state.tongji = {
        "2026-01-05": [
            ("搜索引擎", [120, 40, 50, 2]),
            ("直接访问", [60, 20, 25, 1]),
            ("外部链接", [10, 5, 5, "--"]),
        ],
        "2026-01-06": [("搜索引擎", [100, 30, 40, 1])],
    }
    connector = BaiduTongjiConnector(
        CREDS,
        url=f"{base}/json/tongji/v1/ReportService/getData",
        page_size=2,
        client=_client([]),
        initial_days=2,
    )
    result = connector.run(settings, end=dt.date(2026, 1, 6))
    assert result.rows == 4
    assert result.entry is not None and result.entry["totals"] == {
        "sessions": 120,
        "visitors": 95,
        "pageviews": 290,
        "conversions": 4,
    }
    starts = [(r["body"]["start_date"], r["body"]["start_index"]) for r in state.requests]
    assert starts == [("20260105", 0), ("20260105", 2), ("20260106", 0)]
    assert state.requests[0]["header"]["account_type"] == 1


def test_persistent_server_errors_end_in_a_clear_error(
    settings: Settings, fake: tuple[FakeBaidu, str]
) -> None:
    state, base = fake
    state.failures = [(503, {})] * 4
    sleeps: list[float] = []
    connector = BaiduSearchAdsConnector(CREDS, url=f"{base}/report", client=_client(sleeps))
    with pytest.raises(ApiError, match="still failing after 4 attempts"):
        connector.run(settings, end=dt.date(2026, 1, 10))
    assert sleeps == [0.5, 1.0, 2.0]
    assert not (settings.home / "connectors" / "default" / "baidu_search_api.json").exists(), (
        "the cursor must not move"
    )


def test_baidu_status_failures_are_reported(settings: Settings, fake: tuple[FakeBaidu, str]) -> None:
    state, base = fake
    bad = {
        "header": {"desc": "failure", "status": 2, "failures": [{"code": 8101, "message": "token invalid"}]}
    }
    state.answer = lambda path, body: (200, {}, bad)  # type: ignore[method-assign]
    connector = BaiduTongjiConnector(CREDS, url=f"{base}/getData", client=_client([]))
    with pytest.raises(ApiError, match="8101: token invalid"):
        connector.run(settings, end=dt.date(2026, 1, 10))


def test_an_identical_pull_is_a_duplicate(settings: Settings, fake: tuple[FakeBaidu, str]) -> None:
    state, base = fake
    state.tongji = {"2026-01-06": [("搜索引擎", [100, 30, 40, 1])]}
    connector = BaiduTongjiConnector(
        CREDS, url=f"{base}/json/tongji/v1/ReportService/getData", client=_client([]), initial_days=1
    )
    connector.run(settings, end=dt.date(2026, 1, 6))
    (settings.home / "connectors" / "default" / "baidu_tongji_api.json").unlink()
    again = connector.run(settings, end=dt.date(2026, 1, 6))
    assert again.entry is not None and again.entry["status"] == "duplicate"
    assert [e["status"] for e in read_manifest(settings)] == ["loaded", "duplicate"]


def test_credentials_come_from_an_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from xunpan.connectors import credentials_from_connection

    monkeypatch.setenv(
        "AIRFLOW_CONN_BAIDU_TONGJI",
        json.dumps(
            {
                "conn_type": "http",
                "login": "acme",
                "password": "s3cret",
                "extra": {"token": "tk", "site_id": "42"},
            }
        ),
    )
    creds = credentials_from_connection("baidu_tongji")
    assert (creds.login, creds.password, creds.token, creds.extra["site_id"]) == (
        "acme",
        "s3cret",
        "tk",
        "42",
    )


def test_each_company_pulls_into_its_own_company_id_with_its_own_cursor(
    settings: Settings, fake: tuple[FakeBaidu, str]
) -> None:
    """Two companies' connections answering the very same figures: both load, each under its company."""
    state, base = fake
    state.costs = {f"2026-01-{d:02d}": "10.00" for d in range(1, 6)}
    url = f"{base}/json/sms/service/OpenApiReportService/getReportData"
    for company, end in (("acme", dt.date(2026, 1, 5)), ("beta", dt.date(2026, 1, 3))):
        connector = BaiduSearchAdsConnector(
            CREDS, url=url, client=_client([]), company_id=company, initial_days=5
        )
        assert connector.run(settings, end=end).entry is not None
    assert [(e["company_id"], e["status"]) for e in read_manifest(settings)] == [
        ("acme", "loaded"),
        ("beta", "loaded"),
    ]
    rows = duckdb.sql(
        f"select company_id, count(*), sum(cost) from read_parquet('{settings.raw}/ad_spend/*.parquet') "
        "group by 1 order by 1"
    ).fetchall()
    assert rows == [("acme", 10, Decimal("100.00")), ("beta", 6, Decimal("60.00"))]
    cursors = {
        p.parent.name: json.loads(p.read_text()) for p in (settings.home / "connectors").glob("*/*.json")
    }
    assert cursors == {"acme": {"last_end": "2026-01-05"}, "beta": {"last_end": "2026-01-03"}}


def test_each_companys_airflow_connection_is_found(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xunpan.pipeline import configured_api_connections

    def connection(login: str) -> str:
        return json.dumps({"conn_type": "http", "login": login, "extra": {"token": "t", "site_id": "1"}})

    monkeypatch.setenv("XUNPAN_COMPANIES", "acme,beta")
    # The default company's bare id still works; acme and beta use `<api>__<company>`.
    monkeypatch.setenv("AIRFLOW_CONN_BAIDU_TONGJI", connection("default-tongji"))
    monkeypatch.setenv("AIRFLOW_CONN_BAIDU_SEARCH__ACME", connection("acme-bd"))
    monkeypatch.setenv("AIRFLOW_CONN_BAIDU_SEARCH__BETA", connection("beta-bd"))
    found = configured_api_connections(Settings.from_env())
    assert [(api, company, conn_id, creds.login) for api, company, conn_id, creds in found] == [
        ("baidu_tongji", "default", "baidu_tongji", "default-tongji"),
        ("baidu_search", "acme", "baidu_search__acme", "acme-bd"),
        ("baidu_search", "beta", "baidu_search__beta", "beta-bd"),
    ]
    monkeypatch.setenv("XUNPAN_COMPANIES", "acme,../x")
    with pytest.raises(XunpanError, match=r"company id '\.\./x' is not allowed"):
        configured_api_connections(Settings.from_env())
