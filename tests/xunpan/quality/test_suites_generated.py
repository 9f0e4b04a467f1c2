"""The committed GX files are exactly what the generator writes, and they cover the contract."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from click.testing import CliRunner

from xunpan.cli import main
from xunpan.config import Settings
from xunpan.quality import suites
from xunpan.quality.batches import freshness_bounds
from xunpan.quality.contract import PUBLISHED_MODELS
from xunpan.quality.gate import prune_quality_results


def test_committed_expectations_match_the_generator(settings: Settings) -> None:
    assert suites.differences(settings.expectations_dir) == [], (
        "run `xunpan quality suites` and commit expectations/"
    )
    assert CliRunner().invoke(main, ["quality", "suites", "--check"]).exit_code == 0


def test_generation_is_stable_and_written_where_asked(tmp_path: Path) -> None:
    first = suites.generated_files()
    assert suites.generated_files() == first
    assert sorted(suites.write(tmp_path)) == sorted(first)
    assert suites.write(tmp_path) == []
    (tmp_path / "expectations" / "fct_inquiries.json").write_text("{}", encoding="utf-8")
    assert suites.differences(tmp_path) == ["expectations/fct_inquiries.json"]
    assert CliRunner().invoke(main, ["quality", "suites", "--check", "--root", str(tmp_path)]).exit_code == 1


def test_every_published_model_has_the_contract_checks() -> None:
    for model in PUBLISHED_MODELS:
        rows, history = (suites.build_suite(spec) for spec in suites.suite_specs(model))
        assert rows["name"] == model.name and history["name"] == model.name + "__history"
        row_types = [e["type"] for e in rows["expectations"]]
        history_types = [e["type"] for e in history["expectations"]]
        # Row by row: every grain column is filled; over the whole history: not empty, fresh, and
        # one row per grain key (a duplicate may lie in a day that did not change).
        not_null = {
            e["kwargs"]["column"]
            for e in rows["expectations"]
            if e["type"] == "expect_column_values_to_not_be_null"
        }
        assert set(model.grain) <= not_null
        assert "expect_table_row_count_to_be_between" in history_types
        assert "expect_column_max_to_be_between" in history_types  # freshness
        assert {"expect_table_row_count_to_be_between", "expect_column_max_to_be_between"}.isdisjoint(
            row_types
        )
        assert any(
            e["kwargs"].get("column") == suites.DUPLICATE_KEYS_COLUMN
            and e["type"] == "expect_column_values_to_be_null"
            for e in history["expectations"]
        )
        ids = [e["id"] for e in rows["expectations"] + history["expectations"]]
        assert len(ids) == len(set(ids))
        if model.has_funnel:
            pairs = [
                (e["kwargs"]["column_A"], e["kwargs"]["column_B"])
                for e in rows["expectations"]
                if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"
            ]
            assert pairs == [
                ("inquiries_total", "inquiries_valid"),
                ("inquiries_valid", "inquiries_intentional"),
                ("inquiries_intentional", "inquiries_effective"),
                ("inquiries_effective", "inquiries_won"),
            ]
    margin = suites.build_suite(
        suites.suite_specs(next(m for m in PUBLISHED_MODELS if m.name == "mart_product_margin"))[0]
    )
    checked_non_negative = {
        e["kwargs"]["column"]
        for e in margin["expectations"]
        if e["type"] == "expect_column_values_to_be_between" and e["kwargs"].get("min_value") == 0
    }
    # Profit and contribution may be negative; costs and revenue may not.
    assert {"revenue_cny", "cogs_cny", "allocated_marketing_cost_cny"} <= checked_non_negative
    assert not {"gross_profit_cny", "contribution_cny"} & checked_non_negative


def test_only_tagged_expectations_are_warnings() -> None:
    warnings = {
        (spec.name, e["kwargs"].get("column"))
        for spec in suites.all_specs()
        for e in spec.expectations
        if e["meta"].get("severity") == "warning"
    }
    assert warnings == {
        ("fct_inquiries__history", suites.VOLUME_RATIO_COLUMN),
        ("mart_channel_cost_per_inquiry_monthly", "click_to_inquiry_rate"),
        ("mart_product_margin__history", "month_start"),
    }


def test_checkpoints_reference_their_validation_definition(settings: Settings) -> None:
    root = settings.expectations_dir
    specs = suites.all_specs()
    assert len(specs) == 2 * len(PUBLISHED_MODELS)
    for spec in specs:
        name = spec.name
        checkpoint = json.loads((root / "checkpoints" / f"{name}.json").read_text(encoding="utf-8"))
        definition = json.loads(
            (root / "validation_definitions" / f"{name}.json").read_text(encoding="utf-8")
        )
        suite = json.loads((root / "expectations" / f"{name}.json").read_text(encoding="utf-8"))
        assert checkpoint["validation_definitions"] == [{"id": definition["id"], "name": name}]
        assert definition["suite"] == {"id": suite["id"], "name": name}
        assert definition["data"]["asset"]["name"] == name
        assert definition["data"]["batch_definition"]["name"] == spec.batch_definition
    config = (root / "great_expectations.yml").read_text(encoding="utf-8")
    assert "${XUNPAN_QUALITY_DIR}/validations/" in config
    assert "${XUNPAN_QUALITY_DIR}/data_docs/" in config


def test_freshness_bounds_for_days_and_months() -> None:
    assert freshness_bounds(dt.date(2026, 3, 2), 3) == (dt.datetime(2026, 2, 27), dt.datetime(2026, 2, 1))
    assert freshness_bounds(dt.date(2026, 3, 10), 0) == (dt.datetime(2026, 3, 10), dt.datetime(2026, 3, 1))


def test_prune_keeps_the_newest_runs_and_the_current_one(settings: Settings) -> None:
    validations = settings.quality_dir / "validations"
    docs = settings.quality_dir / "data_docs" / "validations"
    for age, run in enumerate(["r4", "r3", "r2", "r1"]):
        for base in (validations, docs):
            run_dir = base / "fct_inquiries" / run / "20260101T000000Z"
            run_dir.mkdir(parents=True)
            (run_dir / "batch.json").write_text("{}", encoding="utf-8")
            os.utime(run_dir.parent, (1_000_000 - age * 10, 1_000_000 - age * 10))
    (settings.quality_dir / "runs").mkdir(parents=True)
    (settings.quality_dir / "runs" / "r1.json").write_text("{}", encoding="utf-8")

    pruned = prune_quality_results(settings, keep=1, current="r1")

    assert sorted(pruned) == ["r2", "r3"]
    assert sorted(p.name for p in (validations / "fct_inquiries").iterdir()) == ["r1", "r4"]
    assert sorted(p.name for p in (docs / "fct_inquiries").iterdir()) == ["r1", "r4"]
    assert (settings.quality_dir / "runs" / "r1.json").is_file()
