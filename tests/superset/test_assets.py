"""superset/assets/ and superset_config.py checked without a server: fast, run on every `make test`."""

from __future__ import annotations

import re
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
import yaml

from xunpan.config import Settings
from xunpan.dashboards import superset_env, superset_server_argv
from xunpan.dashboards.assets import render_bundle, serving_uri

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "superset" / "assets"
MARTS = {
    "fct_inquiries",
    "mart_inquiry_funnel",
    "mart_channel_cost_per_inquiry",
    "mart_channel_cost_per_inquiry_monthly",
    "mart_product_margin",
    "dim_channels",
}


def _load(kind: str) -> dict[str, dict]:
    return {
        p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ASSETS / kind).rglob("*.yaml"))
    }


def _chart_metric_names(params: dict) -> set[str]:
    names: set[str] = set()
    for key in ("metric", "metrics", "timeseries_limit_metric", "x_axis_sort"):
        value = params.get(key)
        values = value if isinstance(value, list) else [value]
        names |= {v for v in values if isinstance(v, str)}
    return names


def _chart_column_names(params: dict) -> set[str]:
    names: set[str] = set()
    for key in ("groupby", "groupbyRows", "groupbyColumns", "all_columns"):
        names |= set(params.get(key) or [])
    if params.get("x_axis"):
        names.add(params["x_axis"])
    names |= {f["subject"] for f in params.get("adhoc_filters", []) if f.get("subject")}
    return names


def test_file_names_carry_no_numeric_ids_and_uuids_are_unique():
    seen: set[str] = set()
    for path in ASSETS.rglob("*.yaml"):
        assert not re.search(r"_\d+\.yaml$", path.name), path
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "uuid" in data:
            uuid.UUID(data["uuid"])
            assert data["uuid"] not in seen, path
            seen.add(data["uuid"])


def test_datasets_cover_the_contract_tables_and_hold_the_ratio_definitions():
    datasets = {d["table_name"]: d for d in _load("datasets").values()}
    assert set(datasets) >= MARTS
    for table in MARTS:
        assert datasets[table]["sql"] is None and datasets[table]["schema"] == "main"
    cost = {m["metric_name"]: m["expression"] for m in datasets["mart_channel_cost_per_inquiry"]["metrics"]}
    assert cost["cost_per_inquiry"] == "SUM(spend_total_cny) / NULLIF(SUM(inquiries_valid), 0)"
    assert cost["cost_per_won"] == "SUM(spend_total_cny) / NULLIF(SUM(inquiries_won), 0)"
    assert cost["roas"] == "1.0 * SUM(won_revenue_cny) / NULLIF(SUM(spend_total_cny), 0)"
    assert cost["cost_coverage"] == "1.0 * SUM(won_revenue_costed_cny) / NULLIF(SUM(won_revenue_cny), 0)"
    # Unknown cost is not zero: ROI and gross profit are NULL unless coverage is 100 %.
    assert cost["roi"].startswith("CASE WHEN SUM(won_revenue_costed_cny) >= SUM(won_revenue_cny) THEN ")
    assert cost["won_gross_profit_cny"].startswith(
        "CASE WHEN SUM(won_revenue_costed_cny) >= SUM(won_revenue_cny)"
    )
    funnel = {m["metric_name"]: m["expression"] for m in datasets["mart_inquiry_funnel"]["metrics"]}
    assert funnel["intentional_rate"] == "1.0 * SUM(inquiries_intentional) / NULLIF(SUM(inquiries_valid), 0)"
    assert funnel["win_rate"] == "1.0 * SUM(inquiries_won) / NULLIF(SUM(inquiries_effective), 0)"
    margin = {m["metric_name"]: m["expression"] for m in datasets["mart_product_margin"]["metrics"]}
    assert margin["gross_margin_rate"] == (
        "CASE WHEN SUM(revenue_costed_cny) >= SUM(revenue_cny) "
        "THEN 1.0 * SUM(gross_profit_cny) / NULLIF(SUM(revenue_cny), 0) END"
    )
    assert margin["cost_coverage"] == "1.0 * SUM(revenue_costed_cny) / NULLIF(SUM(revenue_cny), 0)"
    for name in ("gross_profit_cny", "contribution_cny", "contribution_margin_rate"):
        assert margin[name].startswith("CASE WHEN SUM(revenue_costed_cny) >= SUM(revenue_cny) THEN "), name
    # Channel share never divides by what a filter leaves: no window over the filtered rows.
    for dataset in datasets.values():
        for metric in dataset["metrics"]:
            assert "OVER ()" not in metric["expression"], (dataset["table_name"], metric["metric_name"])
    share = {m["metric_name"]: m["expression"] for m in datasets["channel_share_daily"]["metrics"]}
    assert "COUNT(DISTINCT channel_id)" in share["channel_share"]
    # Every ratio divides through NULLIF, and every metric and column has a bilingual verbose name.
    for dataset in datasets.values():
        for metric in dataset["metrics"]:
            if "/" in metric["expression"]:
                assert "NULLIF(" in metric["expression"], metric
            assert re.search(r"[\u4e00-\u9fff]", metric["verbose_name"] or ""), metric
            assert re.search(r"[A-Za-z]", metric["verbose_name"] or ""), metric


