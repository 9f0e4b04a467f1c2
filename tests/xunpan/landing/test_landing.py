"""Inbox, ingest, archive, quarantine and manifest, on the real fixture files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from click.testing import CliRunner

from xunpan.config import Settings
from xunpan.inbox_view import format_overview, inbox_overview
from xunpan.landing import ensure_raw_layout, import_files, ingest_inbox
from xunpan.landing_cli import import_command, inbox_command
from xunpan.landing_manifest import read_manifest
from xunpan.sources import KINDS, raw_schema

INPUTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs"
TODAY = dt.date(2026, 11, 20)


def _drop(settings: Settings, *names: str, folder: Path = INPUTS, company: str | None = None) -> None:
    target = settings.inbox / company if company else settings.inbox
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(folder / name, target / name)


def _effective_spend(settings: Settings) -> dict[str, Decimal]:
    """Spend of exports of one report level as dbt counts it: per company, platform, account and day
    the highest load_seq wins (across levels the grain-of-record rule decides; tests/dbt covers it)."""
    rows = duckdb.sql(f"""
        with spend as (select * from read_parquet('{settings.raw}/ad_spend/*.parquet', union_by_name = true)),
        latest as (
            select company_id, platform, account, spend_date, max(load_seq) as load_seq
            from spend group by all
        )
        select cast(s.spend_date as varchar), sum(s.cost)
        from spend s join latest using (company_id, platform, account, spend_date, load_seq)
        group by 1 order by 1
    """).fetchall()
    return {day: total for day, total in rows}


def test_ensure_raw_layout_writes_an_empty_schema_file_per_kind(settings: Settings) -> None:
    ensure_raw_layout(settings)
    for kind in KINDS:
        table = pq.read_table(settings.raw / kind / "_schema.parquet")
        assert table.num_rows == 0 and table.schema.equals(raw_schema(kind))


def test_import_places_good_files_in_the_inbox_and_refuses_bad_ones(settings: Settings) -> None:
    results = import_files(
        settings,
        [INPUTS / "sogou_account_202601.csv", INPUTS / "bad" / "negative_cost.csv"],
        company="acme",
        today=TODAY,
    )
    good, bad = results
    assert good.accepted and good.kind == "ad_spend" and good.layout == "sogou_account"
    assert good.totals == {"cost": {"CNY": "450.00"}, "clicks": 30, "impressions": 3000}
    assert good.inbox_path == settings.inbox / "acme" / "sogou_account_202601.csv"
    assert "sogou_account" in good.describe() and "2026-01-05 .. 2026-01-06" in good.describe()
    assert not bad.accepted and bad.error is not None
    assert "row 9, column '消费': got '-101.00'" in bad.describe()
    assert sorted(p.name for p in settings.inbox.rglob("*") if p.is_file()) == ["sogou_account_202601.csv"]
    assert not any(settings.raw.rglob("*.parquet")), "import must not load into raw"


def test_ingest_loads_archives_and_records_every_file(settings: Settings) -> None:
    _drop(settings, "baidu_keyword_202601.csv", "inquiry_register_2026-01.xlsx", "fx_rates.csv")
    report = ingest_inbox(settings, today=TODAY)
    assert [e["file"] for e in report.loaded] == [
        "baidu_keyword_202601.csv",
        "fx_rates.csv",
        "inquiry_register_2026-01.xlsx",
    ]
    assert [e["load_seq"] for e in report.loaded] == [1, 2, 3]
    assert not report.has_warnings and not list(settings.inbox.rglob("*.*"))

    entry = report.loaded[0]
    table = pq.read_table(settings.home / entry["raw_path"])
    assert table.schema.equals(raw_schema("ad_spend"))
    assert table.num_rows == 33 and set(table.column("load_seq").to_pylist()) == {1}
    assert set(table.column("file_sha256").to_pylist()) == {entry["sha256"]}
    archived = settings.home / entry["archive_path"]
    assert archived.read_bytes() == (INPUTS / "baidu_keyword_202601.csv").read_bytes()
    assert [e["status"] for e in read_manifest(settings)] == ["loaded"] * 3
    assert _effective_spend(settings)["2026-01-15"] == Decimal("1349.50")


def test_re_dropping_the_same_file_is_a_no_op(settings: Settings) -> None:
    _drop(settings, "baidu_keyword_202601.csv")
    ingest_inbox(settings, today=TODAY)
    before = sorted(p.name for p in (settings.raw / "ad_spend").iterdir())
    _drop(settings, "baidu_keyword_202601.csv")
    report = ingest_inbox(settings, today=TODAY)
    assert report.loaded == [] and len(report.duplicates) == 1
    assert report.duplicates[0]["duplicate_of"] == "baidu_keyword_202601.csv"
    assert sorted(p.name for p in (settings.raw / "ad_spend").iterdir()) == before
    assert sum(_effective_spend(settings).values()) == Decimal("4830.50")


def test_a_restated_export_replaces_exactly_the_overlapping_days(settings: Settings) -> None:
    _drop(settings, "baidu_keyword_202601.csv", "baidu_keyword_202601_restated.csv")
    report = ingest_inbox(settings, today=TODAY)
    restated_days = [f"2026-01-{d}" for d in range(27, 32)]
    assert report.replacements == [
        {
            "file": "baidu_keyword_202601_restated.csv",
            "replaces_file": "baidu_keyword_202601.csv",
            "replaces_load_seq": 1,
            "key": "baidu_search|acme-bd",
            "days": restated_days,
        }
    ]
    assert read_manifest(settings)[1]["superseded"][0]["days"] == restated_days
    spend = _effective_spend(settings)
    # 4830.50 originally; days 27..31 cost 100+d (645.00) and are restated to 200+d (1145.00).
    assert sum(spend.values()) == Decimal("5330.50")
    assert spend["2026-01-26"] == Decimal("126.00") and spend["2026-01-27"] == Decimal("227.00")


def test_a_report_of_another_level_replaces_no_days(settings: Settings) -> None:
    """A keyword report after the campaign report of the same account and days is another level, not
    a restatement: dbt's grain-of-record rule picks one of them, so the manifest records no
    replacement (it would claim the campaign report's days were taken over)."""
    variants = INPUTS / "variants"
    _drop(settings, "baidu_campaign_202610.xls", folder=variants)
    assert not ingest_inbox(settings, today=TODAY).replacements
    _drop(settings, "baidu_keyword_reordered_202610.csv", folder=variants)
    report = ingest_inbox(settings, today=TODAY)
    assert [e["file"] for e in report.loaded] == ["baidu_keyword_reordered_202610.csv"]
    assert report.replacements == []
    assert read_manifest(settings)[-1]["superseded"] == []


def test_bad_files_go_to_quarantine_with_a_reason_and_the_rest_still_loads(settings: Settings) -> None:
    _drop(settings, "text_in_clicks.csv", "password_protected.xlsx", folder=INPUTS / "bad")
    _drop(settings, "fx_rates.csv")
    report = ingest_inbox(settings, today=TODAY)
    assert [e["file"] for e in report.loaded] == ["fx_rates.csv"]
    assert sorted(e["file"] for e in report.quarantined) == ["password_protected.xlsx", "text_in_clicks.csv"]
    assert report.has_warnings and "QUARANTINED text_in_clicks.csv" in report.summary()

    kept = settings.quarantine / "text_in_clicks.csv"
    assert kept.read_bytes() == (INPUTS / "bad" / "text_in_clicks.csv").read_bytes()
    reason = json.loads((settings.quarantine / "text_in_clicks.csv.reason.json").read_text(encoding="utf-8"))
    assert reason["kind_guess"] == "ad_spend" and reason["layout_guess"] == "baidu_search_keyword"
    assert reason["problems"] == [
        {
            "file": "text_in_clicks.csv",
            "row": 10,
            "column": "点击",
            "value": "abc",
            "expected": "a whole number ≥ 0 (thousands separators and -- allowed)",
        }
    ]
    assert not any((settings.raw / "ad_spend").glob("[!_]*.parquet")), "nothing of a rejected file is loaded"


def test_company_sub_folders_set_company_id(settings: Settings) -> None:
    _drop(settings, "fx_rates.csv", company="globex")
    report = ingest_inbox(settings, today=TODAY)
    table = pq.read_table(settings.home / report.loaded[0]["raw_path"])
    assert set(table.column("company_id").to_pylist()) == {"globex"}


def test_inbox_overview_lists_waiting_loaded_and_quarantined(settings: Settings) -> None:
    _drop(settings, "fx_rates.csv")
    _drop(settings, "empty.csv", folder=INPUTS / "bad")
    ingest_inbox(settings, today=TODAY)
    _drop(settings, "channel_contracts.csv")
    overview = inbox_overview(settings)
    assert [w["file"] for w in overview["waiting"]] == ["channel_contracts.csv"]
    assert [(e["file"], e["load_seq"]) for e in overview["loaded"]] == [("fx_rates.csv", 1)]
    assert overview["quarantined"][0]["file"] == "empty.csv"
    assert "the file is empty" in overview["quarantined"][0]["reason"]
    text = format_overview(overview)
    assert "waiting (1):" in text and "quarantined (1):" in text and "#1 fx_rates.csv" in text


def test_cli_import_exit_codes_and_messages(settings: Settings) -> None:
    runner = CliRunner()
    ok = runner.invoke(import_command, [str(INPUTS / "fx_rates.csv")])
    assert ok.exit_code == 0 and "fx_rates_zh" in ok.output
    bad = runner.invoke(import_command, [str(INPUTS / "bad" / "register_unknown_stage.xlsx")])
    assert bad.exit_code == 1
    assert "row 4, column '当前阶段': got '跟进中'" in bad.output
    as_json = runner.invoke(inbox_command, ["--json"])
    assert json.loads(as_json.output)["waiting"][0]["file"] == "fx_rates.csv"
