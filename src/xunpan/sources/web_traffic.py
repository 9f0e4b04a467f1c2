"""Web analytics exports: Baidu Tongji (百度统计) 来源分析 and CNZZ/Umeng 来源分析."""

from __future__ import annotations

import pyarrow as pa

from xunpan.sources.frame import Frame, KindSpec, sum_int
from xunpan.sources.layout import Col, Layout

_RATES = ("跳出率", "平均访问时长", "平均访问页数", "新访客数", "新访客比率", "IP数", "IP", "转化率")


def _count(field: str, *headers: str, required: bool = True) -> Col:
    return Col(field, headers, "count", required)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "baidu_tongji_source",
        "web_traffic",
        (
            Col("visit_date", ("日期",), "date", not_null=True),
            Col("medium", ("来源类型",)),
            Col("source", ("来源网站", "来源"), required=False),
            Col("keyword", ("搜索词",), required=False),
            Col("landing_page", ("入口页面", "入口页"), required=False),
            _count("pageviews", "浏览量(PV)", "浏览量"),
            _count("visitors", "访客数(UV)", "访客数"),
            _count("sessions", "访问次数"),
            _count("conversions", "转化次数", required=False),
        ),
        {"tool": "baidu_tongji"},
        _RATES,
        "Baidu Tongji 来源分析 export",
    ),
    Layout(
        "cnzz_source",
        "web_traffic",
        (
            Col("visit_date", ("日期",), "date", not_null=True),
            Col("source", ("来源", "来路域名")),
            Col("keyword", ("搜索词",), required=False),
            Col("landing_page", ("受访页面", "入口页"), required=False),
            _count("pageviews", "浏览次数(PV)", "PV"),
            _count("visitors", "独立访客(UV)", "UV"),
            _count("sessions", "访问次数", "访次"),
            _count("conversions", "转化次数", required=False),
        ),
        {"tool": "cnzz"},
        _RATES,
        "CNZZ/Umeng 来源分析 export",
    ),
)


def finish(frame: Frame) -> None:
    """Tool from the layout; reports without conversions count none."""
    frame.constant("tool", frame.layout.constants["tool"], pa.string())
    if "conversions" not in frame.fields:
        frame.constant("conversions", 0, pa.int64())


def totals(table: pa.Table) -> dict[str, object]:
    return {name: sum_int(table, name) for name in ("sessions", "visitors", "pageviews", "conversions")}


SPEC = KindSpec("web_traffic", LAYOUTS, finish, totals, "visit_date", ("tool",))
