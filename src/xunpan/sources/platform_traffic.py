"""B2B platform back-office traffic exports: Alibaba.com 数据管家, 1688 生意参谋, Made-in-China."""

from __future__ import annotations

import pyarrow as pa

from xunpan.sources.frame import Frame, KindSpec, default_text, sum_int
from xunpan.sources.layout import Col, Layout

_RATES = ("点击率", "询盘率", "访客询盘转化率", "平均停留时长", "跳失率")


def _count(field: str, *headers: str, required: bool = True) -> Col:
    return Col(field, headers, "count", required)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "alibaba_datamanager",
        "platform_traffic",
        (
            Col("stat_date", ("统计日期", "日期"), "date", not_null=True),
            Col("shop", ("店铺", "店铺名称"), required=False),
            _count("exposures", "曝光量"),
            _count("visitors", "访客数"),
            _count("clicks", "点击量"),
            _count("inquiries_reported", "询盘数", "询盘个数"),
            _count("tm_consultations", "TM咨询数", "TM咨询人数", required=False),
        ),
        {"platform": "alibaba_intl"},
        _RATES,
        "Alibaba.com 数据管家 traffic export",
    ),
    Layout(
        "alibaba_1688_traffic",
        "platform_traffic",
        (
            Col("stat_date", ("日期", "统计日期"), "date", not_null=True),
            Col("shop", ("店铺名称", "店铺"), required=False),
            _count("exposures", "曝光", "曝光量"),
            _count("visitors", "访客数"),
            _count("clicks", "点击数"),
            _count("inquiries_reported", "询盘数"),
            _count("tm_consultations", "旺旺咨询数", "旺旺咨询人数"),
        ),
        {"platform": "alibaba_1688"},
        _RATES,
        "1688 生意参谋 traffic export",
    ),
    Layout(
        "made_in_china",
        "platform_traffic",
        (
            Col("stat_date", ("日期",), "date", not_null=True),
            _count("exposures", "展示次数"),
            _count("visitors", "访问量"),
            _count("clicks", "点击次数"),
            _count("inquiries_reported", "询盘数"),
        ),
        {"platform": "made_in_china"},
        _RATES,
        "Made-in-China back-office export",
    ),
)


def finish(frame: Frame) -> None:
    """Platform from the layout; a report without a shop column belongs to the importing company."""
    frame.constant("platform", frame.layout.constants["platform"], pa.string())
    default_text(frame, "shop", frame.preamble_value("店铺", "店铺名称", "公司") or frame.company_id)
    if "tm_consultations" not in frame.fields:
        frame.constant("tm_consultations", 0, pa.int64())


def totals(table: pa.Table) -> dict[str, object]:
    return {
        name: sum_int(table, name)
        for name in ("exposures", "visitors", "clicks", "inquiries_reported", "tm_consultations")
    }


SPEC = KindSpec("platform_traffic", LAYOUTS, finish, totals, "stat_date", ("platform", "shop"))
