"""Pay-per-click spend reports: Baidu 推广 (凤巢) and 信息流, 360 点睛, Sogou, Shenma, Alibaba.com P4P
(外贸直通车), 1688 P4P and Google Ads — at any report level, with whatever columns the user picked.

A report is recognised by meaning (xunpan.sources.meaning): the minimum usable row is a day, money
spent, and at least one of account / campaign / ad group / keyword / search term; every other column
is optional. The report level follows from the dimension columns present.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, sum_by_currency, sum_int
from xunpan.sources.meaning import Dialect, Meaning, Vocabulary, sampled_dialect

# The synonym table (docs/raw-landing.md copies it). Within one meaning, earlier spellings win when a
# report has two of them (消费 over 现金消费: cash spend leaves out rebates, 消费 is what was billed).
MEANINGS: tuple[Meaning, ...] = (
    Meaning("spend_date", "date", ("日期", "时间", "日期范围", "数据日期", "Day", "Date"), True, "the day"),
    Meaning("hour", "hour", ("小时", "时段", "Hour of day", "Hour"), label="hour of the day"),
    Meaning("account", "text", ("账户", "账户名称", "账户名", "账号", "推广账户", "Account", "Account name")),
    Meaning(
        "campaign", "text", ("推广计划", "推广计划名称", "计划名称", "计划", "Campaign", "Campaign name")
    ),
    Meaning(
        "ad_group",
        "text",
        ("推广单元", "推广单元名称", "单元名称", "单元", "推广组", "推广组名称", "Ad group", "Ad group name"),
    ),
    Meaning("keyword", "text", ("关键词", "关键词/网址", "关键字", "Keyword", "Search keyword")),
    Meaning("search_term", "text", ("搜索词", "Search term")),
    Meaning("region", "text", ("省份", "地域", "省", "省市", "Region")),
    Meaning("region_city", "text", ("城市", "地市", "City")),
    Meaning(
        "impressions",
        "count",
        ("展现", "展现量", "展示数", "展示次数", "展示量", "曝光量", "曝光", "Impr.", "Impressions"),
    ),
    Meaning("clicks", "count", ("点击", "点击数", "点击量", "点击次数", "Clicks")),
    Meaning(
        "cost",
        "amount",
        ("消费", "消耗", "花费", "总费用", "花费(元)", "消费(元)", "总花费", "现金消费", "Cost"),
        label="money spent",
    ),
    Meaning("currency", "currency", ("Currency code", "Currency", "币种"), True),
    Meaning("_ctr", "percent", ("点击率", "CTR")),
    Meaning(
        "_cpc",
        "number",
        ("平均点击价格", "点击均价", "平均点击花费", "平均点击费用", "平均点击价格(元)", "Avg. CPC"),
    ),
)

# Known columns that are not stored: rates derivable from the rest, ids, states, conversions (the
# inquiry register is the conversion source of record).
IGNORED = (
    "千次展现消费",
    "千次展示消费",
    "转化",
    "网页转化",
    "商桥转化",
    "电话转化",
    "平均排名",
    "推广计划ID",
    "推广单元ID",
    "关键词ID",
    "账户ID",
    "计划ID",
    "单元ID",
    "设备",
    "匹配模式",
    "状态",
    "Campaign ID",
    "Ad group ID",
    "Customer ID",
    "Conversions",
    "Cost / conv.",
    "Conv. rate",
    "Campaign type",
    "Campaign state",
    "Ad group state",
    "Keyword status",
    "Match type",
    "Interactions",
    "Interaction rate",
    "Avg. CPM",
    "Network",
    "Device",
)


def _d(
    name: str,
    description: str,
    hints: tuple[str, ...],
    samples: dict[str, str],
    family: str = "",
    requires: tuple[str, ...] = (),
    **spellings: tuple[str, ...],
) -> Dialect:
    return sampled_dialect(
        MEANINGS, name, name, description, hints, samples, family or name, requires, **spellings
    )


# Each platform's exports, one sample header per report level: the headers are its spellings
# (sampled_dialect). A field named after the samples is spelled as given there: words the samples do
# not show, or which spelling comes first (what its export calls the column by default).
DIALECTS: tuple[Dialect, ...] = (
    _d(
        "baidu_search",
        "Baidu 推广 (凤巢) report",
        ("百度推广", "凤巢", "百度", "baidu"),
        {
            "account": "日期,账户,展现,点击,消费,点击率,平均点击价格",
            "campaign": "日期,账户,推广计划,展现,点击,消费,点击率,平均点击价格",
            "ad_group": "日期,账户,推广计划,推广单元,展现,点击,消费",
            "keyword": "日期,账户,推广计划,推广单元,关键词,展现,点击,消费,点击率,平均点击价格",
            "search_term": "日期,账户,推广计划,推广单元,搜索词,关键词,展现,点击,消费",
            "region": "日期,账户,推广计划,省份,城市,展现,点击,消费",
            "hourly": "日期,小时,账户,展现,点击,消费",
        },
        family="baidu",
        keyword=("关键词", "关键词/网址"),
    ),
    _d(
        "baidu_feed",
        "Baidu 信息流 report",
        ("百度信息流", "信息流", "feed"),
        {
            "account": "日期,账户,展现,点击,消费,点击率",
            "campaign": "日期,账户,计划,展现,点击,消费,点击率",
            "ad_group": "日期,账户,计划,单元,展现,点击,消费,点击率",
        },
        family="baidu",
        _cpc=("平均点击价格",),
    ),
    _d(
        "so360",
        "360 点睛 report",
        ("360点睛", "点睛", "360搜索", "so360", "360"),
        {
            "account": "日期,账户,展示次数,点击次数,总费用,点击率,平均点击价格",
            "campaign": "日期,账户,推广计划,展示次数,点击次数,总费用,点击率,平均点击价格",
            "keyword": "日期,账户,推广计划,推广组,关键词,展示次数,点击次数,总费用,点击率",
        },
    ),
    _d(
        "sogou",
        "Sogou 推广 report",
        ("搜狗", "sogou"),
        {
            "account": "日期,账户,展示数,点击数,消耗,点击率,平均点击价格",
            "campaign": "时间,账户,推广计划,消耗,点击数,点击均价",
            "keyword": "日期,账户,推广计划,推广组,关键词,展示数,点击数,消耗,点击率,点击均价",
        },
        _cpc=("点击均价", "平均点击价格"),
    ),
    _d(
        "shenma",
        "Shenma (神马) 搜索推广 report",
        ("神马", "shenma"),
        {
            "account": "时间,账户,展现量,点击量,消费,点击率,平均点击价格",
            "campaign": "时间,账户,推广计划,展现量,点击量,消费,点击率,平均点击价格",
            "keyword": "时间,账户,推广计划,推广单元,关键词,展现量,点击量,消费,点击率,平均点击价格",
        },
    ),
    _d(
        "alibaba_p4p",
        "Alibaba.com 外贸直通车 (P4P) report",
        ("外贸直通车", "国际站", "alibaba", "p4p"),
        {
            "account": "日期,账号,曝光量,点击量,花费(元),平均点击花费",
            "campaign": "日期,推广计划,曝光量,点击量,花费(元),点击率,平均点击花费",
            "keyword": "日期,推广计划,关键词,曝光量,点击量,花费(元),平均点击花费",
        },
        cost=("花费(元)", "花费"),
    ),
    _d(
        "alibaba_1688_p4p",
        "1688 P4P (诚信通直通车) report",
        ("1688",),
        {
            "account": "日期,账户,展现量,点击量,花费(元),点击率,平均点击花费",
            "campaign": "日期,推广计划,展现量,点击量,花费(元),点击率,平均点击花费",
            "keyword": "日期,推广计划,推广单元,关键词,展现量,点击量,花费(元),点击率,平均点击花费",
        },
        cost=("花费(元)", "花费"),
    ),
    _d(
        "google_ads",
        "Google Ads report (CSV download)",
        ("google ads", "googleads", "google_ads", "adwords", "google"),
        {
            "account": "Day,Account,Currency code,Impr.,Clicks,Cost,CTR,Avg. CPC",
            "campaign": "Day,Campaign,Currency code,Impr.,Clicks,Cost,CTR,Avg. CPC",
            "keyword": "Day,Campaign,Ad group,Keyword,Match type,Currency code,Impr.,Clicks,Cost",
        },
        requires=("currency",),
        spend_date=("Day", "Date"),
        hour=("Hour of day", "Hour"),
        account=("Account", "Account name"),
        campaign=("Campaign", "Campaign name"),
        ad_group=("Ad group", "Ad group name"),
        keyword=("Keyword", "Search keyword"),
        search_term=("Search term",),
        region=("Region",),
        region_city=("City",),
        impressions=("Impr.", "Impressions"),
        currency=("Currency code", "Currency"),
    ),
)

DIMENSIONS = ("account", "campaign", "ad_group", "keyword", "search_term")
LEVELS = ("account", "campaign", "ad_group", "keyword", "search_term", "region", "hourly")


def report_level(fields: set[str]) -> str:
    """The finest detail the dimension columns give: an hour or a region splits rows the most."""
    for level, name in (
        ("hourly", "hour"),
        ("region", "region"),
        ("search_term", "search_term"),
        ("keyword", "keyword"),
        ("ad_group", "ad_group"),
        ("campaign", "campaign"),
    ):
        if name in fields:
            return level
    return "account"


VOCAB = Vocabulary(
    kind="ad_spend",
    constant="platform",
    meanings=MEANINGS,
    dialects=DIALECTS,
    date_field="spend_date",
    need_all=("spend_date", "cost"),
    need_any=(
        (DIMENSIONS, "one of 账户/推广计划/推广单元/关键词/搜索词 (account, campaign, ad group, keyword)"),
    ),
    ignored=IGNORED,
    level=report_level,
)


def finish(frame: Frame) -> None:
    """Platform and level from the recognition; account from the column, else the 账户： line, else NULL."""
    frame.constant("platform", frame.layout.constants["platform"], pa.string())
    stated = frame.preamble_value("账户", "账号", "Account")
    if "account" in frame.fields:
        if stated:
            frame.fields["account"] = pc.fill_null(frame.fields["account"], stated)
    else:
        # No account column and no 账户： line: the account is unknown, not the company (docs).
        frame.constant("account", stated, pa.string())
    if "region_city" in frame.fields:
        joined = pc.binary_join_element_wise(
            frame.fields["region"], frame.fields["region_city"], "/", null_handling="skip"
        )
        frame.fields["region"] = joined
    frame.constant("report_level", frame.layout.constants["report_level"], pa.string())
    if "currency" not in frame.fields:
        # Chinese engines bill in yuan and say so nowhere in the file; Google Ads must carry its currency.
        frame.constant("currency", "CNY", pa.string())
    frame.check_not_negative("cost", "a cost ≥ 0 (spend cannot be negative; refunds are not ad spend)")
    check_derived(frame)


def _decimals(raw: pa.Array) -> np.ndarray:
    """How many digits each cell shows after the decimal point (0 when none)."""
    parts = pc.extract_regex(pc.fill_null(raw, ""), r"(?P<whole>[^.]*)\.?(?P<frac>\d*)")
    lengths = pc.utf8_length(parts.field("frac"))
    return np.asarray(pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _floats(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(values, pa.float64()), 0).to_numpy(zero_copy_only=False))


def _shown(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)


# Never stricter than a figure rounded to two decimals (the back-offices' usual display).
_MIN_TOLERANCE = 0.005


def _off(raw: pa.Array, reported: np.ndarray, exact: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows whose shown figure is further from the exact one than its rounding allows.

    The digits shown are only counted for the few rows beyond ±0.005, so a million-row report pays
    for one subtraction, not for a regex per cell.
    """
    diff = np.abs(reported - exact)
    suspect = np.flatnonzero(rows & (diff > _MIN_TOLERANCE + 1e-9))
    off = np.zeros(len(rows), dtype=bool)
    if len(suspect):
        tolerance = np.maximum(0.5 * 10.0 ** -_decimals(raw.take(pa.array(suspect))), _MIN_TOLERANCE)
        off[suspect] = diff[suspect] > tolerance + 1e-9
    return off


