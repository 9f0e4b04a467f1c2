"""Platform back-office statistics and Baidu Tongji website traffic, consistent with the inquiries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from xunpan.config import BUSINESS_TZ
from xunpan.demo import catalog
from xunpan.demo.catalog import Brand
from xunpan.demo.inquiries import WEBSITE_METHODS, Inquiry
from xunpan.demo.period import DemoPeriod
from xunpan.demo.profile import daily_intensity
from xunpan.demo.spend import AdRow


@dataclass(frozen=True)
class PlatformDay:
    """One day of a B2B platform shop; `inquiries` is what the platform counted, spam included."""

    day: date
    platform: str
    shop: str
    exposures: int
    visitors: int
    clicks: int
    inquiries: int
    consultations: int


@dataclass(frozen=True)
class WebRow:
    """One Baidu Tongji 来源分析 row: day x source type x site x search term x entry page."""

    day: date
    source_type: str
    site: str
    term: str
    page: str
    pageviews: int
    visitors: int
    visits: int
    conversions: int


# Average daily (exposures, visitors, extra clicks beyond visitors, chats) per shop.
_SHOPS: dict[str, tuple[float, float, float, float]] = {
    "alibaba_intl": (4200, 105, 50, 3),
    "alibaba_1688": (2600, 85, 30, 4),
    "made_in_china": (1800, 55, 20, 0),
}


# Sales log the previous day's platform inquiries each morning: an inquiry the register shows at
# T reached the platform at T minus this (docs/metrics.md, "Platform vs register").
RECORDING_LAG = timedelta(days=1)
# The time zone each back-office counts its days in: Alibaba.com's 数据管家 counts US Pacific days.
_REPORTING_ZONES: dict[str, ZoneInfo] = {
    "alibaba_intl": ZoneInfo("America/Los_Angeles"),
    "alibaba_1688": BUSINESS_TZ,
    "made_in_china": BUSINESS_TZ,
}
# Inquiries a platform delivers that nobody enters in the register, per registered one: buyers
# who write once and vanish, messages read on the phone and forgotten. Made-in-China's inbox is
# checked least often.
_UNRECORDED_PER_RECORDED: dict[str, float] = {
    "alibaba_intl": 0.12,
    "alibaba_1688": 0.08,
    "made_in_china": 0.2,
}


def platform_day(recorded_at: datetime, platform: str) -> date:
    """The back-office day an inquiry the register shows at `recorded_at` (Beijing wall time) fell on."""
    arrived = (recorded_at - RECORDING_LAG).replace(tzinfo=BUSINESS_TZ)
    return arrived.astimezone(_REPORTING_ZONES.get(platform, BUSINESS_TZ)).date()


def inquiries_per_day(inquiries: list[Inquiry], cutoff: datetime) -> Counter[tuple[date, str]]:
    """Registered inquiries per (platform day, channel) up to the export cutoff, invalid ones included.

    B2B platform inquiries are counted on the platform's own day (`platform_day`); the others on
    the day the register shows.
    """
    return Counter(
        (
            platform_day(q.received_at, q.channel_id) if q.channel_id in _SHOPS else q.received_at.date(),
            q.channel_id,
        )
        for q in inquiries
        if q.received_at <= cutoff
    )


def platform_days(
    rng: np.random.Generator, period: DemoPeriod, brand: Brand, received: Counter[tuple[date, str]]
) -> list[PlatformDay]:
    """Daily shop statistics of Alibaba.com, 1688 and Made-in-China."""
    shops = {
        "alibaba_intl": brand.alibaba_shop,
        "alibaba_1688": brand.shop_1688,
        "made_in_china": brand.legal_en,
    }
    days = period.days
    mean_logged = {p: sum(received[(d, p)] for d in days) / max(len(days), 1) for p in _SHOPS}
    rows: list[PlatformDay] = []
    for day, intensity in zip(days, daily_intensity(period), strict=True):
        for platform, (exposures, visitors, extra_clicks, chats) in _SHOPS.items():
            logged = received[(day, platform)]
            # The platform counts every message, also those the sales team never logged.
            unrecorded = int(
                rng.poisson(_UNRECORDED_PER_RECORDED[platform] * mean_logged[platform] * intensity)
            )
            seen = int(rng.poisson(visitors * intensity))
            rows.append(
                PlatformDay(
                    day,
                    platform,
                    shops[platform],
                    exposures=int(rng.poisson(exposures * intensity)),
                    visitors=seen,
                    clicks=seen + int(rng.poisson(extra_clicks * intensity)),
                    inquiries=logged + unrecorded,
                    consultations=logged + int(rng.poisson(chats * intensity)),
                )
            )
    return rows


def _conversion_key(inquiry: Inquiry, site: str) -> tuple[str, str, str, str] | None:
    """The Tongji row a website inquiry converted on, or None if it did not come through the site."""
    if inquiry.contact_method not in WEBSITE_METHODS:
        return None
    page = inquiry.landing_page or site + "/"
    term = inquiry.keyword or "--"
    return {
        "baidu_ppc": ("付费搜索", "百度推广", term, page),
        "sogou_ppc": ("付费搜索", "搜狗推广", "--", page),
        "google_ads": ("付费搜索", "Google Ads", term, page),
        "baidu_seo": ("搜索引擎", "百度", term, page),
        "google_seo": ("搜索引擎", "Google", term, page),
        "website_direct": ("直接访问", "--", "--", page),
        "wechat": ("外部链接", "mp.weixin.qq.com", "--", site + "/"),
        "weibo": ("外部链接", "weibo.com", "--", site + "/"),
    }.get(inquiry.channel_id)


def web_rows(
    rng: np.random.Generator,
    period: DemoPeriod,
    brand: Brand,
    inquiries: list[Inquiry],
    baidu: list[AdRow],
    sogou: list[AdRow],
    cutoff: datetime,
) -> list[WebRow]:
    """Website visits by source: paid visits follow the ad clicks, organic ones the search terms."""
    site = f"https://{brand.domain}"
    landing = {k.keyword: site + k.landing_path for k in catalog.baidu_keywords(brand)}
    visits: dict[tuple[date, tuple[str, str, str, str]], int] = defaultdict(int)
    for row in baidu:
        if row.clicks:
            visits[(row.day, ("付费搜索", "百度推广", row.keyword, landing[row.keyword]))] += int(
                rng.binomial(row.clicks, 0.85)
            )
    for row in sogou:
        if row.clicks:
            visits[(row.day, ("付费搜索", "搜狗推广", "--", site + "/lp/ball-valve-dn50.html"))] += int(
                rng.binomial(row.clicks, 0.85)
            )
    for day, intensity in zip(period.days, daily_intensity(period), strict=True):
        for term, path, mean in catalog.ORGANIC_TERMS_ZH:
            visits[(day, ("搜索引擎", "百度", term, site + path))] += int(rng.poisson(mean * intensity))
        for term, path, mean in catalog.ORGANIC_TERMS_EN:
            visits[(day, ("搜索引擎", "Google", term, site + path))] += int(rng.poisson(mean * intensity))
        visits[(day, ("直接访问", "--", "--", site + "/"))] += int(rng.poisson(25 * intensity))
        visits[(day, ("外部链接", "mp.weixin.qq.com", "--", site + "/"))] += int(rng.poisson(4 * intensity))
        visits[(day, ("外部链接", "weibo.com", "--", site + "/"))] += int(rng.poisson(2 * intensity))

    conversions: Counter[tuple[date, tuple[str, str, str, str]]] = Counter()
    for inquiry in inquiries:
        key = _conversion_key(inquiry, site)
        if key is not None and inquiry.received_at <= cutoff:
            conversions[(inquiry.received_at.date(), key)] += 1

    rows: list[WebRow] = []
    for (day, key), count in sorted(set(visits.items()) | {(k, 0) for k in conversions if k not in visits}):
        converted = conversions[(day, key)]
        sessions = max(count, converted)
        if sessions == 0:
            continue
        unique = max(converted, int(rng.binomial(sessions, 0.85)), 1)
        rows.append(
            WebRow(
                day,
                *key,
                pageviews=sessions + int(rng.poisson(sessions * 1.6)),
                visitors=unique,
                visits=sessions,
                conversions=converted,
            )
        )
    return rows
