"""A channel-week whose platform-vs-register inquiry gap exceeds the threshold makes the gate warn.

The warehouse is the gate's hand-made one (gate_warehouse.py) plus mart_inquiry_reconciliation as
dbt builds it (columns the check reads). Run date 2026-03-10 (a Tuesday). alibaba_intl, 10
inquiries reported each ISO week on its Monday, registered per week:
  W1 01-26..02-01: 5 (gap 50 %, but older than the last four settled weeks: not checked)
  W2 02-02..02-08: 9 (10 %)   W3 02-09..02-15: 10 (0 %)   W4 02-16..02-22: 7 (30 %: warns)
  W5 02-23..03-01: 10 (0 %)   W6 03-02..03-08: 11 (-10 %)
  03-09: not settled (the week is incomplete anyway).
made_in_china W6: the platform reported 0, the register 2: no share (NULL), no warning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from gate_warehouse import RUN_DATE

from xunpan.config import Settings
from xunpan.pipeline import step_audit
from xunpan.quality import run_quality_gate
from xunpan.quality.reconciliation import INQUIRY_GAP_SUITE, inquiry_gap_weeks
from xunpan.status import collect_status, format_status

MONDAYS = [dt.date(2026, 1, 26) + dt.timedelta(weeks=w) for w in range(6)]
REGISTERED = [5, 9, 10, 7, 10, 11]


def _add_reconciliation(warehouse: Path) -> None:
    rows = []
    for monday, registered in zip(MONDAYS, REGISTERED, strict=True):
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            rows.append(
                (
                    "acme",
                    "alibaba_intl",
                    day,
                    10 if offset == 0 else 0,
                    registered if offset == 0 else 0,
                    True,
                )
            )
            rows.append(("acme", "made_in_china", day, 0, 2 if day == dt.date(2026, 3, 2) else 0, True))
    rows.append(("acme", "alibaba_intl", dt.date(2026, 3, 9), 4, 0, False))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """create table marts.mart_inquiry_reconciliation (company_id varchar, channel_id varchar,
               date_day date, inquiries_platform bigint, inquiries_registered bigint, is_settled boolean)"""
        )
        con.executemany("insert into marts.mart_inquiry_reconciliation values (?, ?, ?, ?, ?, ?)", rows)


def test_the_last_four_settled_weeks_are_checked(warehouse: Path) -> None:
    _add_reconciliation(warehouse)
    weeks = inquiry_gap_weeks(warehouse)
    assert weeks is not None
    intl = weeks[weeks.channel_id == "alibaba_intl"]
    assert [d.date() for d in intl.week_start] == MONDAYS[2:]
    assert list(intl.inquiry_gap) == [0, 3, 0, -1]
    assert list(intl.inquiry_gap_share) == [0.0, 0.3, 0.0, -0.1]
    mic = weeks[weeks.channel_id == "made_in_china"]
    assert list(mic.inquiry_gap) == [0, 0, 0, -2] and mic.inquiry_gap_share.isna().all()


def test_gap_over_threshold_warns_in_data_docs_and_never_blocks(settings: Settings, warehouse: Path) -> None:
    _add_reconciliation(warehouse)

    result = run_quality_gate(settings, RUN_DATE, "manual__gap")

    assert settings.reconciliation_gap_threshold == 0.2
    assert result.success, result.summary()
    assert result.failures == []
    gaps = [w for w in result.warnings if w.suite == INQUIRY_GAP_SUITE]
    assert len(gaps) == 1
    assert gaps[0].expectation_type == "expect_column_values_to_be_null"
    assert "1 of 8 rows unexpected" in gaps[0].details
    week = "acme alibaba_intl 2026-02-16..02-22: 平台 platform 10, 登记 register 7, 差 gap 3 (30.0%)"
    assert week in gaps[0].details
    assert "2026-01-26" not in gaps[0].details and "made_in_china" not in gaps[0].details
    # The Data Docs show it as a validation result of its own, listed on the index page.
    assert gaps[0].docs_page is not None
    page = Path(gaps[0].docs_page.removeprefix("file://"))
    assert page.is_file() and week in page.read_text(encoding="utf-8")
    assert INQUIRY_GAP_SUITE in result.data_docs_index.read_text(encoding="utf-8")


def test_threshold_is_configurable(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, warehouse: Path
) -> None:
    _add_reconciliation(warehouse)
    monkeypatch.setenv("XUNPAN_RECONCILIATION_GAP_THRESHOLD", "5%")
    looser = Settings.from_env()
    assert looser.reconciliation_gap_threshold == 0.05

    result = run_quality_gate(looser, RUN_DATE, "manual__gap_5")

    (gaps,) = [w for w in result.warnings if w.suite == INQUIRY_GAP_SUITE]
    assert "2 of 8 rows unexpected" in gaps.details
    assert "差 gap 3 (30.0%)" in gaps.details and "差 gap -1 (-10.0%)" in gaps.details
    for bad in ("0", "1.5", "twenty"):
        monkeypatch.setenv("XUNPAN_RECONCILIATION_GAP_THRESHOLD", bad)
        with pytest.raises(ValueError, match="XUNPAN_RECONCILIATION_GAP_THRESHOLD"):
            Settings.from_env()


def test_warning_shows_in_xunpan_status(settings: Settings, warehouse: Path) -> None:
    _add_reconciliation(warehouse)

    summary = step_audit(settings, RUN_DATE, "manual__gap_status")

    assert any(INQUIRY_GAP_SUITE in w for w in summary["warnings"])
    run = collect_status(settings)["runs"][-1]
    assert run["steps"] == {"audit": "warning"}
    text = format_status(collect_status(settings))
    assert (
        "warning: inquiry_reconciliation: expect_column_values_to_be_null(check__gap_over_threshold)" in text
    )
    assert "2026-02-16..02-22" in text


def test_no_mart_no_check(settings: Settings, warehouse: Path) -> None:
    assert inquiry_gap_weeks(warehouse) is None
    result = run_quality_gate(settings, RUN_DATE, "manual__no_mart")
    assert [w for w in result.warnings if w.suite == INQUIRY_GAP_SUITE] == []
