"""Saved query contexts for the charts of superset/assets, generated from each chart's params.

Superset's chart-data endpoint (`GET /api/v1/chart/<id>/data/`), CSV and text reports and the
report executor read a chart's *saved query context*, which only the browser writes (when someone
saves the chart in Explore). Charts imported from YAML have none, and every one of them answered
400 "图表未保存任何查询上下文" (no saved query context). Writing the JSON by hand into every YAML
file would drift from the params, so it is generated here when the import bundle is rendered
(xunpan.dashboards.assets.render_bundle), for every chart whose file says `query_context: null`:
charts added later by anyone get theirs too, without a generator to remember.

The queries follow what Superset 6.1's front end builds for each chart type (its `buildQuery`):
the same columns, metrics, filters, ordering and row limit, without the front end's
post-processing (pivoting for the ECharts series), so the endpoint and the CSV answer in the long
form: one row per x value and series. The datasource id is a placeholder: Superset's importer
rewrites it to the imported dataset's id (superset/commands/utils.py update_chart_config_dataset).

Standard library only: docker/superset-init.sh renders the bundle with nothing but the package's
source on the path.
"""

from __future__ import annotations

import json
from typing import Any

from xunpan.errors import XunpanError

# Chart types whose query this module knows how to build.
SUPPORTED_VIZ_TYPES = (
    "big_number_total",
    "big_number",
    "pie",
    "funnel",
    "table",
    "pivot_table_v2",
    "echarts_timeseries_bar",
    "echarts_timeseries_line",
    "echarts_timeseries_smooth",
    "echarts_timeseries_step",
    "echarts_area",
)
_TIMESERIES = (
    "echarts_timeseries_bar",
    "echarts_timeseries_line",
    "echarts_timeseries_smooth",
    "echarts_timeseries_step",
    "echarts_area",
    "big_number",
)
PLACEHOLDER_DATASOURCE = {"id": 0, "type": "table"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _filters(params: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The adhoc filters as the query's `filters` (simple WHERE) and `extras` (custom SQL)."""
    filters: list[dict[str, Any]] = []
    where: list[str] = []
    having: list[str] = []
    for adhoc in _as_list(params.get("adhoc_filters")):
        if adhoc.get("expressionType") == "SIMPLE" and adhoc.get("clause", "WHERE") == "WHERE":
            item = {"col": adhoc["subject"], "op": adhoc["operator"]}
            if adhoc.get("comparator") is not None or adhoc["operator"] not in ("IS NULL", "IS NOT NULL"):
                item["val"] = adhoc.get("comparator")
            filters.append(item)
        elif adhoc.get("expressionType") == "SQL":
            target = having if adhoc.get("clause") == "HAVING" else where
            target.append(f"({adhoc['sqlExpression']})")
        else:
            raise XunpanError(f"adhoc filter {adhoc!r}: only simple WHERE and custom SQL filters are known")
    return filters, {"having": " AND ".join(having), "where": " AND ".join(where)}


def _axis(column: Any, time_grain: str | None) -> Any:
    """A physical column as the query's base axis, with the time grain the chart asks for."""
    if not isinstance(column, str):
        return column
    axis: dict[str, Any] = {
        "columnType": "BASE_AXIS",
        "sqlExpression": column,
        "label": column,
        "expressionType": "SQL",
    }
    if time_grain:
        axis["timeGrain"] = time_grain
    return axis


def _temporal(columns: list[Any], params: dict[str, Any]) -> list[Any]:
    """Table and pivot columns marked temporal get the chart's time grain (as the front end does)."""
    grain = params.get("time_grain_sqla")
    lookup = params.get("temporal_columns_lookup") or {}
    return [_axis(c, grain) if isinstance(c, str) and grain and lookup.get(c) else c for c in columns]


def _metric_label(metric: Any) -> Any:
    if isinstance(metric, dict):
        return metric.get("label") or metric.get("sqlExpression")
    return metric


def build_query(params: dict[str, Any]) -> dict[str, Any]:
    """The one query object of a chart of a supported type, from its params."""
    viz = params.get("viz_type")
    if viz not in SUPPORTED_VIZ_TYPES:
        raise XunpanError(
            f"chart type {viz!r} has no query-context builder (known: {', '.join(SUPPORTED_VIZ_TYPES)}); "
            "add one to xunpan/dashboards/query_context.py or save the chart's query_context in its YAML"
        )
    filters, extras = _filters(params)
    query: dict[str, Any] = {
        "filters": filters,
        "extras": extras,
        "applied_time_extras": {},
        "columns": [],
        "metrics": [],
        "orderby": [],
        "annotation_layers": [],
        "row_limit": int(params.get("row_limit") or 10000),
        "series_limit": int(params.get("series_limit") or 0),
        "order_desc": bool(params.get("order_desc", True)),
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if params.get("time_range"):
        query["time_range"] = params["time_range"]
    if viz == "big_number_total":
        query["metrics"] = [params["metric"]]
    elif viz in ("pie", "funnel"):
        metric = params["metric"]
        query["columns"] = _as_list(params.get("groupby"))
        query["metrics"] = [metric]
        if params.get("sort_by_metric"):
            query["orderby"] = [[metric, False]]
    elif viz == "table":
        if params.get("query_mode") == "raw":
            query["columns"] = _temporal(_as_list(params.get("all_columns")), params)
            # No metrics at all (not an empty list): Superset groups by the columns otherwise.
            del query["metrics"]
            query["orderby"] = [
                json.loads(o) if isinstance(o, str) else o for o in _as_list(params.get("order_by_cols"))
            ]
        else:
            metrics = _as_list(params.get("metrics")) + [
                m for m in _as_list(params.get("percent_metrics")) if m not in _as_list(params.get("metrics"))
            ]
            query["columns"] = _temporal(_as_list(params.get("groupby")), params)
            query["metrics"] = metrics
            sort_metric = params.get("timeseries_limit_metric")
            if sort_metric:
                query["orderby"] = [[sort_metric, not params.get("order_desc", True)]]
            elif metrics:
                query["orderby"] = [[metrics[0], False]]
    elif viz == "pivot_table_v2":
        metrics = _as_list(params.get("metrics"))
        query["columns"] = _temporal(
            _as_list(params.get("groupbyRows")) + _as_list(params.get("groupbyColumns")), params
        )
        query["metrics"] = metrics
        sort_metric = params.get("series_limit_metric") or params.get("timeseries_limit_metric")
        if sort_metric:
            query["orderby"] = [[sort_metric, not params.get("order_desc", True)]]
        elif metrics:
            query["orderby"] = [[metrics[0], not params.get("order_desc", True)]]
    else:  # time series and categorical bars / lines: x axis first, then the series columns
        grain = params.get("time_grain_sqla")
        x_axis = params.get("x_axis") or params.get("granularity_sqla")
        groupby = _as_list(params.get("groupby"))
        metrics = _as_list(params.get("metrics")) or _as_list(params.get("metric"))
        query["columns"] = ([_axis(x_axis, grain)] if x_axis else []) + groupby
        query["series_columns"] = groupby
        query["metrics"] = metrics
        if grain:
            query["extras"]["time_grain_sqla"] = grain
        sort_metric = params.get("series_limit_metric") or params.get("timeseries_limit_metric")
        if sort_metric:
            query["orderby"] = [[sort_metric, not params.get("order_desc", True)]]
        elif params.get("x_axis_sort"):
            query["orderby"] = [[params["x_axis_sort"], bool(params.get("x_axis_sort_asc", True))]]
        elif metrics and groupby:
            query["orderby"] = [[_metric_label(metrics[0]), not params.get("order_desc", True)]]
    return query


def build_query_context(params: dict[str, Any]) -> dict[str, Any]:
    """The saved query context of a chart: datasource, one query, and the params as form_data."""
    form_data = dict(params)
    form_data["datasource"] = f"{PLACEHOLDER_DATASOURCE['id']}__{PLACEHOLDER_DATASOURCE['type']}"
    return {
        "datasource": dict(PLACEHOLDER_DATASOURCE),
        "force": False,
        "queries": [build_query(params)],
        "form_data": form_data,
        "result_format": "json",
        "result_type": "full",
    }


def with_query_context(chart: dict[str, Any]) -> dict[str, Any]:
    """A chart asset with `query_context` filled in from its params when the file has none."""
    if chart.get("query_context"):
        return chart
    params = dict(chart.get("params") or {})
    params.setdefault("viz_type", chart.get("viz_type"))
    if params["viz_type"] != chart.get("viz_type"):
        raise XunpanError(
            f"chart {chart.get('slice_name')!r}: viz_type {chart.get('viz_type')!r} and params.viz_type "
            f"{params['viz_type']!r} differ"
        )
    return {**chart, "query_context": json.dumps(build_query_context(params), ensure_ascii=False)}
