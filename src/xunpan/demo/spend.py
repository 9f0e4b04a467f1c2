"""Daily paid-media figures: Baidu 凤巢 keywords, Sogou, Alibaba.com P4P and Google Ads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from xunpan.demo import catalog
from xunpan.demo.catalog import Brand
from xunpan.demo.period import DemoPeriod, Month
from xunpan.demo.profile import DemoProfile, daily_intensity

# Days at the end of the last whole month that the platform restates (invalid-click refunds).
RESTATED_DAYS = 5


@dataclass(frozen=True)
class AdRow:
    """One report row. `cost`/`clicks` are the final figures; `*_first` what the first export said.

    They differ only on restated days, where the first export was later corrected downwards.
    """

    day: date
    platform: str
    account: str
    campaign: str
    ad_group: str
    keyword: str
    impressions: int
    clicks: int
    cost: float
    currency: str
    clicks_first: int
    cost_first: float


def _search_factor(intensity: float) -> float:
    # Ads keep running at weekends and holidays, so search volume swings less than inquiries do.
    return 1.0 + 0.6 * (intensity - 1.0)


def _row(
    rng: np.random.Generator,
    day: date,
    factor: float,
    impressions: float,
    ctr: float,
    cpc: float,
    labels: tuple[str, str, str, str, str],
    currency: str,
) -> AdRow | None:
    shown = int(rng.poisson(impressions * factor * rng.lognormal(0.0, 0.15)))
    if shown == 0:
        return None
    clicks = int(rng.binomial(shown, min(1.0, ctr * rng.lognormal(0.0, 0.2))))
    cost = round(clicks * cpc * float(rng.lognormal(0.0, 0.12)), 2)
    platform, account, campaign, ad_group, keyword = labels
    return AdRow(
        day, platform, account, campaign, ad_group, keyword, shown, clicks, cost, currency, clicks, cost
    )


def _restate(rng: np.random.Generator, rows: list[AdRow], month: Month | None) -> list[AdRow]:
    """Mark the last days of `month`: their first export had a few more (later refunded) clicks."""
    if month is None:
        return rows
    restated_from = month.days[-RESTATED_DAYS:][0]
    result: list[AdRow] = []
    for row in rows:
        if restated_from <= row.day <= month.last and row.clicks > 0:
            refunded = int(rng.binomial(row.clicks, 0.05)) + int(rng.random() < 0.3)
            first_cost = round(row.cost * (1 + float(rng.uniform(0.01, 0.06))) + refunded * 0.5, 2)
            row = AdRow(
                row.day,
                row.platform,
                row.account,
                row.campaign,
                row.ad_group,
                row.keyword,
                row.impressions,
                row.clicks,
                row.cost,
                row.currency,
                row.clicks + refunded,
                first_cost,
            )
        result.append(row)
    return result


def baidu_rows(
    rng: np.random.Generator, period: DemoPeriod, profile: DemoProfile, brand: Brand
) -> list[AdRow]:
    """Keyword-level daily rows of the Baidu account, restated on the last whole month's final days."""
    keywords = catalog.baidu_keywords(brand)[: profile.baidu_keywords]
    rows: list[AdRow] = []
    for day, intensity in zip(period.days, daily_intensity(period), strict=True):
        factor = _search_factor(intensity)
        for k in keywords:
            row = _row(
                rng,
                day,
                factor,
                k.impressions,
                k.ctr,
                k.cpc,
                ("baidu_search", brand.baidu_account, k.plan, k.unit, k.keyword),
                "CNY",
            )
            if row is not None:
                rows.append(row)
    return _restate(rng, rows, period.last_whole_month())


def sogou_rows(rng: np.random.Generator, period: DemoPeriod, brand: Brand) -> list[AdRow]:
    """Account-level daily rows of the small Sogou account."""
    rows: list[AdRow] = []
    for day, intensity in zip(period.days, daily_intensity(period), strict=True):
        row = _row(
            rng,
            day,
            _search_factor(intensity),
            700,
            0.016,
            3.2,
            ("sogou", brand.sogou_account, "", "", ""),
            "CNY",
        )
        if row is not None:
            rows.append(row)
    return rows


def p4p_rows(rng: np.random.Generator, period: DemoPeriod, profile: DemoProfile, brand: Brand) -> list[AdRow]:
    """Alibaba.com 外贸直通车 keyword rows (CNY)."""
    rows: list[AdRow] = []
    for day, intensity in zip(period.days, daily_intensity(period), strict=True):
        for k in catalog.P4P_KEYWORDS[: profile.p4p_keywords]:
            row = _row(
                rng,
                day,
                _search_factor(intensity),
                k.impressions,
                k.ctr,
                k.cpc,
                ("alibaba_p4p", brand.alibaba_account, k.plan, "", k.keyword),
                "CNY",
            )
            if row is not None:
                rows.append(row)
    return rows


def google_rows(rng: np.random.Generator, period: DemoPeriod, brand: Brand) -> list[AdRow]:
    """Google Ads ad-group rows, billed in USD."""
    rows: list[AdRow] = []
    for day, intensity in zip(period.days, daily_intensity(period), strict=True):
        for group in catalog.GOOGLE_AD_GROUPS:
            row = _row(
                rng,
                day,
                _search_factor(intensity),
                group.impressions,
                group.ctr,
                group.cpc_usd,
                ("google_ads", brand.domain, group.campaign, group.ad_group, ""),
                "USD",
            )
            if row is not None:
                rows.append(row)
    return rows