def test_charts_use_only_metrics_and_columns_of_their_dataset():
    datasets = {d["uuid"]: d for d in _load("datasets").values()}
    for name, chart in _load("charts").items():
        dataset = datasets[chart["dataset_uuid"]]
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        columns = {c["column_name"] for c in dataset["columns"]}
        assert _chart_metric_names(chart["params"]) <= metrics, name
        assert _chart_column_names(chart["params"]) <= columns, name
        assert chart["viz_type"] in {
            "table",
            "big_number_total",
            "echarts_timeseries_bar",
            "echarts_timeseries_line",
            "pie",
            "funnel",
            "pivot_table_v2",
        }, name
        assert re.match(r"[\u4e00-\u9fff].* [A-Za-z]", chart["slice_name"]), name


def test_dashboards_place_existing_charts_and_filter_existing_columns():
    charts = {c["uuid"] for c in _load("charts").values()}
    datasets = {d["uuid"]: {c["column_name"] for c in d["columns"]} for d in _load("datasets").values()}
    placed: set[str] = set()
    for name, dashboard in _load("dashboards").items():
        uuids = {
            v["meta"]["uuid"]
            for v in dashboard["position"].values()
            if isinstance(v, dict) and v.get("type") == "CHART"
        }
        assert uuids and uuids <= charts, name
        placed |= uuids
        for native in dashboard["metadata"]["native_filter_configuration"]:
            for target in native["targets"]:
                if target:
                    assert target["column"]["name"] in datasets[target["datasetUuid"]], (name, native["name"])
    assert placed == charts  # no chart is left off every dashboard


def test_bundle_carries_the_serving_uri(tmp_path: Path, settings: Settings):
    bundle = render_bundle(settings, tmp_path / "bundle.zip")
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        database = yaml.safe_load(archive.read("xunpan_assets/databases/xunpan_serving.yaml"))
        assert all("${" not in archive.read(n).decode() for n in names)
    assert "xunpan_assets/metadata.yaml" in names
    assert database["sqlalchemy_uri"] == serving_uri(settings) == f"duckdb:///{settings.serving_current}"
    assert database["extra"]["engine_params"]["connect_args"] == {
        "read_only": True,
        "config": {"enable_external_access": False, "lock_configuration": True},
    }
    assert len([n for n in names if n.startswith("xunpan_assets/charts/")]) == len(_load("charts"))


def test_server_command_and_environment(settings: Settings):
    env = superset_env(settings)
    assert env["SUPERSET_CONFIG_PATH"] == str(REPO / "superset" / "superset_config.py")
    assert len(env["SUPERSET_SECRET_KEY"]) >= 32
    assert "SUPERSET_ADMIN_PASSWORD" not in env and "XUNPAN_SUPERSET_ADMIN_PASSWORD" not in env
    argv = superset_server_argv(settings, 18123)
    assert argv[0].endswith("/superset/bin/gunicorn")
    assert "127.0.0.1:18123" in argv and argv[-1] == "superset.app:create_app()"


