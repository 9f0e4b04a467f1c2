"""Keyword spend and traffic are built incrementally by day (issue 12), on the real dbt project.

int_ad_keywords_daily, int_platform_traffic_daily and int_web_traffic_channels: a new day's
files add that day, a restated file rebuilds only the day it covers (every other day keeps its
rows and the invocation that built them), a restated coarser ad report removes the day's keyword
rows, and a full refresh then gives the same tables. Figures worked out by hand below.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from dataset import spend
from dbt_homes import clone_home
from raw_fixtures import RawWriter

from xunpan.config import Settings
from xunpan.transform import run_dbt

pytestmark = pytest.mark.slow

_KEYWORDS = "company_id, date_day, channel_id, keyword_key, keyword, impressions, clicks, spend_cny"
_PLATFORM = (
    "company_id, date_day, platform, channel_id, shops, exposures, clicks, visitors, inquiries_reported"
)
_WEB = "company_id, date_day, channel_id, source, medium, sessions, visitors, pageviews, conversions"


def _rows(settings: Settings, model: str, columns: str, built_by: str) -> dict[str, set[tuple]]:
    """day -> the model's rows of that day (columns, then the column naming the build)."""
    days: dict[str, set[tuple]] = {}
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for row in con.execute(f"select {columns}, {built_by} from intermediate.{model}").fetchall():
            days.setdefault(str(row[1]), set()).add(row)
    return days


def _all(settings: Settings) -> dict[str, dict[str, set[tuple]]]:
    return {
        "keywords": _rows(settings, "int_ad_keywords_daily", _KEYWORDS, "spend_built_by_invocation_id"),
        "platform": _rows(settings, "int_platform_traffic_daily", _PLATFORM, "built_by_invocation_id"),
        "web": _rows(settings, "int_web_traffic_channels", _WEB, "built_by_invocation_id"),
    }


def _figures(days: dict[str, set[tuple]], day: str) -> set[tuple]:
    """A day's rows without the build column, the day as text."""
    return {(row[0], str(row[1]), *row[2:-1]) for row in days.get(day, set())}


def _build(settings: Settings, *extra: str) -> None:
    # the three models, what they read and everything downstream of them and of the spend they
    # sum (the monthly reconciliation of the marts against the raw files among the tests)
    run_dbt(
        settings,
        "build",
        "--select",
        "+int_ad_spend_converted+",
        "+int_ad_keywords_daily+",
        "+int_platform_traffic_daily+",
        "+int_web_traffic_channels+",
        # the unit tests ran in built_acme's build and read no warehouse data: not again here
        "--exclude",
        "test_type:unit",
        *extra,
    )


def _platform(day: str, exposures: int, visitors: int, clicks: int, inquiries: int) -> dict[str, object]:
    return {
        "stat_date": day,
        "platform": "alibaba_intl",
        "shop": "acme-shop",
        "exposures": exposures,
        "visitors": visitors,
        "clicks": clicks,
        "inquiries_reported": inquiries,
        "tm_consultations": 0,
    }


def _web(day: str, source: str, medium: str, sessions: int) -> dict[str, object]:
    return {
        "visit_date": day,
        "tool": "baidu_tongji",
        "source": source,
        "medium": medium,
        "keyword": None,
        "landing_page": "/pumps",
        "sessions": sessions,
        "visitors": sessions - 1,
        "pageviews": 2 * sessions,
        "conversions": 0,
    }


