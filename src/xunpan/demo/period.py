"""The calendar a demo dataset covers: whole or partial calendar months ending at an end date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


def default_end_date(now: datetime | None = None) -> date:
    """Yesterday in Asia/Shanghai: the last day a platform export made today can cover completely,
    the business day the daily run loads (xunpan.pipeline.business_date_for)."""
    from xunpan.pipeline import business_date_for

    return business_date_for(now if now is not None else datetime.now(UTC))


def month_end(day: date) -> date:
    """The last calendar day of `day`'s month."""
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """`day` shifted by whole months, clamped to the target month's length (Jan 31 + 1 -> Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


@dataclass(frozen=True)
class Month:
    """One calendar month of the period, cut at the period's end."""

    first: date
    last: date

    @property
    def is_whole(self) -> bool:
        """Whether the period covers the calendar month completely."""
        return self.last == month_end(self.first)

    @property
    def yyyymm(self) -> str:
        """The month as the export file names write it, e.g. 202601."""
        return f"{self.first:%Y%m}"

    @property
    def days(self) -> list[date]:
        """Every day of the month within the period."""
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class DemoPeriod:
    """`start` is always the 1st of a month; `end` may fall anywhere in the last month."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, months: int) -> DemoPeriod:
        """The `months` calendar months (the last one possibly partial) ending at `end`."""
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        return cls(add_months(end.replace(day=1), -(months - 1)), end)

    @property
    def days(self) -> list[date]:
        """Every day of the period."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def months(self) -> list[Month]:
        """The calendar months of the period, the last one cut at `end`."""
        result: list[Month] = []
        first = self.start
        while first <= self.end:
            result.append(Month(first, min(month_end(first), self.end)))
            first = month_end(first) + timedelta(days=1)
        return result

    @property
    def years(self) -> list[int]:
        """Every calendar year the period touches."""
        return list(range(self.start.year, self.end.year + 1))

    def last_whole_month(self) -> Month | None:
        """The latest month the period covers completely (the one a platform would restate)."""
        whole = [m for m in self.months if m.is_whole]
        return whole[-1] if whole else None


def business_days(first: date, last: date) -> list[date]:
    """Monday to Friday between both dates inclusive (FX fixings are published on these)."""
    return [
        first + timedelta(days=i)
        for i in range((last - first).days + 1)
        if (first + timedelta(days=i)).weekday() < 5
    ]
