"""Every chart of superset/assets gets a saved query context consistent with its params (no server)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from xunpan.config import Settings
from xunpan.dashboards.assets import render_bundle
from xunpan.dashboards.query_context import build_query_context, with_query_context
from xunpan.errors import XunpanError

ASSETS = Path(__file__).resolve().parents[2] / "superset" / "assets"
CHARTS = sorted((ASSETS / "charts").rglob("*.yaml"))


def _label(item):
    if isinstance(item, dict):
        return item.get("label") or item.get("sqlExpression")
    return item


def _dataset_names(dataset_uuid: str) -> tuple[set[str], set[str]]:
    for path in (ASSETS / "datasets").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["uuid"] == dataset_uuid:
            return {c["column_name"] for c in data["columns"]}, {m["metric_name"] for m in data["metrics"]}
    raise AssertionError(f"no dataset {dataset_uuid}")


@pytest.mark.parametrize("path", CHARTS, ids=lambda p: p.stem)
def test_every_chart_gets_a_query_context_matching_its_params(path: Path):
    chart = yaml.safe_load(path.read_text(encoding="utf-8"))
    filled = with_query_context(chart)
    context = json.loads(filled["query_context"])
    params = chart["params"]
    (query,) = context["queries"]
    assert context["form_data"]["viz_type"] == chart["viz_type"]
    # The metrics the chart shows are the ones queried, in the chart's order.
    wanted_metrics = params.get("metrics") or ([params["metric"]] if params.get("metric") else [])
    if params.get("query_mode") == "raw":
        wanted_metrics = []
    assert [_label(m) for m in query.get("metrics") or []] == wanted_metrics
    # The dimensions too: x axis, then the series / group-by columns (or the raw columns).
    if params.get("query_mode") == "raw":
        wanted_columns = params["all_columns"]
    elif chart["viz_type"] == "pivot_table_v2":
        wanted_columns = params["groupbyRows"] + params["groupbyColumns"]
    else:
        wanted_columns = ([params["x_axis"]] if params.get("x_axis") else []) + (params.get("groupby") or [])
    assert [_label(c) for c in query["columns"]] == wanted_columns
    assert query["row_limit"] == params.get("row_limit", 10000)
    # Every filter of the chart is in the query, and nothing else.
    assert [f["col"] for f in query["filters"]] == [f["subject"] for f in params.get("adhoc_filters", [])]
    # Everything named exists in the chart's dataset (the importer maps the datasource id).
    columns, metrics = _dataset_names(chart["dataset_uuid"])
    assert {_label(m) for m in query.get("metrics") or []} <= metrics
    assert {_label(c) for c in query["columns"]} <= columns
    assert {o[0] for o in query["orderby"]} <= columns | metrics


def test_the_bundle_carries_the_query_contexts(tmp_path: Path):
    settings = Settings.from_env(home=tmp_path / "home")
    bundle = render_bundle(settings, tmp_path / "bundle.zip")
    with zipfile.ZipFile(bundle) as archive:
        charts = [n for n in archive.namelist() if "/charts/" in n]
        assert len(charts) == len(CHARTS)
        for name in charts:
            chart = yaml.safe_load(archive.read(name))
            context = json.loads(chart["query_context"])
            assert context["queries"], name
            assert context["datasource"]["type"] == "table"


def test_a_saved_query_context_in_the_file_is_kept():
    chart = {"viz_type": "pie", "params": {"viz_type": "pie"}, "query_context": '{"queries": []}'}
    assert with_query_context(chart) is chart


def test_an_unknown_chart_type_is_named():
    with pytest.raises(XunpanError, match="deck_scatter"):
        build_query_context({"viz_type": "deck_scatter"})
