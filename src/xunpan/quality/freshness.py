"""Calendar-aware freshness: public holidays do not count against the allowed data gap.

The gate fails when the newest data is older than XUNPAN_FRESHNESS_DAYS days before the run date.
Chinese exporters close for the Spring Festival (and the October Golden Week): a week with no new
inquiries then is the business being shut, not a broken import. So the allowed gap is counted
in days that are not public holidays, by the trade calendar the warehouse uses (the dbt seed
`trade_calendar`, read here from the same CSV so the gate and the week marts agree). Weekends
still count, as before: a quiet Saturday and Sunday are within the usual 3 days. Years the
calendar does not cover count every day (the old rule), and the gate's log says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SEED_NAME = "trade_calendar.csv"


@dataclass(frozen=True)
class TradeCalendar:
    """Public holidays, make-up working days (调休上班) and Canton Fair days, by date."""

    holidays: dict[dt.date, str] = field(default_factory=dict)
    makeup_workdays: frozenset[dt.date] = frozenset()
    canton_fair: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def is_public_holiday(self, day: dt.date) -> bool:
        return day in self.holidays

    def is_working_day(self, day: dt.date) -> bool | None:
        """Monday-Friday that is not a holiday, or a make-up Saturday/Sunday; None outside the calendar."""
        if not self.covers(day):
            return None
        if day in self.holidays:
            return False
        return day.isoweekday() <= 5 or day in self.makeup_workdays

    def week(self, day: dt.date) -> CalendarWeek:
        """The ISO week (Monday-Sunday) holding `day`, with its holidays and working days."""
        monday = day - dt.timedelta(days=day.isoweekday() - 1)
        days = [monday + dt.timedelta(days=i) for i in range(7)]
        iso_year, iso_week, _ = monday.isocalendar()
        known = all(self.covers(d) for d in days)
        names = sorted({self.holidays[d] for d in days if d in self.holidays})
        return CalendarWeek(
            start=monday,
            iso_year=iso_year,
            iso_week=iso_week,
            working_days=sum(bool(self.is_working_day(d)) for d in days) if known else None,
            holidays=tuple(names) if known else None,
        )


@dataclass(frozen=True)
class CalendarWeek:
    start: dt.date
    iso_year: int
    iso_week: int
    # None: the calendar does not cover every day of the week (unknown, not "no holiday").
    working_days: int | None
    holidays: tuple[str, ...] | None

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


def same_week_last_year(day: dt.date) -> dt.date | None:
    """Monday of the same ISO week number one ISO year earlier; None when that year has no such week."""
    iso_year, iso_week, _ = day.isocalendar()
    try:
        return dt.date.fromisocalendar(iso_year - 1, iso_week, 1)
    except ValueError:
        return None


def load_calendar(seeds_dir: Path) -> TradeCalendar:
    """Read the trade calendar seed (one row per event and date range, both ends inclusive)."""
    path = Path(seeds_dir) / SEED_NAME
    holidays: dict[dt.date, str] = {}
    makeup: set[dt.date] = set()
    fair: set[dt.date] = set()
    years: set[int] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            start = dt.date.fromisoformat(row["start_date"])
            end = dt.date.fromisoformat(row["end_date"])
            years.update(range(start.year, end.year + 1))
            day = start
            while day <= end:
                if row["event_type"] == "public_holiday":
                    holidays[day] = row["name_zh"]
                elif row["event_type"] == "makeup_workday":
                    makeup.add(day)
                elif row["event_type"] == "canton_fair":
                    fair.add(day)
                day += dt.timedelta(days=1)
    return TradeCalendar(holidays, frozenset(makeup), frozenset(fair), frozenset(years))


@dataclass(frozen=True)
class FreshnessWindow:
    """How far back the newest data may lie: `days` calendar days before the run date."""

    run_date: dt.date
    allowed_days: int
    days: int
    holidays_skipped: tuple[dt.date, ...]
    uncovered: bool

    @property
    def earliest(self) -> dt.date:
        return self.run_date - dt.timedelta(days=self.days)

    def describe(self) -> str:
        if self.uncovered:
            return (
                f"freshness: newest data on or after {self.earliest} ({self.allowed_days} days; the trade "
                f"calendar does not cover {self.run_date.year}, so holidays are not skipped)"
            )
        if not self.holidays_skipped:
            return f"freshness: newest data on or after {self.earliest} ({self.allowed_days} days)"
        return (
            f"freshness: newest data on or after {self.earliest} ({self.allowed_days} days not counting "
            f"{len(self.holidays_skipped)} public-holiday day(s) {self.holidays_skipped[-1]}..{self.holidays_skipped[0]})"
        )


def freshness_window(run_date: dt.date, allowed_days: int, calendar: TradeCalendar) -> FreshnessWindow:
    """Walk back from the run date until `allowed_days` days that are not public holidays have passed.

    The newest data must be on or after the day reached. With no holiday in the way this is
    run_date - allowed_days, exactly the old rule. Only days the calendar covers can be skipped;
    an uncovered run year keeps the old rule.
    """
    if not calendar.covers(run_date):
        return FreshnessWindow(run_date, allowed_days, allowed_days, (), True)
    counted = 0
    days = 0
    skipped: list[dt.date] = []
    day = run_date
    while counted < allowed_days:
        # The day examined is the one the gap would reach next (run_date - days - 1 .. ).
        if calendar.is_public_holiday(day):
            skipped.append(day)
        else:
            counted += 1
        days += 1
        day -= dt.timedelta(days=1)
        # A holiday run never lasts more than a few weeks; this bound only guards a broken seed.
        if days > allowed_days + 60:
            break
    # Holiday days right before the window's edge are skipped too (the shutdown started earlier).
    while calendar.is_public_holiday(day) and days <= allowed_days + 60:
        skipped.append(day)
        days += 1
        day -= dt.timedelta(days=1)
    return FreshnessWindow(run_date, allowed_days, days, tuple(skipped), False)


def calendar_freshness_days(seeds_dir: Path, run_date: dt.date, allowed_days: int) -> int:
    """Calendar days the gate allows between the run date and the newest data (holidays not counted)."""
    window = freshness_window(run_date, allowed_days, load_calendar(seeds_dir))
    log.info(window.describe())
    return window.days
