"""`xunpan layouts`, `xunpan layouts explain FILE` and `xunpan import --platform`, end to end through
the CLI and the inbox."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from xunpan.cli import main
from xunpan.config import Settings
from xunpan.landing import import_files, ingest_inbox

VARIANTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs" / "variants"


def test_layouts_lists_every_engine_level_with_minimum_and_sample(settings: Settings) -> None:
    settings.layouts.mkdir(parents=True, exist_ok=True)
    (settings.layouts / "sogou_custom.yaml").write_bytes(
        (VARIANTS / "layouts" / "sogou_custom.yaml").read_bytes()
    )
    result = CliRunner().invoke(main, ["layouts", "--json"])
    assert result.exit_code == 0, result.output
    entries = {e["name"]: e for e in json.loads(result.output)}
    for engine in (
        "baidu_search",
        "so360",
        "sogou",
        "shenma",
        "google_ads",
        "alibaba_p4p",
        "alibaba_1688_p4p",
    ):
        for level in ("account", "campaign", "keyword"):
            assert f"{engine}_{level}" in entries
    sogou = entries["sogou_campaign"]
    assert sogou["sample"] == "时间,账户,推广计划,消耗,点击数,点击均价"
    assert sogou["minimum"].startswith("日期 / 时间 (the day); 消耗 (money spent); one of 账户")
    assert entries["google_ads_keyword"]["minimum"].count("Currency code") == 1
    assert {"hc360", "google_analytics4", "alibaba_1688_traffic", "register_zh"} <= set(entries)
    assert entries["sogou_custom"]["source"].startswith("taught in ")
    text = CliRunner().invoke(main, ["layouts"])
    assert text.exit_code == 0 and "== web_traffic ==" in text.output


def test_explain_shows_each_column_and_where_the_platform_came_from(settings: Settings) -> None:
    result = CliRunner().invoke(
        main, ["layouts", "explain", str(VARIANTS / "baidu_keyword_reordered_202610.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "layout baidu_search_keyword" in result.output
    assert "platform: baidu_search (from the header's column names)" in result.output
    assert "report level: keyword" in result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["消费", "->", "cost", "stored"] in lines
    assert ["展现", "->", "impressions", "stored"] in lines


def test_explain_of_a_refused_file_prints_the_skeleton(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["layouts", "explain", str(VARIANTS / "sogou_custom_202610.csv")])
    assert result.exit_code == 1
    assert "XUNPAN_HOME/layouts/" in result.output and '"花费金额": ' in result.output


def test_import_with_platform_carries_it_to_the_ingest(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("日期,推广计划,花费(元)\n2026-10-05,机床,12.00\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["import", str(path)])
    assert refused.exit_code == 1 and "--platform" in refused.output
    accepted = CliRunner().invoke(main, ["import", "--platform", "alibaba_1688_p4p", str(path)])
    assert accepted.exit_code == 0, accepted.output
    assert (settings.inbox / "alibaba_1688_p4p__export.csv").exists()
    report = ingest_inbox(settings, today=dt.date(2026, 11, 20))
    assert [e["layout"] for e in report.loaded] == ["alibaba_1688_p4p_campaign"]
    table = pq.read_table(settings.home / report.loaded[0]["raw_path"])
    assert table.column("platform").to_pylist() == ["alibaba_1688_p4p"]
    assert table.column("account").to_pylist() == [None]


def test_a_file_that_names_its_platform_keeps_its_name_in_the_inbox(settings: Settings) -> None:
    results = import_files(settings, [VARIANTS / "sogou_campaign_202610.csv"], platform="sogou")
    assert results[0].accepted
    assert (settings.inbox / "sogou_campaign_202610.csv").exists()
