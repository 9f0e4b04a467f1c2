"""The whole simulated company for one period: everything the export files are written from."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from xunpan.demo import catalog
from xunpan.demo.catalog import Brand
from xunpan.demo.finance import Contract, CostCard, channel_contracts, cost_card_dates, cost_cards, fx_rates
from xunpan.demo.inquiries import EXPORT_TIME, Inquiry, simulate_inquiries
from xunpan.demo.orders import OrderLine, build_orders
from xunpan.demo.period import DemoPeriod
from xunpan.demo.profile import DemoProfile
from xunpan.demo.spend import AdRow, baidu_rows, google_rows, p4p_rows, sogou_rows
from xunpan.demo.traffic import PlatformDay, WebRow, inquiries_per_day, platform_days, web_rows


@dataclass(frozen=True)
class DemoWorld:
    """All simulated facts of one demo company and period (no file formats here)."""

    company: str
    brand: Brand
    period: DemoPeriod
    profile: DemoProfile
    inquiries: list[Inquiry]
    orders: list[OrderLine]
    baidu: list[AdRow]
    sogou: list[AdRow]
    p4p: list[AdRow]
    google: list[AdRow]
    platform_traffic: list[PlatformDay]
    web_traffic: list[WebRow]
    fx: list[tuple[date, float]]
    contracts: list[Contract]
    cost_cards: list[list[CostCard]]

    @property
    def cutoff(self) -> datetime:
        """When the last register is exported: what happens later has not happened yet."""
        return datetime.combine(self.period.end, EXPORT_TIME)

    @property
    def snapshot_times(self) -> list[datetime]:
        """One full register export at every month end, the last one at the period's end."""
        return [datetime.combine(m.last, EXPORT_TIME) for m in self.period.months]


def build_world(period: DemoPeriod, profile: DemoProfile, seed: int, company: str = "default") -> DemoWorld:
    """Simulate one company over `period`; the same arguments always give the same world.

    Each part draws from its own child generator, so changing how one file kind is simulated does
    not reshuffle every other file.
    """
    streams = np.random.SeedSequence([seed, zlib.crc32(company.encode("utf-8"))]).spawn(8)
    rng_inquiries, rng_orders, rng_baidu, rng_sogou, rng_p4p, rng_google, rng_traffic, rng_fx = (
        np.random.default_rng(s) for s in streams
    )
    brand = catalog.brand_for(company)
    ppc = catalog.baidu_keywords(brand)[: profile.baidu_keywords]
    inquiries = simulate_inquiries(rng_inquiries, period, profile, brand, ppc)
    cutoff = datetime.combine(period.end, EXPORT_TIME)
    orders = build_orders(rng_orders, period, inquiries, cutoff, profile.repeat_orders_per_month)
    baidu = baidu_rows(rng_baidu, period, profile, brand)
    sogou = sogou_rows(rng_sogou, period, brand)
    received = inquiries_per_day(inquiries, cutoff)
    first_card, revised_card = cost_card_dates(period)
    return DemoWorld(
        company=company,
        brand=brand,
        period=period,
        profile=profile,
        inquiries=inquiries,
        orders=orders,
        baidu=baidu,
        sogou=sogou,
        p4p=p4p_rows(rng_p4p, period, profile, brand),
        google=google_rows(rng_google, period, brand),
        platform_traffic=platform_days(rng_traffic, period, brand, received),
        web_traffic=web_rows(rng_traffic, period, brand, inquiries, baidu, sogou, cutoff),
        fx=fx_rates(rng_fx, period),
        contracts=channel_contracts(period),
        cost_cards=[cost_cards(first_card, revised=False), cost_cards(revised_card, revised=True)],
    )
