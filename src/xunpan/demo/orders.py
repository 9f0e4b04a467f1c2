"""Order lines: one order per won inquiry (its deal amount matches the order) plus repeat customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from xunpan.demo import catalog, names
from xunpan.demo.catalog import PRODUCT_BY_SKU, PRODUCTS, Product
from xunpan.demo.inquiries import Inquiry
from xunpan.demo.period import DemoPeriod
from xunpan.demo.sampling import choice, pick

# Export prices are quoted from the CNY list at a planning rate, with the export markup on top.
PLANNING_RATE = 7.2


@dataclass(frozen=True)
class OrderLine:
    """One ERP order line; `inquiry_id` is empty for repeat customers who order without an inquiry."""

    order_id: str
    line: int
    order_date: date
    inquiry_id: str
    customer: str
    sku: str
    quantity: int
    unit_price: float
    currency: str

    @property
    def amount(self) -> float:
        """Quantity times unit price, in the line's currency."""
        return round(self.quantity * self.unit_price, 2)


@dataclass
class _Draft:
    order_date: date
    inquiry_id: str
    customer: str
    currency: str
    lines: list[tuple[str, int, float]]


def _quantity(rng: np.random.Generator, product: Product, scale: float = 1.0) -> int:
    # Log-uniform: most orders are small, a few are large.
    low, high = product.quantity
    value = float(np.exp(rng.uniform(np.log(low), np.log(max(low + 1, high * scale)))))
    step = 10 if low >= 100 else 5
    return max(step, round(value / step) * step)


def _unit_price(rng: np.random.Generator, product: Product, currency: str) -> float:
    if currency == "USD":
        return round(product.price_cny / PLANNING_RATE * float(rng.uniform(1.0, 1.1)), 2)
    return round(product.price_cny * float(rng.uniform(0.92, 1.05)), 2)


def _lines_for(
    rng: np.random.Generator, main: Product, currency: str, scale: float = 1.0
) -> list[tuple[str, int, float]]:
    """The main product plus the accessories buyers of that product usually add."""
    quantity = _quantity(rng, main, scale)
    lines = [(main.sku, quantity, _unit_price(rng, main, currency))]
    extras: list[tuple[str, int]] = []
    if main.line in ("球阀", "蝶阀"):
        if rng.random() < 0.4:
            extras.append(("AT-63", max(5, int(quantity * rng.uniform(0.05, 0.2) / 5) * 5)))
        if rng.random() < 0.35:
            extras.append(("SK-50", max(10, int(quantity * rng.uniform(0.5, 1.0) / 10) * 10)))
    elif main.line == "执行器" and rng.random() < 0.3:
        extras.append(("LS-01", max(5, int(quantity * rng.uniform(0.5, 1.0) / 5) * 5)))
    for sku, extra_quantity in extras:
        if sku != main.sku:
            lines.append((sku, extra_quantity, _unit_price(rng, PRODUCT_BY_SKU[sku], currency)))
    return lines


def _deal_amount(lines: list[tuple[str, int, float]], currency: str) -> float:
    """What the rep writes as 成交金额: the order total rounded the way people quote it."""
    total = sum(quantity * price for _, quantity, price in lines)
    step = 10 if currency == "USD" else 100
    return float(max(step, round(total / step) * step))


def build_orders(
    rng: np.random.Generator,
    period: DemoPeriod,
    inquiries: list[Inquiry],
    cutoff: datetime,
    repeat_per_month: float,
) -> list[OrderLine]:
    """Orders of every inquiry won by `cutoff` (setting its deal amount) and of repeat customers."""
    drafts: list[_Draft] = []
    for inquiry in inquiries:
        won_at = inquiry.event_time("won")
        if won_at is None or won_at > cutoff:
            continue
        currency = "USD" if inquiry.foreign else "CNY"
        lines = _lines_for(rng, PRODUCT_BY_SKU[inquiry.product_sku], currency)
        inquiry.deal_amount, inquiry.deal_currency = _deal_amount(lines, currency), currency
        order_date = min(won_at.date() + timedelta(days=int(rng.integers(0, 6))), period.end)
        drafts.append(_Draft(order_date, inquiry.inquiry_id, inquiry.company, currency, lines))

    customers = [(names.domestic_company(rng), "CNY") for _ in range(8)]
    for _ in range(3):
        country = pick(rng, catalog.COUNTRIES)
        customers.append((names.foreign_company(rng, country), "USD"))
    for month in period.months:
        workdays = [d for d in month.days if d.weekday() < 5] or month.days
        for _ in range(int(rng.poisson(repeat_per_month * len(month.days) / 30))):
            customer, currency = choice(rng, customers)
            main = pick(rng, [(p, p.interest) for p in PRODUCTS])
            drafts.append(
                _Draft(choice(rng, workdays), "", customer, currency, _lines_for(rng, main, currency, 0.5))
            )

    drafts.sort(key=lambda d: d.order_date)
    per_day: dict[date, int] = {}
    result: list[OrderLine] = []
    for draft in drafts:
        per_day[draft.order_date] = per_day.get(draft.order_date, 0) + 1
        order_id = f"SO{draft.order_date:%Y%m%d}{per_day[draft.order_date]:02d}"
        for number, (sku, quantity, price) in enumerate(draft.lines, start=1):
            result.append(
                OrderLine(
                    order_id,
                    number,
                    draft.order_date,
                    draft.inquiry_id,
                    draft.customer,
                    sku,
                    quantity,
                    price,
                    draft.currency,
                )
            )
    return result
