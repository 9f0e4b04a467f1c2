"""`targets.csv`: the owner's monthly targets (月度目标), as a small hand-kept sheet.

One row per month of the period and the month after it, per channel group the demo business
spends on, plus one channel row (展会, exhibitions: a booth is planned on its own). The owner sets
each month's targets from the month before: 10 % more valid inquiries, a won count at the
catalog's usual win rate and a budget of 110 % of last month's spend (fixed fees spread by day,
as the warehouse counts them). The first month, having no month before, uses its own figures.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from xunpan.demo.formats import write_text_table
from xunpan.demo.period import month_end
from xunpan.demo.world import DemoWorld
from xunpan.sources.targets import GROUP_NAMES, normalize_label, seed_rows

HEADER = ("月份", "渠道", "目标询盘", "目标成交", "预算", "目标成交金额", "备注")
# Groups the demo business has targets for (channel groups written in Chinese, as an owner would).
_GROUPS = ("b2b_platform", "paid_search", "organic_search")
# The exhibition channel is targeted on its own; its group (offline) therefore has no row.
_CHANNEL_ROWS = (("展会", "exhibition"),)
_UPLIFT = 1.10
_WIN_RATE = 0.08
# Average won deal in CNY the owner plans with.
_DEAL_CNY = 60_000


def _channel_groups() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """channel_id -> group, ad platform -> channel_id, normalised alias -> channel_id (the seeds)."""
    group = {r["channel_id"]: r["channel_group"] for r in seed_rows("channels.csv")}
    platform = {r["platform"]: r["channel_id"] for r in seed_rows("ad_platform_channels.csv")}
    alias = {normalize_label(r["alias"]): r["channel_id"] for r in seed_rows("channel_aliases.csv")}
    alias.update({normalize_label(c): c for c in group})
    return group, platform, alias


def _month(day: date) -> date:
    return day.replace(day=1)


def _spend_by_month(world: DemoWorld) -> dict[tuple[date, str], float]:
    """CNY spend per (month, channel): ad reports at the day's rate, contracts spread over their days."""
    _, platform, alias = _channel_groups()
    fx_days = [d for d, _ in world.fx]
    fx_rates = [r for _, r in world.fx]

    def cny(amount: float, currency: str, day: date) -> float:
        if currency == "CNY" or not fx_days:
            return amount
        i = max(bisect.bisect_right(fx_days, day) - 1, 0)
        return amount * fx_rates[i]

    spend: dict[tuple[date, str], float] = defaultdict(float)
    for row in (*world.baidu, *world.sogou, *world.p4p, *world.google):
        channel = platform.get(row.platform, "unknown")
        spend[(_month(row.day), channel)] += cny(row.cost, row.currency, row.day)
    for contract in world.contracts:
        channel = alias.get(normalize_label(contract.label), "unknown")
        days = (contract.end - contract.start).days + 1
        day = contract.start
        while day <= min(contract.end, world.period.end):
            spend[(_month(day), channel)] += cny(contract.fee, contract.currency, contract.start) / days
            day += timedelta(days=1)
    return spend


def target_rows(world: DemoWorld) -> list[list[str]]:
    """The sheet's rows: each month of the period and the next, groups first, then the channel rows."""
    group, _, _ = _channel_groups()
    valid: dict[tuple[date, str], int] = defaultdict(int)
    for inquiry in world.inquiries:
        if not inquiry.is_invalid and inquiry.received_at.date() <= world.period.end:
            valid[(_month(inquiry.received_at.date()), inquiry.channel_id)] += 1
    spend = _spend_by_month(world)
    months = [m.first for m in world.period.months]
    months.append(month_end(months[-1]) + timedelta(days=1))

    def basis(
        month: date, keys: set[str], measure: dict[tuple[date, str], float] | dict[tuple[date, str], int]
    ):
        previous = _month(month - timedelta(days=1))
        # The month before when the period has it; else the month itself (the first month).
        source = previous if previous >= months[0] else month
        if source not in months[:-1]:
            source = months[-2]
        return sum(v for (m, c), v in measure.items() if m == source and c in keys)

    rows: list[list[str]] = []
    for month in months:
        scopes = [(GROUP_NAMES[g], {c for c, gg in group.items() if gg == g}) for g in _GROUPS]
        scopes += [(label, {channel}) for label, channel in _CHANNEL_ROWS]
        for label, channels in scopes:
            inquiries = round(basis(month, channels, valid) * _UPLIFT)
            won = max(round(inquiries * _WIN_RATE), 0)
            budget = round(basis(month, channels, spend) * _UPLIFT, -2)
            rows.append(
                [
                    f"{month:%Y-%m}",
                    label,
                    str(inquiries),
                    str(won),
                    f"{budget:.2f}",
                    f"{won * _DEAL_CNY:.2f}",
                    "上月 +10%",
                ]
            )
    return rows


def write_targets(out: Path, world: DemoWorld) -> list[Path]:
    """Write `targets.csv` (UTF-8 with BOM, as Excel saves CSV) into `out`."""
    return [write_text_table(out / "targets.csv", list(HEADER), target_rows(world), encoding="utf-8-sig")]
