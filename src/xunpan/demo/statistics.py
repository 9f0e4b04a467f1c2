"""What a demo dataset contains, computed from the simulation (the figures the warehouse should show)."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from xunpan.demo.catalog import CHANNEL_GROUPS, CHANNEL_OF_LABEL, PRODUCT_BY_SKU
from xunpan.demo.finance import CostCard
from xunpan.demo.inquiries import FUNNEL
from xunpan.demo.world import DemoWorld

# Which canonical channel each ad platform's and contract's spend belongs to.
PLATFORM_CHANNEL = {
    "baidu_search": "baidu_ppc",
    "sogou": "sogou_ppc",
    "alibaba_p4p": "alibaba_intl",
    "google_ads": "google_ads",
}


@dataclass(frozen=True)
class DemoStatistics:
    """Headline figures of a demo dataset as of its last register export."""

    period_start: date
    period_end: date
    inquiries_total: int
    inquiries_invalid: int
    inquiries_valid: int
    inquiries_intentional: int
    inquiries_effective: int
    inquiries_won: int
    inquiries_open: int
    valid_by_channel: dict[str, int]
    spend_variable_cny: dict[str, float]
    spend_fixed_cny: dict[str, float]
    order_lines: int
    orders_without_inquiry: int
    revenue_cny: float
    gross_margin_flagship: float
    gross_margin_supporting: float

    @property
    def invalid_share(self) -> float:
        """Invalid inquiries over all inquiries."""
        return self.inquiries_invalid / self.inquiries_total if self.inquiries_total else 0.0

    def channel_group_shares(self) -> dict[str, float]:
        """Share of valid inquiries per channel group."""
        groups: Counter[str] = Counter()
        for channel, count in self.valid_by_channel.items():
            groups[CHANNEL_GROUPS[channel]] += count
        return (
            {g: n / self.inquiries_valid for g, n in sorted(groups.items())} if self.inquiries_valid else {}
        )

    def lines(self) -> list[str]:
        """A short human-readable summary (printed by `xunpan demo generate`)."""
        valid = self.inquiries_valid or 1
        spend = {
            c: self.spend_variable_cny.get(c, 0.0) + self.spend_fixed_cny.get(c, 0.0)
            for c in sorted(set(self.spend_variable_cny) | set(self.spend_fixed_cny))
        }
        return [
            f"period {self.period_start} .. {self.period_end}",
            f"inquiries {self.inquiries_total} (invalid {self.inquiries_invalid}, {self.invalid_share:.1%}); "
            f"valid {self.inquiries_valid}, intentional {self.inquiries_intentional} "
            f"({self.inquiries_intentional / valid:.1%}), effective {self.inquiries_effective}, "
            f"won {self.inquiries_won}, still open {self.inquiries_open}",
            "valid share by channel group: "
            + ", ".join(
                f"{g} {s:.1%}" for g, s in sorted(self.channel_group_shares().items(), key=lambda i: -i[1])
            ),
            "spend CNY (variable + fixed in the period): "
            + ", ".join(f"{c} {v:,.0f}" for c, v in spend.items()),
            f"orders: {self.order_lines} lines ({self.orders_without_inquiry} without inquiry), revenue CNY "
            f"{self.revenue_cny:,.0f}; gross margin flagship {self.gross_margin_flagship:.1%}, "
            f"supporting {self.gross_margin_supporting:.1%}",
        ]


def _rate_lookup(world: DemoWorld) -> Callable[[float, str, date], float]:
    days = [d for d, _ in world.fx]
    rates = [r for _, r in world.fx]

    def cny(amount: float, currency: str, on: date) -> float:
        if currency == "CNY":
            return amount
        # As-of: the latest fixing on or before the day (weekends use Friday's).
        return amount * rates[max(0, bisect.bisect_right(days, on) - 1)]

    return cny


def _card_on(world: DemoWorld, sku: str, on: date) -> CostCard:
    valid = [
        card
        for version in world.cost_cards
        for card in version
        if card.product.sku == sku and card.valid_from <= on
    ]
    return max(valid, key=lambda card: card.valid_from)


def statistics(world: DemoWorld) -> DemoStatistics:
    """Count the world as the warehouse should: stages as of the final export, spend in the period."""
    cutoff = world.cutoff
    shown = [q for q in world.inquiries if q.received_at <= cutoff]
    invalid = [q for q in shown if q.stage_at(cutoff) == "invalid"]
    valid = [q for q in shown if q.stage_at(cutoff) != "invalid"]
    reached = Counter(FUNNEL.index(q.reached_at(cutoff)) for q in valid)
    cny = _rate_lookup(world)

    variable: Counter[str] = Counter()
    for row in world.baidu + world.sogou + world.p4p + world.google:
        variable[PLATFORM_CHANNEL[row.platform]] += cny(row.cost, row.currency, row.day)
    fixed: Counter[str] = Counter()
    for contract in world.contracts:
        days = (contract.end - contract.start).days + 1
        overlap = (min(contract.end, world.period.end) - max(contract.start, world.period.start)).days + 1
        if overlap > 0:
            fixed[_contract_channel(contract.label)] += contract.fee * overlap / days

    revenue = {True: 0.0, False: 0.0}
    cost = {True: 0.0, False: 0.0}
    for line in world.orders:
        flagship = PRODUCT_BY_SKU[line.sku].flagship
        revenue[flagship] += cny(line.amount, line.currency, line.order_date)
        cost[flagship] += line.quantity * _card_on(world, line.sku, line.order_date).unit_cost

    def margin(flagship: bool) -> float:
        return (revenue[flagship] - cost[flagship]) / revenue[flagship] if revenue[flagship] else 0.0

    return DemoStatistics(
        period_start=world.period.start,
        period_end=world.period.end,
        inquiries_total=len(shown),
        inquiries_invalid=len(invalid),
        inquiries_valid=len(valid),
        inquiries_intentional=sum(n for stage, n in reached.items() if stage >= 1),
        inquiries_effective=sum(n for stage, n in reached.items() if stage >= 2),
        inquiries_won=reached[3],
        inquiries_open=sum(1 for q in valid if q.stage_at(cutoff) in ("new", "intentional", "effective")),
        valid_by_channel=dict(sorted(Counter(q.channel_id for q in valid).items())),
        spend_variable_cny={c: round(v, 2) for c, v in sorted(variable.items())},
        spend_fixed_cny={c: round(v, 2) for c, v in sorted(fixed.items())},
        order_lines=len(world.orders),
        orders_without_inquiry=len({o.order_id for o in world.orders if not o.inquiry_id}),
        revenue_cny=round(sum(revenue.values()), 2),
        gross_margin_flagship=margin(True),
        gross_margin_supporting=margin(False),
    )


def _contract_channel(label: str) -> str:
    # Contract labels that are not register labels: the membership names and the SEO agency.
    return {"阿里巴巴国际站": "alibaba_intl", "SEO外包": "baidu_seo"}.get(label) or CHANNEL_OF_LABEL.get(
        label, "unknown"
    )
