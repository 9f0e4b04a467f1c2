"""Cost cards (成本核算): unit cost components per product and validity start."""

from __future__ import annotations

import pyarrow as pa

from xunpan.sources.frame import Frame, KindSpec
from xunpan.sources.layout import Col, Layout

_COSTS = (
    ("material_cost", "原材料成本"),
    ("labor_cost", "人工成本"),
    ("loss_cost", "生产损耗"),
    ("process_cost", "工艺成本"),
)


def _layout(name: str, chinese: bool, description: str) -> Layout:
    def col(field: str, zh: str, parser: str = "text", required: bool = True, not_null: bool = False) -> Col:
        # A cost card may start in the future (a price change planned for next month).
        return Col(field, (zh,) if chinese else (field,), parser, required, not_null, no_future=False)

    return Layout(
        name,
        "product_costs",
        (
            col("product_sku", "产品编号", not_null=True),
            col("product_name", "产品名称", required=False),
            col("product_line", "产品线", required=False),
            col("valid_from", "生效日期", "date", not_null=True),
            *(col(field, zh, "unit_amount") for field, zh in _COSTS),
            col("currency", "币种", "currency", required=False),
            col("is_flagship", "是否拳头产品", "bool", required=False),
        ),
        {},
        ("单位成本", "合计成本", "unit_cost"),
        description,
    )


LAYOUTS: tuple[Layout, ...] = (
    _layout("cost_cards_zh", True, "cost cards (成本核算)"),
    _layout("cost_cards_en", False, "cost cards (English headers)"),
)


def finish(frame: Frame) -> None:
    """Costs are never negative; the currency defaults to CNY."""
    for field, _ in _COSTS:
        frame.check_not_negative(field, "a cost ≥ 0")
    if "currency" not in frame.fields:
        frame.constant("currency", "CNY", pa.string())
    else:
        frame.fields["currency"] = frame.fields["currency"].fill_null("CNY")


def totals(table: pa.Table) -> dict[str, object]:
    return {"cost_cards": table.num_rows, "products": len(set(table.column("product_sku").to_pylist()))}


SPEC = KindSpec("product_costs", LAYOUTS, finish, totals, "valid_from")