def test_restated_day_rebuilds_only_that_day_and_full_refresh_agrees(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "incremental")
    raw = RawWriter(settings.raw)
    first = _all(settings)
    # acme's keyword spend is 2026-01-02 only (its 2026-01-03 keyword report lost to a later
    # account-level report); its traffic is 2026-01-02.
    assert set(first["keywords"]) == set(first["platform"]) == set(first["web"]) == {"2026-01-02"}

    # The next day: a keyword report, a back-office day and a web-analytics day for 2026-01-06.
    raw.write(
        "ad_spend",
        [
            spend("2026-01-06", "baidu_search", "bd-acct", "30.10", 3, 300, keyword="离心泵"),
            spend("2026-01-06", "baidu_search", "bd-acct", "5.05", 1, 100, keyword=" 离心泵 "),
            spend("2026-01-06", "baidu_search", "bd-acct", "20.00", 2, 200, keyword="水泵厂家"),
        ],
        layout="baidu_search_keyword",
        load_seq=100,
    )
    raw.write("platform_traffic", [_platform("2026-01-06", 900, 50, 40, 1)], load_seq=101)
    raw.write(
        "web_traffic",
        [_web("2026-01-06", "baidu", "organic", 20), _web("2026-01-06", "百度推广", "付费搜索", 12)],
        load_seq=102,
    )
    _build(settings)
    added = _all(settings)
    for fact in added:
        # 2026-01-02 untouched: the same rows, built by the same invocation
        assert added[fact]["2026-01-02"] == first[fact]["2026-01-02"], fact
    # the two spellings of 离心泵 are one keyword: 30.10 + 5.05, 3 + 1 clicks, 300 + 100 impressions
    assert _figures(added["keywords"], "2026-01-06") == {
        ("acme", "2026-01-06", "baidu_ppc", "离心泵", "离心泵", 400, 4, Decimal("35.15")),
        ("acme", "2026-01-06", "baidu_ppc", "水泵厂家", "水泵厂家", 200, 2, Decimal("20.00")),
    }

    # Restated: Baidu's keyword report of 2026-01-06 (a refunded click; 水泵厂家 gone, 阀门 new),
    # the back-office export of 2026-01-06, one web source's day.
    raw.write(
        "ad_spend",
        [
            spend("2026-01-06", "baidu_search", "bd-acct", "28.00", 3, 300, keyword="离心泵"),
            spend("2026-01-06", "baidu_search", "bd-acct", "12.50", 1, 50, keyword="阀门"),
        ],
        layout="baidu_search_keyword",
        load_seq=103,
    )
    raw.write("platform_traffic", [_platform("2026-01-06", 950, 55, 42, 2)], load_seq=104)
    raw.write("web_traffic", [_web("2026-01-06", "baidu", "organic", 25)], load_seq=105)
    _build(settings)
    restated = _all(settings)
    for fact in restated:
        assert restated[fact]["2026-01-02"] == first[fact]["2026-01-02"], fact
        assert restated[fact]["2026-01-06"].isdisjoint(added[fact]["2026-01-06"]), fact
    assert _figures(restated["keywords"], "2026-01-06") == {
        ("acme", "2026-01-06", "baidu_ppc", "离心泵", "离心泵", 300, 3, Decimal("28.00")),
        ("acme", "2026-01-06", "baidu_ppc", "阀门", "阀门", 50, 1, Decimal("12.50")),
    }
    assert _figures(restated["platform"], "2026-01-06") == {
        ("acme", "2026-01-06", "alibaba_intl", "alibaba_intl", 1, 950, 42, 55, 2)
    }
    # the later web export of the tool's day replaces the whole day: the paid-search row is gone
    assert _figures(restated["web"], "2026-01-06") == {
        ("acme", "2026-01-06", "baidu_seo", "baidu", "organic", 25, 24, 50, 0)
    }

    # Baidu's account-level report of 2026-01-02 (coarser: the grain of record now) removes that
    # day's keyword rows; 2026-01-06 stays as the last build left it.
    raw.write(
        "ad_spend",
        [spend("2026-01-02", "baidu_search", "bd-acct", "300.75", 30, 3000)],
        layout="baidu_search_account",
        load_seq=106,
    )
    _build(settings)
    coarser = _all(settings)
    assert set(coarser["keywords"]) == {"2026-01-06"}
    assert coarser["keywords"]["2026-01-06"] == restated["keywords"]["2026-01-06"]

    # A build with nothing new rebuilds nothing; a full refresh gives the same figures.
    _build(settings)
    assert _all(settings) == coarser
    _build(settings, "--full-refresh")
    refreshed = _all(settings)
    for fact in coarser:
        assert {d: _figures(refreshed[fact], d) for d in refreshed[fact]} == {
            d: _figures(coarser[fact], d) for d in coarser[fact]
        }, fact
