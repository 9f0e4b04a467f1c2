"""Baidu's report APIs: Tongji (百度统计) getData for web traffic, 推广 (凤巢) getReportData for ad spend.

Request and response shapes follow Baidu's documentation: both wrap a JSON `header` (credentials;
in the answer: status 0 = success, `failures` otherwise) around a `body`. Tongji pages with
start_index/max_results and answers `items` as [dimension rows, metric rows]; the 推广 report pages
with startRow/rowCount and answers `rows` of named columns with `totalRowCount`.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xunpan.connectors.base import ApiError, Connector, Credentials, Window

TONGJI_URL = "https://api.baidu.com/json/tongji/v1/ReportService/getData"
SEM_REPORT_URL = "https://api.baidu.com/json/sms/service/OpenApiReportService/getReportData"


def _check(answer: dict[str, Any], what: str) -> dict[str, Any]:
    header = answer.get("header") or {}
    if header.get("status", 0) != 0:
        failures = "; ".join(f"{f.get('code')}: {f.get('message')}" for f in header.get("failures") or [])
        raise ApiError(
            f"{what}: Baidu answered status {header.get('status')} ({header.get('desc')}) {failures}"
        )
    return answer.get("body") or {}


def _count(value: object) -> int:
    """Baidu writes "--" for no data."""
    if value in (None, "", "--"):
        return 0
    return int(float(str(value).replace(",", "")))


class BaiduTongjiConnector(Connector):
    """Web traffic by day and source type from the Tongji 来源分析 report (method source/all/a)."""

    name = "baidu_tongji_api"
    kind = "web_traffic"
    layout = "baidu_tongji_api"
    METRICS = ("pv_count", "visitor_count", "visit_count", "trans_count")
    url = TONGJI_URL
    page_size = 100

    def __init__(self, credentials: Credentials, *, site_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        self.site_id = site_id or str(credentials.extra.get("site_id", ""))
        if not self.site_id:
            raise ApiError("Baidu Tongji needs a site_id (argument or the connection's extra)")

    def fetch(self, window: Window) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows: list[dict[str, Any]] = []
        responses: list[dict[str, Any]] = []
        for day in window.days():
            start_index = 0
            while True:
                answer = self.client.post_json(self.url, self._request(day, start_index))
                responses.append(answer)
                result = _check(answer, "Tongji getData")["data"][0]["result"]
                dimensions, metrics = result["items"][0], result["items"][1]
                fields = result["fields"][1:]
                for dim, values in zip(dimensions, metrics, strict=True):
                    named = dict(zip(fields, values, strict=True))
                    rows.append(
                        {
                            "visit_date": day,
                            "tool": "baidu_tongji",
                            "medium": dim[0]["name"],
                            "source": None,
                            "keyword": None,
                            "landing_page": None,
                            "pageviews": _count(named.get("pv_count")),
                            "visitors": _count(named.get("visitor_count")),
                            "sessions": _count(named.get("visit_count")),
                            "conversions": _count(named.get("trans_count")),
                        }
                    )
                start_index += len(dimensions)
                if not dimensions or start_index >= int(result["total"]):
                    break
        return rows, responses

    def _request(self, day: dt.date, start_index: int) -> dict[str, Any]:
        c = self.credentials
        return {
            "header": {"username": c.login, "password": c.password, "token": c.token, "account_type": 1},
            "body": {
                "site_id": self.site_id,
                "method": "source/all/a",
                "start_date": f"{day:%Y%m%d}",
                "end_date": f"{day:%Y%m%d}",
                "metrics": ",".join(self.METRICS),
                "gran": "day",
                "start_index": start_index,
                "max_results": self.page_size,
            },
        }


class BaiduSearchAdsConnector(Connector):
    """Keyword-level daily spend from the Baidu 推广 reporting API (OpenApiReportService/getReportData)."""

    name = "baidu_search_api"
    kind = "ad_spend"
    layout = "baidu_search_api_keyword"
    COLUMNS = (
        "date",
        "userName",
        "campaignNameStatus",
        "adGroupNameStatus",
        "wInfoNameStatus",
        "impression",
        "click",
        "cost",
    )

    url = SEM_REPORT_URL
    page_size = 1000

    def __init__(self, credentials: Credentials, *, report_type: int | None = None, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        # The keyword report's id; configurable because Baidu numbers report types per product line.
        self.report_type = report_type or int(credentials.extra.get("report_type", 14))

    def fetch(self, window: Window) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows: list[dict[str, Any]] = []
        responses: list[dict[str, Any]] = []
        start_row = 0
        while True:
            answer = self.client.post_json(self.url, self._request(window, start_row))
            responses.append(answer)
            data = _check(answer, "getReportData")["data"][0]
            page = data.get("rows") or []
            for row in page:
                rows.append(
                    {
                        "spend_date": dt.date.fromisoformat(str(row["date"])[:10]),
                        "platform": "baidu_search",
                        "account": row.get("userName") or self.credentials.login,
                        "campaign": row.get("campaignNameStatus"),
                        "ad_group": row.get("adGroupNameStatus"),
                        "keyword": row.get("wInfoNameStatus"),
                        "report_level": "keyword",
                        "impressions": _count(row.get("impression")),
                        "clicks": _count(row.get("click")),
                        "cost": Decimal(str(row.get("cost") or 0)).quantize(Decimal("0.01"), ROUND_HALF_UP),
                        "currency": "CNY",
                    }
                )
            start_row += len(page)
            if not page or start_row >= int(data.get("totalRowCount", 0)):
                break
        return rows, responses

    def _request(self, window: Window, start_row: int) -> dict[str, Any]:
        c = self.credentials
        header = (
            {"userName": c.login, "accessToken": c.token}
            if c.token
            else {"userName": c.login, "password": c.password}
        )
        return {
            "header": header,
            "body": {
                "reportType": self.report_type,
                "startDate": window.start.isoformat(),
                "endDate": window.end.isoformat(),
                "timeUnit": "DAY",
                "columns": list(self.COLUMNS),
                "sorts": [],
                "filters": [],
                "startRow": start_row,
                "rowCount": self.page_size,
                "needSum": False,
            },
        }