def check_derived(frame: Frame) -> None:
    """CTR and average CPC, when exported, must agree with the measures to the digits shown.

    A figure shown with d decimals is rounded, so it may differ from the exact ratio by half a unit of
    its last digit, and never less than ±0.005 (6.71 covers 6.705..6.715; 2.50% covers
    2.495%..2.505%; 1% covers 0.5%..1.5%). A larger gap means the columns were mapped wrongly or the
    rows are not one report, so the file is refused.
    """
    fields, headers = frame.fields, frame.headers
    if "clicks" not in fields:
        return
    clicks = _floats(fields["clicks"])
    if "_ctr" in fields and "impressions" in fields:
        impressions = _floats(fields["impressions"])
        rows = _shown(fields["_ctr"]) & (impressions > 0)
        if rows.any():
            exact = np.divide(clicks * 100, impressions, out=np.zeros_like(clicks), where=impressions > 0)
            frame.flag(
                "_ctr",
                _off(frame.raw["_ctr"], _floats(fields["_ctr"]) * 100, exact, rows),
                f"{headers['_ctr']} = {headers['clicks']} / {headers['impressions']} to the digits shown "
                "(within half a unit of the last digit)",
            )
    if "_cpc" in fields and "cost" in fields:
        rows = _shown(fields["_cpc"]) & (clicks > 0)
        if rows.any():
            cost = _floats(fields["cost"])
            exact = np.divide(cost, clicks, out=np.zeros_like(cost), where=clicks > 0)
            frame.flag(
                "_cpc",
                _off(frame.raw["_cpc"], _floats(fields["_cpc"]), exact, rows),
                f"{headers['_cpc']} = {headers['cost']} / {headers['clicks']} to the digits shown "
                "(within half a unit of the last digit)",
            )


def totals(table: pa.Table) -> dict[str, object]:
    return {
        "cost": sum_by_currency(table, "cost"),
        "clicks": sum_int(table, "clicks"),
        "impressions": sum_int(table, "impressions"),
    }


SPEC = KindSpec("ad_spend", (), finish, totals, "spend_date", ("platform", "account"))
