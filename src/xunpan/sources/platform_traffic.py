"""B2B platform back-office traffic exports: Alibaba.com 数据管家, 1688 生意参谋, Made-in-China and
HC360 (慧聪网), recognised by meaning like ad spend (xunpan.sources.meaning).

The minimum usable row is a day and at least one of exposures / visitors / clicks / inquiries; a
measure the export lacks lands as NULL (unknown), never 0.
"""

from __future__ import annotations

import functools

import pyarrow as pa

from xunpan.sources.frame import Frame, KindSpec, default_text, sum_int
from xunpan.sources.meaning import Dialect, Meaning, Vocabulary, sampled_dialect

MEANINGS: tuple[Meaning, ...] = (
    Meaning("stat_date", "date", ("统计日期", "日期", "时间", "数据日期", "Date"), True, "the day"),
    Meaning("shop", "text", ("店铺", "店铺名称", "店铺名", "旺铺名称")),
    Meaning("exposures", "count", ("曝光量", "曝光", "曝光次数", "展示次数", "展示量", "产品曝光量")),
    Meaning("visitors", "count", ("访客数", "访问量", "访客量", "店铺访客数")),
    Meaning("clicks", "count", ("点击量", "点击数", "点击次数")),
    Meaning("inquiries_reported", "count", ("询盘数", "询盘个数", "询盘量", "收到询盘数", "留言询盘数")),
    Meaning("tm_consultations", "count", ("TM咨询数", "TM咨询人数", "旺旺咨询数", "旺旺咨询人数")),
)

# Shown by the back-offices, derivable or outside the contract (page views are not a platform_traffic
# measure: exposures, visitors and clicks are).
IGNORED = (
    "点击率",
    "询盘率",
    "访客询盘转化率",
    "平均停留时长",
    "平均停留时长(秒)",
    "跳失率",
    "浏览量",
    "人均浏览量",
    "询盘人数",
    "下单转化率",
    "支付买家数",
    "支付金额",
)


_d = functools.partial(sampled_dialect, MEANINGS)  # (name, value, description, hints, sample, **given)


# Each platform's export header is its spellings (sampled_dialect); a field named after it is
# spelled as given there (words the sample does not show, or which spelling comes first).
DIALECTS: tuple[Dialect, ...] = (
    _d(
        "alibaba_datamanager",
        "alibaba_intl",
        "Alibaba.com 数据管家 traffic export",
        ("数据管家", "阿里巴巴国际站", "国际站", "alibaba.com", "datamanager"),
        "统计日期,店铺,曝光量,访客数,点击量,询盘数,TM咨询数",
        inquiries_reported=("询盘数", "询盘个数"),
        tm_consultations=("TM咨询数", "TM咨询人数"),
    ),
    _d(
        "alibaba_1688_traffic",
        "alibaba_1688",
        "1688 生意参谋 traffic export",
        ("生意参谋", "1688"),
        "统计日期,店铺名称,访客数,浏览量,曝光,点击数,询盘数,旺旺咨询人数,跳失率,人均浏览量",
        stat_date=("日期", "统计日期"),
        tm_consultations=("旺旺咨询数", "旺旺咨询人数"),
    ),
    _d(
        "made_in_china",
        "made_in_china",
        "Made-in-China (中国制造网) back-office export",
        ("中国制造网", "made-in-china", "made_in_china", "madeinchina"),
        "日期,展示次数,访问量,点击次数,询盘数",
    ),
    _d(
        "hc360",
        "hc360",
        "HC360 (慧聪网) back-office traffic export",
        ("慧聪", "hc360", "买卖通"),
        "日期,展示量,点击量,访客数,询盘数,留言询盘数",
    ),
)

VOCAB = Vocabulary(
    kind="platform_traffic",
    constant="platform",
    meanings=MEANINGS,
    dialects=DIALECTS,
    date_field="stat_date",
    need_all=("stat_date",),
    need_any=(
        (
            ("exposures", "visitors", "clicks", "inquiries_reported"),
            "one of 曝光量/访客数/点击量/询盘数 (exposures, visitors, clicks, inquiries)",
        ),
    ),
    ignored=IGNORED,
)


def finish(frame: Frame) -> None:
    """Platform from the recognition; a report without a shop column belongs to the importing company."""
    frame.constant("platform", frame.layout.constants["platform"], pa.string())
    default_text(frame, "shop", frame.preamble_value("店铺", "店铺名称", "公司") or frame.company_id)


def totals(table: pa.Table) -> dict[str, object]:
    return {
        name: sum_int(table, name)
        for name in ("exposures", "visitors", "clicks", "inquiries_reported", "tm_consultations")
    }


SPEC = KindSpec("platform_traffic", (), finish, totals, "stat_date", ("platform", "shop"))