@pytest.mark.slow
def test_config_refuses_to_load_without_a_secret_key(settings: Settings):
    python = settings.venv_bin("superset", "python")
    config = REPO / "superset" / "superset_config.py"
    env = {"PATH": "/usr/bin:/bin", "XUNPAN_HOME": str(settings.home)}
    script = f"import runpy; runpy.run_path({str(config)!r})"
    refused = subprocess.run(
        [str(python), "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0 and "SUPERSET_SECRET_KEY is not set" in refused.stderr
    env["SUPERSET_SECRET_KEY"] = "k" * 40
    probe = script.replace("runpy.run_path", "c = runpy.run_path") + (
        "; print(c['SQLALCHEMY_DATABASE_URI'], c['PUBLIC_ROLE_LIKE'], c['TALISMAN_ENABLED'], "
        "c['WTF_CSRF_ENABLED'], c['BABEL_DEFAULT_LOCALE'], sorted(c['LANGUAGES']), "
        "c['DATA_CACHE_CONFIG']['CACHE_TYPE'], c['CACHE_CONFIG']['CACHE_TYPE'], c['FEATURE_FLAGS']['THUMBNAILS'])"
    )
    loaded = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == [
        f"sqlite:///{settings.superset_home / 'superset.db'}?check_same_thread=false",
        "None",
        "True",
        "True",
        "zh",
        "['en',",
        "'zh']",
        "NullCache",
        "FileSystemCache",
        "False",
    ]
    assert "k" * 40 not in loaded.stdout + loaded.stderr


def test_every_dataset_keeps_company_id_and_the_funnel_stages_count_lost():
    for name, dataset in _load("datasets").items():
        if dataset["table_name"] == "dim_channels":  # the one shared dimension: the same channels for all
            continue
        columns = {c["column_name"] for c in dataset["columns"]}
        assert "company_id" in columns, name
        if dataset["sql"]:
            assert "company_id" in dataset["sql"], name
    stages = next(d for d in _load("datasets").values() if d["table_name"] == "mart_inquiry_funnel_stages")
    assert "'6 流失 Lost' as stage_name, inquiries_lost as inquiries" in stages["sql"]


def test_every_dashboard_has_a_company_filter_a_default_period_and_the_data_through_date():
    charts = {c["uuid"]: c for c in _load("charts").values()}
    datasets = {d["uuid"]: d for d in _load("datasets").values()}
    for name, dashboard in _load("dashboards").items():
        natives = {f["id"].rsplit("-", 1)[1]: f for f in dashboard["metadata"]["native_filter_configuration"]}
        company = natives["company"]
        assert company["targets"][0]["column"]["name"] == "company_id"
        # One company at a time by default, so no chart sums two companies.
        assert company["controlValues"]["defaultToFirstItem"] and not company["controlValues"]["multiSelect"]
        month = natives["month"]
        assert month["defaultDataMask"]["filterState"]["value"] == ["上个完整月 Last complete month"]
        assert month["defaultDataMask"]["extraFormData"]["filters"] == [
            {"col": "reporting_month", "op": "IN", "val": ["上个完整月 Last complete month"]}
        ]
        placed = {
            v["meta"]["chartId"]: charts[v["meta"]["uuid"]]
            for v in dashboard["position"].values()
            if isinstance(v, dict) and v.get("type") == "CHART"
        }
        period = [
            i for i, c in placed.items() if datasets[c["dataset_uuid"]]["table_name"] == "dim_companies"
        ]
        assert len(period) == 1, name
        assert charts_columns(placed[period[0]]) >= {"data_through", "last_complete_month"}
        # Every chart the month filter reaches has the reporting_month column (a missing column would be
        # skipped silently by Superset); charts it does not reach say in their title that they show all months.
        for chart_id, chart in placed.items():
            columns = {c["column_name"] for c in datasets[chart["dataset_uuid"]]["columns"]}
            if chart_id in month["scope"]["excluded"]:
                title = chart["slice_name"]
                assert chart_id in period or "all months" in title or "by received month" in title, (
                    name,
                    title,
                )
            else:
                assert "reporting_month" in columns, (name, chart["slice_name"])
            if "week" in natives and chart_id not in natives["week"]["scope"]["excluded"]:
                assert "reporting_week" in columns, (name, chart["slice_name"])
            # An "all months" trend is true to its title: no period or date filter reaches it.
            if "all months" in chart["slice_name"]:
                for native in natives.values():
                    if (
                        native["filterType"] == "filter_time"
                        or native is month
                        or native is natives.get("week")
                    ):
                        assert chart_id in native["scope"]["excluded"], (
                            name,
                            native["name"],
                            chart["slice_name"],
                        )


def charts_columns(chart: dict) -> set[str]:
    return set(chart["params"].get("all_columns") or [])


@pytest.mark.slow
def test_config_passes_the_redis_password_to_every_redis_client(settings: Settings):
    """The compose stack's Redis requires a password: caches, rate limits and Celery all carry it."""
    python = settings.venv_bin("superset", "python")
    config = REPO / "superset" / "superset_config.py"
    env = {
        "PATH": "/usr/bin:/bin",
        "XUNPAN_HOME": str(settings.home),
        "SUPERSET_SECRET_KEY": "k" * 40,
        "REDIS_HOST": "redis",
        "REDIS_PASSWORD": "p@ss/w:rd",
    }
    probe = (
        f"import runpy; c = runpy.run_path({str(config)!r}); "
        "print(c['CACHE_CONFIG']['CACHE_REDIS_PASSWORD'], c['RATELIMIT_STORAGE_URI'], "
        "c['CELERY_CONFIG'].broker_url, c['CELERY_CONFIG'].result_backend)"
    )
    loaded = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == [
        "p@ss/w:rd",
        "redis://:p%40ss%2Fw%3Ard@redis:6379/1",
        "redis://:p%40ss%2Fw%3Ard@redis:6379/0",
        "redis://:p%40ss%2Fw%3Ard@redis:6379/0",
    ]
