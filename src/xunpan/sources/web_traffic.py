"""Web analytics exports: Baidu Tongji (百度统计) 来源分析, CNZZ/Umeng 来源分析 and Google Analytics 4,
recognised by meaning (xunpan.sources.meaning).

The minimum usable row is a day, a traffic source (source or medium/channel) and at least one of
sessions / visitors / page views; a measure the export lacks lands as NULL.
"""

from __future__ import annotations

import functools

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, sum_int
from xunpan.sources.meaning import Dialect, Meaning, Vocabulary, sampled_dialect

MEANINGS: tuple[Meaning, ...] = (
    Meaning("visit_date", "date", ("日期", "时间", "Date"), True, "the day"),
    Meaning(
        "source_medium", "text", ("Session source / medium", "Source / medium", "First user source / medium")
    ),
    Meaning(
        "medium",
        "text",
        (
            "来源类型",
            "Session default channel group",
            "Session primary channel group (Default channel group)",
            "Default channel group",
            "Session medium",
            "Medium",
        ),
    ),
    Meaning("source", "text", ("来源网站", "来源", "来路域名", "Session source", "Source")),
    Meaning("keyword", "text", ("搜索词", "Session manual term", "Keyword")),
    Meaning(
        "landing_page",
        "text",
        ("入口页面", "入口页", "受访页面", "Landing page", "Landing page + query string"),
    ),
    Meaning("pageviews", "count", ("浏览量(PV)", "浏览量", "浏览次数(PV)", "PV", "Views")),
    Meaning(
        "visitors",
        "count",
        ("访客数(UV)", "访客数", "独立访客(UV)", "UV", "Total users", "Users", "Active users"),
    ),
    Meaning("sessions", "count", ("访问次数", "访次", "Sessions")),
    Meaning("conversions", "count", ("转化次数", "Key events", "Conversions")),
)

IGNORED = (
    "跳出率",
    "平均访问时长",
    "平均访问页数",
    "新访客数",
    "新访客比率",
    "IP数",
    "IP",
    "转化率",
    "Engaged sessions",
    "Engagement rate",
    "Average engagement time per session",
    "Events per session",
    "Event count",
    "Session key event rate",
    "Total revenue",
    "Bounce rate",
    "New users",
)


_d = functools.partial(sampled_dialect, MEANINGS)  # (name, value, description, hints, sample, **given)


# Each platform's export header is its spellings (sampled_dialect); a field named after it is
# spelled as given there (words the sample does not show, or which spelling comes first).
DIALECTS: tuple[Dialect, ...] = (
    _d(
        "baidu_tongji_source",
        "baidu_tongji",
        "Baidu Tongji 来源分析 export",
        ("百度统计", "tongji"),
        "日期,来源类型,来源网站,搜索词,入口页面,浏览量(PV),访客数(UV),访问次数,转化次数",
    ),
    _d(
        "cnzz_source",
        "cnzz",
        "CNZZ/Umeng 来源分析 export",
        ("cnzz", "友盟", "umeng"),
        "日期,来源,搜索词,入口页,浏览次数(PV),独立访客(UV),IP,访问次数",
        source=("来源", "来路域名"),
        landing_page=("入口页", "受访页面"),
        pageviews=("浏览次数(PV)", "PV"),
        visitors=("独立访客(UV)", "UV"),
        sessions=("访问次数", "访次"),
    ),
    _d(
        "google_analytics4",
        "google_analytics",
        "Google Analytics 4 report export (CSV)",
        ("google analytics", "ga4", "analytics"),
        "Session source / medium,Date,Sessions,Total users,Views,Key events",
        source_medium=("Session source / medium", "Source / medium", "First user source / medium"),
        medium=(
            "Session default channel group",
            "Session primary channel group (Default channel group)",
            "Default channel group",
            "Session medium",
        ),
        source=("Session source",),
        landing_page=("Landing page", "Landing page + query string"),
        visitors=("Total users", "Users", "Active users"),
        conversions=("Key events", "Conversions"),
    ),
)

VOCAB = Vocabulary(
    kind="web_traffic",
    constant="tool",
    meanings=MEANINGS,
    dialects=DIALECTS,
    date_field="visit_date",
    need_all=("visit_date",),
    need_any=(
        (
            ("sessions", "visitors", "pageviews"),
            "one of 访问次数/访客数/浏览量 (sessions, visitors, page views)",
        ),
        # A traffic report without a source says nothing about channels, which is what it is for.
        (("source", "medium", "source_medium"), "one of 来源/来源类型 (source, medium or channel group)"),
    ),
    ignored=IGNORED,
)


def finish(frame: Frame) -> None:
    """Tool from the recognition; GA4's "google / organic" is split into source and medium."""
    frame.constant("tool", frame.layout.constants["tool"], pa.string())
    if "source_medium" in frame.fields:
        # "google / organic": the finer source and medium win over a channel group column.
        combined = frame.fields.pop("source_medium")
        parts = pc.extract_regex(combined, r"^(?P<source>.*?)\s+/\s+(?P<medium>.*)$")
        split = pc.is_valid(parts)
        frame.fields["source"] = pc.if_else(split, parts.field("source"), combined)
        frame.fields["medium"] = pc.if_else(
            split, parts.field("medium"), frame.fields.get("medium", pa.scalar(None, pa.string()))
        )


def totals(table: pa.Table) -> dict[str, object]:
    return {name: sum_int(table, name) for name in ("sessions", "visitors", "pageviews", "conversions")}


SPEC = KindSpec("web_traffic", (), finish, totals, "visit_date", ("tool",))
