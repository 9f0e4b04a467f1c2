"""The quality gate over a hand-made warehouse: a good one passes, each kind of bad one is named."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from gate_warehouse import RUN_DATE, build_warehouse

from xunpan.config import Settings
from xunpan.quality import QualityGateFailed, last_gate, run_quality_gate
from xunpan.quality.contract import PUBLISHED_MODELS
from xunpan.quality.gate import FailedExpectation, GateResult, open_context


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _named(items: list[FailedExpectation], suite: str, expectation_type: str, column: str) -> bool:
    return any(
        f.suite == suite and f.expectation_type == expectation_type and f.column == column for f in items
    )


def test_good_warehouse_passes_and_leaves_the_checkout_unchanged(settings: Settings, warehouse: Path) -> None:
    before = _tree_digest(settings.expectations_dir)

    result = run_quality_gate(settings, RUN_DATE, "scheduled__2026-03-10T00:00:00+00:00")

    assert result.success, result.summary()
    assert result.failures == [] and result.warnings == []
    # Every expectation of every generated suite ran.
    context = open_context(settings)
    assert result.evaluated == sum(len(context.suites.get(m.name).expectations) for m in PUBLISHED_MODELS)
    assert result.row_counts["fct_inquiries"] == 80
    assert result.data_docs_index.is_file()
    assert result.data_docs_index.parent == settings.quality_dir / "data_docs"
    run_dirs = list((settings.quality_dir / "validations").glob("*/scheduled__2026-03-10T00_00_00_00_00"))
    assert sorted(d.parent.name for d in run_dirs) == sorted(m.name for m in PUBLISHED_MODELS)
    report = last_gate(settings)
    assert report is not None and report["success"] is True
    assert report["run_id"] == "scheduled__2026-03-10T00:00:00+00:00"
    assert "passed" in result.summary()
    result.raise_for_failure()
    assert _tree_digest(settings.expectations_dir) == before


def test_negative_cost_and_broken_funnel_block_and_are_named(settings: Settings, warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute("""update marts.mart_channel_cost_per_inquiry set spend_fixed_cny = -81.64
                   where channel_id = 'alibaba_intl' and date_day = date '2026-03-01'""")
    con.execute("""update marts.mart_inquiry_funnel set inquiries_won = inquiries_effective + 1
                   where received_date = date '2026-03-02'""")
    con.close()

    result = run_quality_gate(settings, RUN_DATE, "manual_bad")

    assert not result.success
    assert _named(
        result.failures,
        "mart_channel_cost_per_inquiry",
        "expect_column_values_to_be_between",
        "spend_fixed_cny",
    )
    assert _named(
        result.failures,
        "mart_inquiry_funnel",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "inquiries_effective, inquiries_won",
    )
    # Nothing else is broken, so nothing else may be reported.
    assert {(f.suite, f.column) for f in result.failures} == {
        ("mart_channel_cost_per_inquiry", "spend_fixed_cny"),
        ("mart_inquiry_funnel", "inquiries_effective, inquiries_won"),
    }
    cost_failure = next(f for f in result.failures if f.column == "spend_fixed_cny")
    assert "-81.64" in cost_failure.details and "min_value=0" in cost_failure.details

    summary = result.summary()
    assert "FAILED" in summary
    assert "mart_channel_cost_per_inquiry: expect_column_values_to_be_between(spend_fixed_cny)" in summary
    assert (
        "mart_inquiry_funnel: expect_column_pair_values_a_to_be_greater_than_b"
        "(inquiries_effective, inquiries_won)" in summary
    )
    with pytest.raises(QualityGateFailed, match="spend_fixed_cny"):
        result.raise_for_failure()

    # The Data Docs page of the failing validation names the expectation and its column.
    page = Path(cost_failure.docs_page.removeprefix("file://"))
    assert page.is_file() and page.is_relative_to(settings.quality_dir / "data_docs")
    html = page.read_text(encoding="utf-8")
    assert "spend_fixed_cny" in html and "Failed" in html
    index = result.data_docs_index.read_text(encoding="utf-8")
    assert "mart_channel_cost_per_inquiry" in index and "manual_bad" in index


def test_reconciliation_freshness_and_missing_staging_are_blocking(
    settings: Settings, warehouse: Path
) -> None:
    con = duckdb.connect(str(warehouse))
    # One CNY too much on one day: the February spend no longer matches the imported ad spend.
    con.execute("""update marts.mart_channel_cost_per_inquiry
                   set spend_variable_cny = spend_variable_cny + 1, spend_total_cny = spend_total_cny + 1
                   where channel_id = 'baidu_ppc' and date_day = date '2026-02-10'""")
    con.execute("""update marts.mart_channel_cost_per_inquiry_monthly
                   set spend_variable_cny = spend_variable_cny + 1, spend_total_cny = spend_total_cny + 1
                   where channel_id = 'baidu_ppc' and month_start = date '2026-02-01'""")
    con.execute("drop table intermediate.int_order_lines_costed")
    con.close()
    late_run = RUN_DATE + dt.timedelta(days=30)

    result = run_quality_gate(settings, late_run, "late")

    assert not result.success
    cost = "mart_channel_cost_per_inquiry"
    recon = next(
        f for f in result.failures if f.suite == cost and f.column == "check__spend_variable_vs_staging_cny"
    )
    assert recon.expectation_type == "expect_column_values_to_be_between"
    assert "1.0" in recon.details
    assert _named(result.failures, cost, "expect_column_sum_to_be_between", "spend_variable_cny")
    assert _named(
        result.failures,
        "mart_channel_cost_per_inquiry_monthly",
        "expect_column_values_to_be_between",
        "check__spend_variable_vs_staging_cny",
    )
    # Orders could not be read: the revenue reconciliation cannot pass.
    assert _named(
        result.failures,
        "mart_product_margin",
        "expect_column_values_to_not_be_null",
        "check__revenue_vs_staging_cny",
    )
    # Freshness: 30 days late blocks the daily models; the margin mart's freshness only warns.
    for suite, column in [
        ("fct_inquiries", "received_date"),
        ("mart_inquiry_funnel", "received_date"),
        (cost, "date_day"),
        ("mart_channel_cost_per_inquiry_monthly", "month_start"),
    ]:
        assert _named(result.failures, suite, "expect_column_max_to_be_between", column), suite
    assert _named(result.warnings, "mart_product_margin", "expect_column_max_to_be_between", "month_start")
    report = json.loads(result.report.read_text(encoding="utf-8"))
    assert report["missing_reconciliation_sources"] == [
        "intermediate.int_order_lines_costed (imported order lines)"
    ]


def test_volume_jump_only_warns(settings: Settings) -> None:
    build_warehouse(settings.warehouse, extra_on_last_day=18)

    result = run_quality_gate(settings, RUN_DATE, "volume")

    assert result.success, result.summary()
    assert [(w.suite, w.column) for w in result.warnings] == [
        ("fct_inquiries", "check__volume_ratio_vs_trailing_28d")
    ]
    # 20 inquiries on the last day against 2 a day before it.
    assert "10.0" in result.warnings[0].details
    assert "Warnings:" in result.summary()


def test_missing_model_blocks_without_running_its_suite(settings: Settings, warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute("drop table marts.mart_product_margin")
    con.close()

    result = run_quality_gate(settings, RUN_DATE, "missing")

    assert not result.success
    assert [(f.suite, f.expectation_type) for f in result.failures] == [
        ("mart_product_margin", "table_exists")
    ]
    assert "mart_product_margin" not in result.row_counts


def test_summary_lists_every_failure_and_warning() -> None:
    result = GateResult(
        run_id="r1",
        run_date=dt.date(2026, 3, 10),
        success=False,
        failures=[FailedExpectation("mart_x", "expect_column_values_to_be_between", "cost_cny", "1 of 3")],
        warnings=[FailedExpectation("fct_inquiries", "expect_column_values_to_be_between", "v", "ratio 9")],
        data_docs_index=Path("/h/quality/data_docs/index.html"),
        report=Path("/h/quality/runs/r1.json"),
        evaluated=7,
    )
    text = result.summary()
    assert text.splitlines() == [
        "Quality gate FAILED for run r1 (business date 2026-03-10): 7 expectations, 1 blocking failure(s), "
        "1 warning(s).",
        "Blocking failures:",
        "  - mart_x: expect_column_values_to_be_between(cost_cny): 1 of 3",
        "Warnings:",
        "  - fct_inquiries: expect_column_values_to_be_between(v): ratio 9",
        "Data Docs: /h/quality/data_docs/index.html",
    ]
    assert result.as_dict()["failures"][0]["column"] == "cost_cny"
