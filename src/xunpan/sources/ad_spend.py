"""Pay-per-click spend reports: Baidu 推广 (凤巢) and 信息流, 360 点睛, Sogou, Shenma, Alibaba.com P4P,
1688 P4P and Google Ads.

Each platform names the same measures differently (展现/展示数/展示次数/曝光量/展现量/Impr.), and
each report level adds dimension columns; the layouts below list them as the back-offices write them.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, default_text, sum_by_currency, sum_int
from xunpan.sources.layout import Col, Layout

# Derived or per-row rates every platform adds; known, so they are not reported as unknown columns.
_RATES = (
    "点击率",
    "平均点击价格",
    "千次展现消费",
    "转化",
    "网页转化",
    "商桥转化",
    "电话转化",
    "平均排名",
    "推广计划ID",
    "推广单元ID",
    "关键词ID",
    "设备",
    "匹配模式",
    "平均点击花费",
    "千次展示消费",
    "CTR",
    "Avg. CPC",
    "Conversions",
    "Cost / conv.",
    "Campaign type",
    "Campaign state",
    "Ad group state",
    "Match type",
    "Interaction rate",
    "Conv. rate",
)


def _c(field: str, *headers: str, parser: str = "text", required: bool = True, not_null: bool = False) -> Col:
    return Col(field, headers, parser, required, not_null)


def _measures(impressions: str, clicks: str, cost: str) -> tuple[Col, ...]:
    return (
        _c("impressions", impressions, parser="count"),
        _c("clicks", clicks, parser="count"),
        _c("cost", cost, parser="amount"),
        _c("_ctr", "点击率", "CTR", parser="percent", required=False),
    )


_DATE = _c("spend_date", "日期", parser="date", not_null=True)
_ACCOUNT = _c("account", "账户", "账户名称", "账号")
_BAIDU = _measures("展现", "点击", "消费")


def _layout(name: str, platform: str, level: str, cols: tuple[Col, ...], description: str) -> Layout:
    return Layout(name, "ad_spend", cols, {"platform": platform, "report_level": level}, _RATES, description)


LAYOUTS: tuple[Layout, ...] = (
    _layout(
        "baidu_search_account",
        "baidu_search",
        "account",
        (_DATE, _ACCOUNT, *_BAIDU),
        "Baidu 推广 account report (账户报告)",
    ),
    _layout(
        "baidu_search_campaign",
        "baidu_search",
        "campaign",
        (_DATE, _ACCOUNT, _c("campaign", "推广计划"), *_BAIDU),
        "Baidu 推广 plan report (计划报告)",
    ),
    _layout(
        "baidu_search_ad_group",
        "baidu_search",
        "ad_group",
        (_DATE, _ACCOUNT, _c("campaign", "推广计划"), _c("ad_group", "推广单元"), *_BAIDU),
        "Baidu 推广 unit report (单元报告)",
    ),
    _layout(
        "baidu_search_keyword",
        "baidu_search",
        "keyword",
        (
            _DATE,
            _ACCOUNT,
            _c("campaign", "推广计划"),
            _c("ad_group", "推广单元"),
            _c("keyword", "关键词", "关键词/网址"),
            *_BAIDU,
        ),
        "Baidu 推广 keyword report (关键词报告)",
    ),
    _layout(
        "baidu_search_search_term",
        "baidu_search",
        "search_term",
        (
            _DATE,
            _ACCOUNT,
            _c("campaign", "推广计划"),
            _c("ad_group", "推广单元"),
            _c("search_term", "搜索词"),
            _c("keyword", "关键词", "触发关键词", required=False),
            *_BAIDU,
        ),
        "Baidu 推广 search term report (搜索词报告)",
    ),
    _layout(
        "baidu_search_region",
        "baidu_search",
        "region",
        (
            _DATE,
            _ACCOUNT,
            _c("campaign", "推广计划", required=False),
            _c("region", "省份", "地域", "省"),
            _c("region_city", "城市", "地市", required=False),
            *_BAIDU,
        ),
        "Baidu 推广 region report (地域报告)",
    ),
    _layout(
        "baidu_search_hourly",
        "baidu_search",
        "hourly",
        (_DATE, _c("hour", "小时", "时段", parser="hour"), _ACCOUNT, *_BAIDU),
        "Baidu 推广 hourly report (分时报告)",
    ),
    _layout(
        "baidu_feed",
        "baidu_feed",
        "feed",
        (_DATE, _ACCOUNT, _c("campaign", "计划"), _c("ad_group", "单元"), *_BAIDU),
        "Baidu 信息流 report",
    ),
    _layout(
        "so360_account",
        "so360",
        "account",
        (_DATE, _ACCOUNT, *_measures("展示次数", "点击次数", "总费用")),
        "360 点睛 account report",
    ),
    _layout(
        "so360_keyword",
        "so360",
        "keyword",
        (
            _DATE,
            _ACCOUNT,
            _c("campaign", "推广计划"),
            _c("ad_group", "推广组"),
            _c("keyword", "关键词"),
            *_measures("展示次数", "点击次数", "总费用"),
        ),
        "360 点睛 keyword report",
    ),
    _layout(
        "sogou_account",
        "sogou",
        "account",
        (_DATE, _ACCOUNT, *_measures("展示数", "点击数", "消耗")),
        "Sogou account report (账户报告)",
    ),
    _layout(
        "sogou_keyword",
        "sogou",
        "keyword",
        (
            _DATE,
            _ACCOUNT,
            _c("campaign", "推广计划"),
            _c("ad_group", "推广组"),
            _c("keyword", "关键词"),
            *_measures("展示数", "点击数", "消耗"),
        ),
        "Sogou keyword report",
    ),
    _layout(
        "shenma_account",
        "shenma",
        "account",
        (
            _c("spend_date", "时间", parser="date", not_null=True),
            _ACCOUNT,
            *_measures("展现量", "点击量", "消费"),
        ),
        "Shenma (神马) account report",
    ),
    _layout(
        "shenma_keyword",
        "shenma",
        "keyword",
        (
            _c("spend_date", "时间", parser="date", not_null=True),
            _ACCOUNT,
            _c("campaign", "推广计划"),
            _c("ad_group", "推广单元"),
            _c("keyword", "关键词"),
            *_measures("展现量", "点击量", "消费"),
        ),
        "Shenma (神马) keyword report",
    ),
    _layout(
        "alibaba_p4p_keyword",
        "alibaba_p4p",
        "keyword",
        (
            _DATE,
            _c("account", "账号", "账户", required=False),
            _c("campaign", "推广计划"),
            _c("keyword", "关键词"),
            *_measures("曝光量", "点击量", "花费(元)"),
        ),
        "Alibaba.com 外贸直通车 (P4P) keyword report",
    ),
    _layout(
        "alibaba_1688_p4p_keyword",
        "alibaba_1688_p4p",
        "keyword",
        (
            _DATE,
            _c("campaign", "推广计划"),
            _c("ad_group", "推广单元", required=False),
            _c("keyword", "关键词"),
            *_measures("展现量", "点击量", "花费(元)"),
        ),
        "1688 P4P keyword report",
    ),
    Layout(
        "google_ads",
        "ad_spend",
        (
            _c("spend_date", "Day", "Date", parser="date", not_null=True),
            _c("account", "Account", "Account name", required=False),
            _c("campaign", "Campaign"),
            _c("ad_group", "Ad group", required=False),
            _c("keyword", "Keyword", "Search keyword", required=False),
            _c("impressions", "Impr.", "Impressions", parser="count"),
            _c("clicks", "Clicks", parser="count"),
            _c("currency", "Currency code", "Currency", parser="currency", not_null=True),
            _c("cost", "Cost", parser="amount"),
        ),
        {"platform": "google_ads"},
        _RATES,
        "Google Ads report (CSV download)",
    ),
)


def finish(frame: Frame) -> None:
    """Fill platform, account, level and currency; refuse negative spend."""
    frame.constant("platform", frame.layout.constants["platform"], pa.string())
    if "account" not in frame.fields:
        account = frame.preamble_value("账户", "账号", "Account") or frame.company_id
        frame.constant("account", account, pa.string())
    else:
        default_text(frame, "account", frame.preamble_value("账户", "账号", "Account") or frame.company_id)
    if "region_city" in frame.fields:
        joined = pc.binary_join_element_wise(
            frame.fields["region"], frame.fields["region_city"], "/", null_handling="skip"
        )
        frame.fields["region"] = joined
    level = frame.layout.constants.get("report_level")
    if level is None:
        level = next((lv for lv in ("keyword", "ad_group") if lv in frame.fields), "campaign")
    frame.constant("report_level", level, pa.string())
    if "currency" not in frame.fields:
        frame.constant("currency", "CNY", pa.string())
    frame.check_not_negative("cost", "a cost ≥ 0 (spend cannot be negative; refunds are not ad spend)")


def totals(table: pa.Table) -> dict[str, object]:
    return {
        "cost": sum_by_currency(table, "cost"),
        "clicks": sum_int(table, "clicks"),
        "impressions": sum_int(table, "impressions"),
    }


SPEC = KindSpec("ad_spend", LAYOUTS, finish, totals, "spend_date", ("platform", "account"))
