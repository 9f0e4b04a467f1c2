"""A small client for Superset's REST API (standard library only), used by checks and tests."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from xunpan.errors import XunpanError


class SupersetClient:
    """Logs in with the database provider and calls /api/v1 with the bearer token."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # Superset's CSRF token is bound to the session cookie, so keep the cookies.
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self._csrf: str | None = None
        answer = self._call(
            "POST",
            "/api/v1/security/login",
            {"username": username, "password": password, "provider": "db", "refresh": False},
            auth=False,
        )
        self._token = answer["access_token"]

    def _call(self, method: str, path: str, body: Any = None, auth: bool = True) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self._token}")
        if self._csrf and method != "GET":
            request.add_header("X-CSRFToken", self._csrf)
            request.add_header("Referer", self.base_url + "/")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode() or "null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:2000]
            raise XunpanError(f"Superset {method} {path} answered HTTP {exc.code}: {detail}") from exc

    def get(self, path: str) -> Any:
        return self._call("GET", path)

    def raw(self, method: str, path: str, body: Any = None) -> tuple[int, str, bytes]:
        """Any request, CSRF token included; (status, content type, body) even for an error status.

        For probes that expect a refusal, and for downloads that are not JSON (CSV, XLSX).
        """
        if self._csrf is None:
            self._csrf = self.get("/api/v1/security/csrf_token/")["result"]
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        request.add_header("X-CSRFToken", self._csrf)
        request.add_header("Referer", self.base_url + "/")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()

    def dataset_query(
        self,
        dataset_id: int,
        columns: list[Any] | None = None,
        metrics: list[Any] | None = None,
        filters: list[dict[str, Any]] | None = None,
        result_format: str = "json",
        row_limit: int = 10000,
    ) -> dict[str, Any]:
        """The body of a chart-data request on one dataset (POST it to /api/v1/chart/data)."""
        return {
            "datasource": {"id": dataset_id, "type": "table"},
            "force": True,
            "result_format": result_format,
            "result_type": "full",
            "queries": [
                {
                    "columns": columns or [],
                    "metrics": metrics or [],
                    "filters": filters or [],
                    "orderby": [],
                    "row_limit": row_limit,
                }
            ],
        }

    def post(self, path: str, body: Any) -> Any:
        return self._call("POST", path, body)

    def execute_sql(self, database_id: int, sql: str, schema: str = "main") -> dict[str, Any]:
        """Run SQL as SQL Lab does (POST /api/v1/sqllab/execute/, which requires a CSRF token)."""
        if self._csrf is None:
            self._csrf = self.get("/api/v1/security/csrf_token/")["result"]
        return self.post(
            "/api/v1/sqllab/execute/",
            {"database_id": database_id, "sql": sql, "schema": schema, "runAsync": False},
        )

    def list_all(self, resource: str, columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Every object of /api/v1/<resource>/ (dashboard, chart, dataset, database), all pages."""
        rows: list[dict[str, Any]] = []
        page = 0
        select = f",columns:!({','.join(columns)})" if columns else ""
        while True:
            query = urllib.parse.quote(f"(page:{page},page_size:100{select})")
            answer = self.get(f"/api/v1/{resource}/?q={query}")
            rows += answer["result"]
            if not answer["result"] or len(rows) >= answer["count"]:
                return rows
            page += 1

    def dataset_id(self, table_name: str) -> int:
        for row in self.list_all("dataset", ("id", "table_name")):
            if row["table_name"] == table_name:
                return int(row["id"])
        raise XunpanError(f"Superset has no dataset named {table_name!r}")

    def query_metrics(
        self,
        table_name: str,
        metrics: list[str],
        groupby: list[str] | None = None,
        filters: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Run saved metrics of a dataset through the chart data API (the path every chart takes)."""
        dataset_id = self.dataset_id(table_name)
        body = {
            "datasource": {"id": dataset_id, "type": "table"},
            "force": True,
            "result_format": "json",
            "result_type": "full",
            "queries": [
                {
                    "columns": groupby or [],
                    "metrics": metrics,
                    "filters": filters or [],
                    "orderby": [],
                    "row_limit": 10000,
                }
            ],
        }
        answer = self.post("/api/v1/chart/data", body)
        result = answer["result"][0]
        if result.get("error"):
            raise XunpanError(f"chart data query on {table_name} failed: {result['error']}")
        return result["data"]
