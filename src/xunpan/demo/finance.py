"""FX rates, channel contracts (memberships, SEO retainer, a trade-show booth) and cost-card versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from xunpan.demo.catalog import PRODUCTS, Product
from xunpan.demo.period import DemoPeriod, add_months, business_days

FX_LOW, FX_HIGH = 7.10, 7.30


@dataclass(frozen=True)
class Contract:
    """A fixed fee for a channel over an inclusive date range."""

    label: str
    start: date
    end: date
    fee: float
    currency: str
    description: str


@dataclass(frozen=True)
class CostCard:
    """One cost-card line: a SKU's unit costs valid from `valid_from`."""

    product: Product
    valid_from: date
    material: float
    labor: float
    loss: float
    process: float

    @property
    def unit_cost(self) -> float:
        """Material + labour + production loss + process cost per unit."""
        return round(self.material + self.labor + self.loss + self.process, 2)


def fx_rates(rng: np.random.Generator, period: DemoPeriod) -> list[tuple[date, float]]:
    """USD fixings (CNY per USD) on business days from a week before the period to its end."""
    rate = 7.18 + float(rng.uniform(-0.03, 0.03))
    result: list[tuple[date, float]] = []
    for day in business_days(period.start - timedelta(days=7), period.end):
        rate += float(rng.normal(0.0, 0.008))
        # Reflect at the band so the walk stays in the range the PBoC fixing moved in lately.
        if rate > FX_HIGH:
            rate = 2 * FX_HIGH - rate
        if rate < FX_LOW:
            rate = 2 * FX_LOW - rate
        result.append((day, round(rate, 4)))
    return result


def _annual_chain(
    label: str, first_start: date, fees: list[tuple[float, str]], until: date, months: int = 12
) -> list[Contract]:
    """Back-to-back contracts from `first_start` until one covers `until`; later terms use later fees."""
    contracts: list[Contract] = []
    start = first_start
    while start <= until:
        fee, description = fees[min(len(contracts), len(fees) - 1)]
        end = add_months(start, months) - timedelta(days=1)
        contracts.append(Contract(label, start, end, fee, "CNY", description))
        start = end + timedelta(days=1)
    return contracts


def channel_contracts(period: DemoPeriod) -> list[Contract]:
    """Memberships and fixed fees; their terms start mid-month, as real contracts do."""
    contracts = _annual_chain(
        "阿里巴巴国际站",
        period.start - timedelta(days=137),
        [(29800.0, "出口通会员年费"), (59800.0, "金品诚企会员年费(升级)")],
        period.end,
    )
    contracts += _annual_chain(
        "1688", period.start - timedelta(days=212), [(6680.0, "诚信通年费")], period.end
    )
    contracts += _annual_chain(
        "中国制造网", period.start - timedelta(days=63), [(31100.0, "金牌会员年费")], period.end
    )
    contracts += _annual_chain(
        "SEO外包",
        period.start - timedelta(days=16),
        [(18000.0, "网站SEO优化外包(半年)")],
        period.end,
        months=6,
    )
    contracts.append(_booth(period))
    return sorted(contracts, key=lambda c: (c.start, c.label))


def _booth(period: DemoPeriod) -> Contract:
    """A four-day trade-show booth in the middle of the period (in the first month if that is too late)."""
    months = period.months
    start = months[len(months) // 2].first + timedelta(days=9)
    if start + timedelta(days=3) > period.end:
        start = months[0].first + timedelta(days=9)
    return Contract("展会", start, start + timedelta(days=3), 36000.0, "CNY", "行业展会展位费")


def cost_card_dates(period: DemoPeriod) -> tuple[date, date]:
    """Valid-from dates of the two cost-card versions: the start of the year, and a mid-period revision."""
    months = period.months
    revision = (
        months[max(1, int(len(months) * 0.6))].first if len(months) > 1 else period.start + timedelta(days=14)
    )
    return date(period.start.year, 1, 1), revision


def cost_cards(valid_from: date, revised: bool) -> list[CostCard]:
    """Every SKU's card; the revision raises material cost where steel prices rose."""
    return [
        CostCard(
            p,
            valid_from,
            round(p.material * (p.material_rise if revised else 1.0), 2),
            p.labor,
            p.loss,
            p.process,
        )
        for p in PRODUCTS
    ]
