"""Every chart answers the chart-data API from its saved query context, with the marts' figures.

`GET /api/v1/chart/<id>/data/` (what CSV and text reports, thumbnails and API clients use) runs
the query saved with the chart. Each chart's answer is compared with the same aggregation done
directly in DuckDB on the published serving file: the dataset's own metric expressions, grouped by
the chart's columns. Runs on the shared Superset of conftest.py, before test_superset_stack.py
republishes other serving files.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from xunpan.errors import XunpanError

pytestmark = [pytest.mark.slow]

ASSETS = Path(__file__).resolve().parents[2] / "superset" / "assets"


def _charts() -> list[dict]:
    return [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ASSETS / "charts").rglob("*.yaml"))
    ]


def _datasets() -> dict[str, dict]:
    found = {}
    for path in (ASSETS / "datasets").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["uuid"]] = data
    return found


def _number(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return round(float(value), 4)
    return value


def _expected(con, chart: dict, dataset: dict) -> tuple[int, Counter]:
    """Row count and the multiset of metric values (or of non-date raw values), straight from DuckDB."""
    params = chart["params"]
    # A virtual dataset's SQL stands in for its table, as Superset wraps it.
    table = f"({dataset['sql']}) as virtual" if dataset.get("sql") else f"main.{dataset['table_name']}"
    expressions = {m["metric_name"]: m["expression"] for m in dataset["metrics"]}
    temporal = {c["column_name"] for c in dataset["columns"] if c.get("is_dttm")}
    # Calculated columns of the dataset are their SQL expressions.
    sql = {c["column_name"]: c.get("expression") or f'"{c["column_name"]}"' for c in dataset["columns"]}
    where = _where(params, sql)
    if params.get("query_mode") == "raw":
        columns = [c for c in params["all_columns"] if c not in temporal]
        limit = params.get("row_limit", 10000)
        select = ", ".join(f"({sql[c]})" for c in columns)
        rows = con.execute(f"select {select} from {table}{where} limit {limit}").fetchall()
        return len(rows), Counter(tuple(_number(v) for v in row) for row in rows)
    if chart["viz_type"] == "pivot_table_v2":
        columns = params["groupbyRows"] + params["groupbyColumns"]
    else:
        columns = ([params["x_axis"]] if params.get("x_axis") else []) + (params.get("groupby") or [])
    metrics = params.get("metrics") or [params["metric"]]
    grain = params.get("time_grain_sqla")
    dims = [
        f"date_trunc('month', {sql[c]})" if grain == "P1M" and c in temporal else f"({sql[c]})"
        for c in columns
    ]
    select = ", ".join([*dims, *(f"({expressions[m]})" for m in metrics)])
    group = f" group by {', '.join(str(i + 1) for i in range(len(dims)))}" if dims else ""
    rows = con.execute(f"select {select} from {table}{where}{group}").fetchall()
    rows = rows[: params.get("row_limit", 10000)]
    return len(rows), Counter(tuple(_number(v) for v in row[len(dims) :]) for row in rows)


def _literal(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _where(params: dict, sql: dict[str, str]) -> str:
    """The chart's own filters in SQL (an open time range filters nothing)."""
    conditions = []
    for adhoc in params.get("adhoc_filters") or []:
        op, value = adhoc["operator"], adhoc.get("comparator")
        if op == "TEMPORAL_RANGE" and value == "No filter":
            continue
        column = sql[adhoc["subject"]]
        if op in ("IS NULL", "IS NOT NULL"):
            conditions.append(f"({column}) {op.lower()}")
        elif op in ("IN", "NOT IN"):
            conditions.append(f"({column}) {op.lower()} ({', '.join(_literal(v) for v in value)})")
        elif op in ("==", "!=", "<", "<=", ">", ">="):
            conditions.append(f"({column}) {'=' if op == '==' else op} {_literal(value)}")
        else:
            raise AssertionError(f"filter {adhoc} is not recomputed here yet")
    return f" where {' and '.join(conditions)}" if conditions else ""


def _answered(chart: dict, dataset: dict, data: list[dict]) -> tuple[int, Counter]:
    params = chart["params"]
    temporal = {c["column_name"] for c in dataset["columns"] if c.get("is_dttm")}
    if params.get("query_mode") == "raw":
        columns = [c for c in params["all_columns"] if c not in temporal]
    else:
        columns = params.get("metrics") or [params["metric"]]
    values = Counter()
    for row in data:
        values[tuple(_number(_plain(row[c])) for c in columns)] += 1
    return len(data), values


def _plain(value):
    # The API answers dates of raw columns as text; DuckDB gives date objects.
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def test_every_chart_answers_the_data_api_with_the_marts_figures(superset_stack):
    client = superset_stack.client()
    ids = {c["uuid"]: c["id"] for c in client.list_all("chart", ("id", "uuid"))}
    datasets = _datasets()
    con = duckdb.connect(str(superset_stack.settings.serving_current), read_only=True)
    checked, refused = [], []
    try:
        # The charts the server imported (other charts' files may appear while the session runs).
        charts = [c for c in _charts() if c["uuid"] in ids]
        assert len(charts) == len(ids)
        for chart in charts:
            dataset = datasets[chart["dataset_uuid"]]
            try:
                answer = client.get(f"/api/v1/chart/{ids[chart['uuid']]}/data/")
            except XunpanError as exc:
                refused.append(f"{chart['slice_name']} ({chart['viz_type']}): {exc}")
                continue
            (result,) = answer["result"]
            assert not result.get("error"), (chart["slice_name"], result.get("error"))
            expected_count, expected_values = _expected(con, chart, dataset)
            count, values = _answered(chart, dataset, result["data"])
            assert count == expected_count > 0, chart["slice_name"]
            if chart["params"].get("query_mode") != "raw":
                assert values == expected_values, chart["slice_name"]
            else:
                # Raw rows: the same rows (dates aside), whichever order the chart sorts them in.
                assert sum(values.values()) == sum(expected_values.values()), chart["slice_name"]
            checked.append(chart["slice_name"])
    finally:
        con.close()
    assert not refused, "\n".join(refused)
    assert len(checked) == len(ids) >= 42


def test_a_chart_downloads_as_csv(superset_stack):
    client = superset_stack.client()
    ids = {c["uuid"]: c["id"] for c in client.list_all("chart", ("id", "uuid"))}
    chart = next(c for c in _charts() if c["params"].get("query_mode") == "aggregate")
    status, content_type, body = client.raw("GET", f"/api/v1/chart/{ids[chart['uuid']]}/data/?format=csv")
    assert status == 200, body[:500]
    assert "csv" in content_type
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    # One column per group-by column and metric, headed by their Chinese and English names.
    assert len(rows[0]) == len(chart["params"]["groupby"]) + len(chart["params"]["metrics"])
    data = client.get(f"/api/v1/chart/{ids[chart['uuid']]}/data/")["result"][0]["data"]
    assert len(rows) - 1 == len(data) > 0
