"""The owner's weekly figures in four lines of Chinese, from the published serving file.

Used in two places: the weekly report e-mail (Superset's Celery worker adds it to the message,
see superset/superset_config.py) and the alert webhook (xunpan.notify.send_weekly_summary, a
WeCom/DingTalk-style text message). Both read the serving file that is current when they run,
so the text and the dashboard screenshot show the same publish.

The week is the company's last complete ISO week (Monday to Sunday, Asia/Shanghai) as published
in dim_companies, compared with the week before it. Counts and spend come from
mart_channel_cost_per_inquiry (one row per company, day and channel: inquiries counted on the day
they were received, spend on the day it was booked), which holds every channel including
memberships. Cost per valid inquiry is spend / valid inquiries; with no valid inquiry it is
unknown and shown as "—", never 0.

Only the standard library, duckdb and xunpan.quality.contract (standard library only; its
FUNNEL_CHAIN orders WeekFigures' counts): this module also runs inside Superset's environment,
where the xunpan package is put on the path without its dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from xunpan.quality.contract import FUNNEL_CHAIN


@dataclass(frozen=True)
class WeekFigures:
    start: date
    end: date
    inquiries_total: int
    inquiries_valid: int
    inquiries_intentional: int
    inquiries_effective: int
    inquiries_won: int
    spend_cny: Decimal

    @property
    def cost_per_valid_cny(self) -> Decimal | None:
        """Spend per valid inquiry, exact to the fen; None (unknown) without a valid inquiry."""
        if not self.inquiries_valid:
            return None
        return (self.spend_cny / self.inquiries_valid).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class WeeklySummary:
    company_id: str
    data_through: date
    week: WeekFigures
    previous: WeekFigures

    def lines(self) -> list[str]:
        """Exactly four lines, Chinese first (they are read on a phone)."""
        w, p = self.week, self.previous
        return [
            f"【询盘周报】{self.company_id} 上周 {w.start:%Y-%m-%d} ~ {w.end:%Y-%m-%d}",
            f"询盘 {w.inquiries_total}（合格 {w.inquiries_valid}，意向 {w.inquiries_intentional}，"
            f"有效 {w.inquiries_effective}，成交 {w.inquiries_won}）；前一周 {p.inquiries_total}"
            f"（合格 {p.inquiries_valid}，成交 {p.inquiries_won}）",
            f"花费 {_money(w.spend_cny)}，每合格询盘成本 {_money(w.cost_per_valid_cny)}；"
            f"前一周 {_money(p.spend_cny)}，{_money(p.cost_per_valid_cny)}",
            f"数据截至 {self.data_through:%Y-%m-%d}",
        ]

    def text(self) -> str:
        return "\n".join(self.lines())


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def _week(con, company: str, start: date, end: date) -> WeekFigures:
    sums = ", ".join(f"coalesce(sum({c}), 0)" for c in FUNNEL_CHAIN)
    row = con.execute(
        f"select {sums}, coalesce(sum(spend_total_cny), 0) from main.mart_channel_cost_per_inquiry "
        "where company_id = ? and date_day between ? and ?",
        [company, start, end],
    ).fetchone()
    counts = [int(v) for v in row[: len(FUNNEL_CHAIN)]]
    return WeekFigures(start, end, *counts, spend_cny=Decimal(str(row[-1])).quantize(Decimal("0.01")))


def companies(serving_file: Path) -> list[str]:
    """The companies published in the serving file (dim_companies)."""
    import duckdb

    con = duckdb.connect(str(serving_file), read_only=True)
    try:
        return [r[0] for r in con.execute("select company_id from main.dim_companies order by 1").fetchall()]
    finally:
        con.close()


def weekly_summary(serving_file: Path, company: str) -> WeeklySummary:
    """The last complete week of `company` and the week before, from the serving file."""
    import duckdb

    con = duckdb.connect(str(serving_file), read_only=True)
    try:
        row = con.execute(
            "select data_through_date, last_complete_week_start, last_complete_week_end "
            "from main.dim_companies where company_id = ?",
            [company],
        ).fetchone()
        if row is None:
            raise LookupError(f"company {company!r} is not in {serving_file} (dim_companies)")
        through, start, end = row
        if start is None or end is None:
            raise LookupError(f"company {company!r} has no complete week yet (data through {through})")
        from datetime import timedelta

        week = _week(con, company, start, end)
        previous = _week(con, company, start - timedelta(days=7), start - timedelta(days=1))
    finally:
        con.close()
    return WeeklySummary(company, through, week, previous)
