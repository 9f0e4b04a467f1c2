"""The freshness check counts no public holiday: a Spring Festival shutdown does not block publishing.

The calendar is the project's own trade-calendar seed (dbt_project/seeds/trade_calendar.csv), so
these tests also check the seed's 2026 rows: Spring Festival 02-15..02-23 with the make-up
Saturdays 02-14 and 02-28 (国务院办公厅关于2026年部分节假日安排的通知).
"""

from __future__ import annotations

import datetime as dt

import gate_warehouse
import pytest

from xunpan.config import Settings
from xunpan.quality import run_quality_gate
from xunpan.quality.freshness import freshness_window, load_calendar, same_week_last_year

D = dt.date


@pytest.fixture(scope="module")
def calendar():
    return load_calendar(Settings.from_env().dbt_project_dir / "seeds")


def test_a_makeup_saturday_is_a_working_day_and_holidays_are_not(calendar) -> None:
    assert calendar.is_working_day(D(2026, 2, 14)) is True  # 调休上班 Saturday
    assert calendar.is_working_day(D(2026, 3, 7)) is False  # an ordinary Saturday
    assert calendar.is_working_day(D(2026, 2, 16)) is False  # Spring Festival Monday
    assert calendar.is_working_day(D(2026, 2, 24)) is True
    assert calendar.is_working_day(D(2031, 1, 6)) is None  # not covered: unknown


def test_the_chinese_new_year_week_has_no_working_day(calendar) -> None:
    # Chinese New Year 2026 is Tuesday 02-17.
    week = calendar.week(D(2026, 2, 17))
    assert (week.start, week.end, week.iso_week) == (D(2026, 2, 16), D(2026, 2, 22), 8)
    assert week.working_days == 0 and week.holidays == ("春节",)
    before = calendar.week(D(2026, 2, 14))
    # Monday-Friday plus the make-up Saturday; the Sunday is the first holiday.
    assert before.working_days == 6 and before.holidays == ("春节",)
    assert calendar.week(D(2026, 3, 4)).holidays == ()


def test_iso_week_alignment_across_the_year_boundary(calendar) -> None:
    # 2026-01-01 is in ISO week 1 of 2026, which starts on Monday 2025-12-29; the like-for-like
    # week is ISO week 1 of 2025, which starts on 2024-12-30 (not 2025-01-01 minus 364 days).
    assert calendar.week(D(2026, 1, 1)).start == D(2025, 12, 29)
    assert same_week_last_year(D(2026, 1, 1)) == D(2024, 12, 30)
    # 2027-01-01 is in ISO week 53 of 2026; 2025 has 52 weeks, so there is no like-for-like week.
    week = calendar.week(D(2027, 1, 1))
    assert (week.iso_year, week.iso_week, week.start) == (2026, 53, D(2026, 12, 28))
    assert same_week_last_year(D(2027, 1, 1)) is None
    # New Year's week 2026: three holiday days, the Sunday 01-04 worked.
    assert calendar.week(D(2026, 1, 1)).working_days == 4


def test_freshness_window_skips_holidays_only(calendar) -> None:
    # An ordinary week: exactly the old rule (3 days before the run date).
    plain = freshness_window(D(2026, 3, 10), 3, calendar)
    assert plain.earliest == D(2026, 3, 7) and not plain.holidays_skipped
    # The day after Spring Festival: 9 holiday days are not counted.
    after = freshness_window(D(2026, 2, 24), 3, calendar)
    assert after.earliest == D(2026, 2, 12)
    assert len(after.holidays_skipped) == 9
    # Three working days after the holiday, the holiday still does not count.
    later = freshness_window(D(2026, 2, 26), 3, calendar)
    assert later.earliest == D(2026, 2, 14)
    # A year the calendar does not cover keeps the old rule, and says so.
    uncovered = freshness_window(D(2031, 2, 3), 3, calendar)
    assert uncovered.uncovered and uncovered.earliest == D(2031, 1, 31)
    assert "does not cover 2031" in uncovered.describe()


def test_spring_festival_shutdown_publishes_but_stale_data_blocks(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hand-made warehouse's data ends on Friday 2026-02-13, the last day before the shutdown.
    monkeypatch.setattr(gate_warehouse, "RUN_DATE", D(2026, 2, 13))
    gate_warehouse.build_warehouse(settings.warehouse)

    # Run on 02-24, the first working day after the holiday: 11 days without data, 9 of them holidays.
    after_holiday = run_quality_gate(settings, D(2026, 2, 24), "after-spring-festival")
    freshness = [f for f in after_holiday.failures if f.expectation_type == "expect_column_max_to_be_between"]
    assert not freshness, [f.details for f in freshness]
    assert after_holiday.success, after_holiday.summary()

    # On 03-02 the same data is two weeks old with only working days in between: blocked.
    stale = run_quality_gate(settings, D(2026, 3, 2), "stale")
    assert not stale.success
    assert any(
        f.suite == "fct_inquiries__history" and f.expectation_type == "expect_column_max_to_be_between"
        for f in stale.failures
    )
