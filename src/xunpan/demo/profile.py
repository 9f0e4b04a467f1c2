"""Size and shape of a demo dataset: the full year the README demo uses, and the small e2e one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from xunpan.demo.period import DemoPeriod


@dataclass(frozen=True)
class DemoProfile:
    """Volumes of one demo dataset; the statistics' shape (mix, rates) comes from the catalog."""

    inquiries_per_month: float
    # Days from inquiry to deal: (shortest, most common, longest).
    won_cycle_days: tuple[float, float, float]
    baidu_keywords: int
    p4p_keywords: int
    repeat_orders_per_month: float
    # Share of valid inquiries under labels no alias table maps; the small set raises it so the e2e
    # run always meets the `unknown` channel.
    unknown_share: float
    # Deals that must have closed by the last export; the small set needs some whatever its end date
    # (two months of a 7.7 % win rate with weeks-long cycles can otherwise leave none).
    min_won: int = 0


FULL = DemoProfile(
    inquiries_per_month=130.0,
    won_cycle_days=(20.0, 45.0, 120.0),
    baidu_keywords=15,
    p4p_keywords=8,
    repeat_orders_per_month=5.0,
    unknown_share=0.008,
)

# About two months and a few dozen inquiries: short deal cycles so that some deals close inside it.
SMALL = DemoProfile(
    inquiries_per_month=26.0,
    won_cycle_days=(15.0, 22.0, 35.0),
    baidu_keywords=5,
    p4p_keywords=3,
    repeat_orders_per_month=4.0,
    unknown_share=0.04,
    min_won=3,
)

# Weekday and season effects on B2B demand: quiet weekends, Spring Festival in February, the October
# Golden Week; spring and September are the trade's busy months.
_WEEKDAY = (1.15, 1.15, 1.1, 1.1, 1.0, 0.55, 0.45)
_MONTH = {
    1: 0.95,
    2: 0.65,
    3: 1.15,
    4: 1.1,
    5: 1.05,
    6: 1.0,
    7: 0.9,
    8: 0.9,
    9: 1.1,
    10: 0.85,
    11: 1.05,
    12: 1.0,
}


def demand_factor(day: date) -> float:
    """Relative demand on `day` (1.0 = an average day of an average month)."""
    return _WEEKDAY[day.weekday()] * _MONTH[day.month]


def daily_intensity(period: DemoPeriod) -> np.ndarray:
    """Demand factor of every day of the period, normalised to average 1 over a whole year.

    Normalising over the calendar year rather than the period keeps a February-only dataset quiet
    instead of scaling it up to an average month.
    """
    year_mean = float(np.mean([_MONTH[m] for m in range(1, 13)])) * float(np.mean(_WEEKDAY))
    return np.asarray([demand_factor(d) for d in period.days]) / year_mean
