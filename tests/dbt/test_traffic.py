"""Traffic marts end to end: raw landing files -> dbt -> mart_channel_traffic,
mart_channel_traffic_funnel, mart_keyword_performance and mart_inquiry_reconciliation.

One small company `trf` (November 2026, the US on standard time: an Alibaba.com day runs from
16:00 to 16:00 Beijing). Figures worked out by hand in each test. The recording lag comes from
Settings (XUNPAN_INQUIRY_RECORDING_LAG_DAYS) through xunpan.transform into the dbt var.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from dataset import inquiry, spend
from dbt_homes import Warehouse, clone_home
from raw_fixtures import RawWriter

from xunpan.config import Settings
from xunpan.transform import dbt_build

COMPANY = "trf"
SNAPSHOT = "2026-11-06 18:00:00"
LANDING = "https://trf.example.cn/lp/dn25.html"
D = dt.date


def _platform(
    day: str, platform: str, exposures: int, visitors: int, clicks: int, inquiries: int, tm: int | None
):
    return {
        "stat_date": day,
        "platform": platform,
        "shop": f"{COMPANY}-shop",
        "exposures": exposures,
        "visitors": visitors,
        "clicks": clicks,
        "inquiries_reported": inquiries,
        "tm_consultations": tm,
    }


def _land(writer: RawWriter) -> None:
    writer.write(
        "platform_traffic",
        [
            _platform("2026-11-02", "alibaba_intl", 4000, 75, 120, 2, 3),
            _platform("2026-11-03", "alibaba_intl", 3800, 70, 110, 1, 2),
            _platform("2026-11-04", "alibaba_intl", 3900, 72, 115, 1, 2),
            _platform("2026-11-05", "alibaba_intl", 4100, 80, 125, 2, 4),
            _platform("2026-11-06", "alibaba_intl", 4000, 76, 118, 0, 1),
            # Made-in-China's export has no consultations column: unknown, not 0
            _platform("2026-11-02", "made_in_china", 0, 0, 0, 1, None),
        ],
        layout="alibaba_datamanager",
    )
    writer.write(
        "web_traffic",
        [
            {
                "visit_date": "2026-11-02",
                "tool": "baidu_tongji",
                "source": "百度推广",
                "medium": "付费搜索",
                "keyword": "DN25球阀",
                "landing_page": LANDING,
                "sessions": 30,
                "visitors": 25,
                "pageviews": 70,
                "conversions": 1,
            },
            {
                "visit_date": "2026-11-02",
                "tool": "baidu_tongji",
                "source": "百度",
                "medium": "搜索引擎",
                "keyword": "球阀厂家",
                "landing_page": "https://trf.example.cn/",
                "sessions": 50,
                "visitors": 40,
                "pageviews": 120,
                "conversions": 0,
            },
        ],
        layout="baidu_tongji_source",
    )
    writer.write(
        "ad_spend",
        [
            spend("2026-11-02", "baidu_search", "a1", "120.00", 40, 2000, keyword="DN25球阀"),
            spend("2026-11-02", "baidu_search", "a1", "200.00", 50, 3000, keyword="阀门厂家"),
            spend("2026-11-03", "baidu_search", "a1", "80.00", 20, 1000, keyword="DN25球阀"),
        ],
        layout="baidu_search_keyword",
    )
    writer.write(
        "inquiries",
        [
            # Alibaba.com: recorded one day after reaching the platform (see the reconciliation test)
            inquiry("A", "2026-11-03 17:30:00", "阿里巴巴", "P", "new", SNAPSHOT),
            inquiry("B", "2026-11-04 09:00:00", "阿里巴巴", "P", "invalid", SNAPSHOT, invalid_reason="推销"),
            inquiry("C", "2026-11-04 16:30:00", "阿里巴巴", "P", "new", SNAPSHOT),
            # Baidu PPC: by keyword (another spelling), by landing page only, and an invalid one
            inquiry("P1", "2026-11-02 10:00:00", "百度推广", "P", "new", SNAPSHOT, keyword=" dn25球阀 "),
            inquiry("P2", "2026-11-03 11:00:00", "百度推广", "P", "new", SNAPSHOT, landing_page=LANDING),
            inquiry(
                "P3",
                "2026-11-03 12:00:00",
                "百度推广",
                "P",
                "invalid",
                SNAPSHOT,
                keyword="阀门厂家",
                invalid_reason="推销",
            ),
        ],
        layout="register_zh",
    )


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    settings = Settings.from_env(tmp_path_factory.mktemp("traffic"))
    settings.raw.mkdir(parents=True, exist_ok=True)
    _land(RawWriter(settings.raw, company_id=COMPANY))
    result = dbt_build(
        settings, ["--select", "+path:models/marts/traffic", "--indirect-selection", "cautious"]
    )
    yield Warehouse(settings, result)


def test_reconciliation_follows_alibaba_days_and_the_one_day_lag(traffic: Warehouse) -> None:
    # Lag 1 (Settings default): A recorded 11-03 17:30 reached the platform 11-02 17:30 Beijing =
    # 11-02 01:30 Pacific; B (11-04 09:00 -> 11-03 09:00 Beijing = 11-02 17:00 Pacific) is also
    # Alibaba.com's 11-02; C (11-04 16:30 -> 11-03 16:30 Beijing = 11-03 00:30 Pacific) is 11-03.
    # Data through 11-06: a Pacific day settles 2 days later, so 11-05 and 11-06 are open.
    rows = traffic.rows(
        """select date_day, inquiries_platform, inquiries_registered, is_settled, inquiry_gap, inquiry_gap_share
           from marts.mart_inquiry_reconciliation
           where company_id = 'trf' and channel_id = 'alibaba_intl' order by date_day"""
    )
    assert rows == [
        (D(2026, 11, 2), 2, 2, True, 0, 0.0),
        (D(2026, 11, 3), 1, 1, True, 0, 0.0),
        (D(2026, 11, 4), 1, 0, True, 1, 1.0),
        (D(2026, 11, 5), 2, 0, False, None, None),
        (D(2026, 11, 6), 0, 0, False, None, None),
    ]
    assert traffic.one(
        "select distinct reporting_timezone, recording_lag_days from marts.mart_inquiry_reconciliation "
        "where channel_id = 'alibaba_intl'"
    ) == ("America/Los_Angeles", 1)


def test_lag_from_settings_reaches_dbt(
    traffic: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lag 0: A (11-03 01:30 Pacific) and B (11-03 17:00 Pacific) fall on 11-03, C on 11-04:
    # 11-02 shows 2 unrecorded, 11-03 one too many.
    monkeypatch.setenv("XUNPAN_INQUIRY_RECORDING_LAG_DAYS", "0")
    settings = clone_home(traffic.settings, tmp_path / "lag0")
    assert settings.inquiry_recording_lag_days == 0
    dbt_build(settings, ["--select", "mart_inquiry_reconciliation"])
    rows = Warehouse(settings, traffic.build).rows(
        """select date_day, inquiries_registered, inquiry_gap, recording_lag_days
           from marts.mart_inquiry_reconciliation
           where channel_id = 'alibaba_intl' and is_settled order by date_day"""
    )
    assert rows == [
        (D(2026, 11, 2), 0, 2, 0),
        (D(2026, 11, 3), 2, -1, 0),
        (D(2026, 11, 4), 1, 0, 0),
        (D(2026, 11, 5), 0, 2, 0),
    ]


def test_channel_traffic_keeps_unknown_measures_null(traffic: Warehouse) -> None:
    rows = traffic.rows(
        """select channel_id, traffic_source, source, medium, exposures, visitors, sessions,
                  inquiries_reported, tm_consultations, conversions
           from marts.mart_channel_traffic where date_day = date '2026-11-02' order by channel_id"""
    )
    assert rows == [
        ("alibaba_intl", "b2b_platform", "alibaba_intl", "b2b_platform", 4000, 75, None, 2, 3, None),
        ("baidu_ppc", "web_analytics", "百度推广", "付费搜索", None, 25, 30, None, None, 1),
        ("baidu_seo", "web_analytics", "百度", "搜索引擎", None, 40, 50, None, None, 0),
        ("made_in_china", "b2b_platform", "made_in_china", "b2b_platform", 0, 0, None, 1, None, None),
    ]


def test_funnel_ratios_from_the_raw_files(traffic: Warehouse) -> None:
    # baidu_ppc 11-02: ad report 2000 + 3000 impressions, 40 + 50 clicks, CNY 320.00; Tongji's
    # 25 paid-search visitors; 1 register inquiry (P1). CTR 90/5000 = 0.018, click-to-inquiry
    # 1/90, cost per click 320/90, cost per visitor 320/25 = 12.8.
    row = traffic.one(
        """select exposures, clicks, visitors, inquiries_total, spend_total_cny, click_through_rate,
                  click_to_inquiry_rate, cost_per_click_cny, cost_per_visitor_cny
           from marts.mart_channel_traffic_funnel
           where channel_id = 'baidu_ppc' and date_day = date '2026-11-02'"""
    )
    assert row[:5] == (5000, 90, 25, 1, Decimal("320.00"))
    assert row[5] == pytest.approx(0.018)
    assert row[6] == pytest.approx(1 / 90)
    assert row[7] == pytest.approx(320 / 90)
    assert row[8] == pytest.approx(12.8)
    # Made-in-China 11-02: zero exposures, clicks and visitors: every ratio NULL
    assert traffic.one(
        """select click_through_rate, click_to_inquiry_rate, visitor_to_inquiry_rate, cost_per_click_cny,
                  cost_per_visitor_cny
           from marts.mart_channel_traffic_funnel where channel_id = 'made_in_china'"""
    ) == (None, None, None, None, None)


def test_keywords_that_bring_inquiries_and_those_that_only_spend(traffic: Warehouse) -> None:
    # DN25球阀: CNY 120 + 80 = 200 for 60 clicks; P1 by keyword (" dn25球阀 "), P2 by its landing
    # page (the bought keyword with the most sessions there): 2 valid, CNY 100 per inquiry.
    # 阀门厂家: CNY 200 and one inquiry, invalid: no cost per inquiry, it only spends.
    rows = traffic.rows(
        """select keyword, sum(spend_cny), sum(clicks), sum(inquiries_total), sum(inquiries_valid),
                  sum(inquiries_by_landing_page), sum(spend_cny) / nullif(sum(inquiries_valid), 0)
           from marts.mart_keyword_performance where company_id = 'trf'
           group by keyword order by keyword"""
    )
    assert rows == [
        ("DN25球阀", Decimal("200.00"), 60, 2, 2, 1, Decimal("100")),
        ("阀门厂家", Decimal("200.00"), 50, 1, 0, 0, None),
    ]
