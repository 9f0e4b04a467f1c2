"""The inquiry register (询盘登记表) kept by sales, or a CRM export: one row per inquiry, its current stage.

Every import is a full snapshot of the register; the warehouse keeps the stage history across them.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.cells import clean_text, parse_timestamp
from xunpan.sources.frame import Frame, KindSpec, flag_duplicates
from xunpan.sources.layout import Col, Layout

# (field, parser, required, Chinese header, English spellings)
_COLUMNS: tuple[tuple[str, str, bool, str, tuple[str, ...]], ...] = (
    ("inquiry_id", "text", True, "询盘编号", ("inquiry_id", "Inquiry No.", "Inquiry Number")),
    (
        "received_at",
        "timestamp",
        True,
        "询盘时间",
        ("received_at", "Received", "Inquiry Time", "Inquiry Date"),
    ),
    ("channel_label", "text", True, "来源渠道", ("channel", "channel_label", "Source Channel", "Source")),
    ("contact_method", "text", False, "询盘方式", ("contact_method", "Contact Method", "Method")),
    ("customer_company", "text", False, "客户公司", ("customer_company", "Company", "Customer")),
    ("contact_name", "text", False, "联系人", ("contact_name", "Contact", "Contact Person")),
    ("country", "text", False, "国家/地区", ("country", "Country/Region")),
    ("product", "text", False, "意向产品", ("product", "product_sku", "Product SKU")),
    ("stage_label", "text", True, "当前阶段", ("stage", "Current Stage", "Status")),
    ("intentional_at", "timestamp", False, "意向时间", ("intentional_at", "Intentional Date")),
    ("effective_at", "timestamp", False, "有效时间", ("effective_at", "Effective Date")),
    ("won_at", "timestamp", False, "成交时间", ("won_at", "Won Date")),
    ("lost_at", "timestamp", False, "流失时间", ("lost_at", "Lost Date")),
    ("lost_reason", "text", False, "流失原因", ("lost_reason",)),
    ("invalid_reason", "text", False, "无效原因", ("invalid_reason",)),
    ("deal_amount", "amount_or_null", False, "成交金额", ("deal_amount", "Deal Value")),
    ("currency", "currency", False, "币种", ("currency",)),
    ("sales_rep", "text", False, "业务员", ("sales_rep", "Sales", "Salesperson")),
    ("keyword", "text", False, "关键词", ("keyword",)),
    ("landing_page", "text", False, "着陆页", ("landing_page", "Landing URL")),
)

_NOT_NULL = {"inquiry_id", "received_at", "channel_label", "stage_label"}

STAGES: dict[str, str] = {
    "新询盘": "new",
    "新": "new",
    "new": "new",
    "意向": "intentional",
    "意向询盘": "intentional",
    "intentional": "intentional",
    "有效": "effective",
    "有效询盘": "effective",
    "effective": "effective",
    "成交": "won",
    "成交询盘": "won",
    "已成交": "won",
    "won": "won",
    "流失": "lost",
    "已流失": "lost",
    "lost": "lost",
    "无效": "invalid",
    "无效询盘": "invalid",
    "invalid": "invalid",
}
EXPECT_STAGE = "one of 新询盘/意向/有效/成交/流失/无效 (or new/intentional/effective/won/lost/invalid)"


def _layout(name: str, chinese: bool, description: str) -> Layout:
    cols = tuple(
        Col(field, (zh,) if chinese else en, parser, required, not_null=field in _NOT_NULL)
        for field, parser, required, zh, en in _COLUMNS
    )
    return Layout(name, "inquiries", cols, {}, (), description)


LAYOUTS: tuple[Layout, ...] = (
    _layout("register_zh", True, "inquiry register (询盘登记表, Chinese headers)"),
    _layout("register_en", False, "inquiry register (English headers)"),
)


def finish(frame: Frame) -> None:
    """Map stages, refuse duplicate ids and negative deal amounts, stamp the snapshot time."""
    labels = frame.fields["stage_label"]
    keys = pa.array(list(STAGES))
    index = pc.index_in(pc.utf8_lower(labels), value_set=pc.utf8_lower(keys))
    frame.fields["stage"] = pc.take(pa.array(list(STAGES.values())), index)
    frame.flag("stage_label", pc.and_(pc.is_valid(labels), pc.is_null(index)), EXPECT_STAGE)

    ids = frame.fields["inquiry_id"]
    flag_duplicates(
        frame,
        "inquiry_id",
        ids,
        "an inquiry id that appears once in the register (this id is on several rows)",
    )
    frame.check_not_negative("deal_amount", "a deal amount ≥ 0")
    frame.constant("snapshot_at", _snapshot_at(frame), pa.timestamp("us"))


def _snapshot_at(frame: Frame) -> dt.datetime:
    """When the register was exported: a date in the title rows, else the file's time, else now."""
    written = frame.preamble_value("导出时间", "导出日期", "截至", "截止", "Exported", "Export time", "As of")
    if written is None:
        for line in frame.preamble:
            if line.startswith(("截至", "截止")):
                written = line[2:].strip(" ：:")
    if written:
        parsed = parse_timestamp(clean_text(pa.array([written])))
        if not parsed.bad[0] and parsed.values[0].is_valid:
            return parsed.values[0].as_py()
    return frame.file_time or dt.datetime.now().replace(microsecond=0)


def totals(table: pa.Table) -> dict[str, object]:
    stages = pc.value_counts(table.column("stage").combine_chunks())
    by_stage = dict(zip(stages.field("values").to_pylist(), stages.field("counts").to_pylist(), strict=True))
    return {"inquiries": table.num_rows, "by_stage": {k: int(v) for k, v in sorted(by_stage.items())}}


SPEC = KindSpec("inquiries", LAYOUTS, finish, totals, "received_at")
