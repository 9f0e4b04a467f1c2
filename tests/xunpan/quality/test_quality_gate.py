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
from xunpan.publish import publish
from xunpan.quality import QualityGateFailed, last_gate, run_quality_gate
from xunpan.quality.gate import FailedExpectation, GateResult, gate_report, open_context
from xunpan.quality.suites import all_specs

HISTORY = "__history"


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
    # Every expectation of every generated suite ran: each model's row suite and history suite.
    context = open_context(settings)
    assert result.evaluated == sum(len(context.suites.get(s.name).expectations) for s in all_specs())
    assert result.row_counts["fct_inquiries"] == 80
    # Nothing is published yet, so every row is checked one by one.
    assert result.rows_checked == result.row_counts and result.checked_against is None
    assert result.data_docs_index.is_file()
    assert result.data_docs_index.parent == settings.quality_dir / "data_docs"
    run_dirs = list((settings.quality_dir / "validations").glob("*/scheduled__2026-03-10T00_00_00_00_00"))
    assert sorted(d.parent.name for d in run_dirs) == sorted(s.name for s in all_specs())
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
    # Totals are checked over the whole history, by company and month (the history suites).
    recon = next(
        f
        for f in result.failures
        if f.suite == cost + HISTORY and f.column == "check__spend_variable_vs_staging_cny"
    )
    assert recon.expectation_type == "expect_column_values_to_be_between"
    assert "1 of 3 rows unexpected, e.g. [1.0]" in recon.details  # February, of three months
    assert _named(result.failures, cost + HISTORY, "expect_column_sum_to_be_between", "spend_variable_cny")
    assert _named(
        result.failures,
        "mart_channel_cost_per_inquiry_monthly" + HISTORY,
        "expect_column_values_to_be_between",
        "check__spend_variable_vs_staging_cny",
    )
    # Orders could not be read: the revenue reconciliation cannot pass.
    assert _named(
        result.failures,
        "mart_product_margin" + HISTORY,
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
        assert _named(result.failures, suite + HISTORY, "expect_column_max_to_be_between", column), suite
    assert _named(
        result.warnings, "mart_product_margin" + HISTORY, "expect_column_max_to_be_between", "month_start"
    )
    report = json.loads(result.report.read_text(encoding="utf-8"))
    assert report["missing_reconciliation_sources"] == [
        "intermediate.int_order_lines_costed (imported order lines)"
    ]


def test_volume_jump_only_warns(settings: Settings) -> None:
    build_warehouse(settings.warehouse, extra_on_last_day=18)

    result = run_quality_gate(settings, RUN_DATE, "volume")

    assert result.success, result.summary()
    assert [(w.suite, w.column) for w in result.warnings] == [
        ("fct_inquiries" + HISTORY, "check__volume_ratio_vs_trailing_28d")
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


def test_after_a_publish_only_the_changed_days_are_checked_row_by_row(
    settings: Settings, warehouse: Path
) -> None:
    first = run_quality_gate(settings, RUN_DATE, "day1")
    assert first.success, first.summary()
    publish(settings, "day1")

    # Nothing changed: no row needs checking again, and the history is still checked whole.
    same = run_quality_gate(settings, RUN_DATE, "day1-again")
    assert same.success and same.checked_against == "day1"
    assert set(same.rows_checked.values()) == {0}
    assert same.row_counts == first.row_counts
    assert "Rows checked one by one: 0 of 298 (the days that differ from run day1)" in same.summary(), (
        same.summary()
    )

    # A restated day: its three channel rows differ from the published ones and are checked;
    # a day the dashboards already show as it is now is not read again.
    con = duckdb.connect(str(warehouse))
    con.execute("""update marts.mart_channel_cost_per_inquiry set spend_fixed_cny = -81.64
                   where channel_id = 'alibaba_intl' and date_day = date '2026-03-01'""")
    con.close()
    restated = run_quality_gate(settings, RUN_DATE, "day2")
    assert restated.rows_checked["mart_channel_cost_per_inquiry"] == 3
    assert restated.rows_checked["fct_inquiries"] == 0
    assert {(f.suite, f.column) for f in restated.failures} == {
        ("mart_channel_cost_per_inquiry", "spend_fixed_cny")
    }
    assert "1 of 3 rows unexpected, e.g. [-81.64]" in restated.failures[0].details
    report = gate_report(settings, "day2")
    assert report is not None and report["all_rows_because"]["fct_inquiries"] is None

    # An inquiry copied onto the next day: each day's rows are fine on their own, the whole
    # history's grain check names the key.
    con = duckdb.connect(str(warehouse))
    inquiry = con.execute("select min(inquiry_id) from marts.fct_inquiries").fetchone()[0]
    con.execute(
        """insert into marts.fct_inquiries
           select * replace (cast(received_date + 1 as date) as received_date)
           from marts.fct_inquiries where inquiry_id = ?""",
        [inquiry],
    )
    con.close()
    duplicated = run_quality_gate(settings, RUN_DATE, "day3")
    grain = next(f for f in duplicated.failures if f.suite == "fct_inquiries__history")
    assert grain.column == "check__duplicate_grain_keys"
    assert f"company_id=acme inquiry_id={inquiry} (2x)" in grain.details
    assert duplicated.rows_checked["fct_inquiries"] == 3  # the second day: 2 inquiries and the copy


def test_every_row_is_checked_again_when_the_checks_changed_or_are_unknown(
    settings: Settings, warehouse: Path
) -> None:
    assert run_quality_gate(settings, RUN_DATE, "day1").success
    publish(settings, "day1")

    # A channel leaves dim_channels: rows published under the old channel set are checked again.
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.dim_channels where channel_id = 'baidu_seo'")
    con.close()
    narrowed = run_quality_gate(settings, RUN_DATE, "day2")
    # Only the suites that check channel ids see every row again; the other marts have no channel.
    without_channel = {"mart_inquiry_funnel_monthly", "mart_product_margin"}
    assert narrowed.rows_checked == {
        name: 0 if name in without_channel else rows for name, rows in narrowed.row_counts.items()
    }
    assert narrowed.checked_against == "day1"
    assert "every row of fct_inquiries, mart_channel_cost_per_inquiry" in narrowed.summary()
    assert _named(
        narrowed.failures, "mart_channel_cost_per_inquiry", "expect_column_values_to_be_in_set", "channel_id"
    )
    assert "channel ids" in gate_report(settings, "day2")["all_rows_because"]["fct_inquiries"]

    # The published run's gate report is gone: how its rows were checked is unknown.
    (settings.quality_dir / "runs" / "day1.json").unlink()
    unknown = run_quality_gate(settings, RUN_DATE, "day3")
    assert unknown.rows_checked == unknown.row_counts


def test_rows_published_without_being_checked_are_checked_again(settings: Settings, warehouse: Path) -> None:
    assert run_quality_gate(settings, RUN_DATE, "day1").success
    # The warehouse changes between the gate and the publish (a task cleared and rerun alone):
    # the dashboards now show a row that run's gate never saw.
    con = duckdb.connect(str(warehouse))
    con.execute("""update marts.mart_channel_cost_per_inquiry set spend_fixed_cny = -81.64
                   where channel_id = 'alibaba_intl' and date_day = date '2026-03-01'""")
    con.close()
    publish(settings, "day1")

    after = run_quality_gate(settings, RUN_DATE, "day2")
    cost = "mart_channel_cost_per_inquiry"
    # Its table is not the one the gate checked (checksums differ): every row again, and the bad one is found.
    assert after.rows_checked[cost] == after.row_counts[cost]
    assert "not known to be the ones run day1's gate checked" in after.all_rows_because[cost]
    assert _named(after.failures, cost, "expect_column_values_to_be_between", "spend_fixed_cny")
    # The marts that were published as checked are not read again.
    assert after.rows_checked["fct_inquiries"] == 0

    # A serving file that cannot be read is no baseline: every row, and the gate still runs.
    settings.serving_current.resolve().write_bytes(b"not a duckdb file")
    unreadable = run_quality_gate(settings, RUN_DATE, "day3")
    assert unreadable.rows_checked == unreadable.row_counts
    assert "cannot be read" in unreadable.all_rows_because["fct_inquiries"]
