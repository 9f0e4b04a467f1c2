"""ERP/sales order lines (订单明细): one row per order line, amounts in the order's currency."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, flag_duplicates
from xunpan.sources.layout import Col, Layout


def _col(
    field: str, zh: str, en: str, parser: str = "text", required: bool = True, not_null: bool = True
) -> tuple[Col, Col]:
    return Col(field, (zh,), parser, required, not_null), Col(field, (en,), parser, required, not_null)


_PAIRS = (
    _col("order_id", "订单号", "order_id"),
    _col("order_line", "行号", "order_line", "count"),
    _col("order_date", "下单日期", "order_date", "date"),
    _col("inquiry_id", "询盘编号", "inquiry_id", required=False, not_null=False),
    _col("customer", "客户", "customer", not_null=False),
    _col("product_sku", "产品编号", "product_sku"),
    _col("quantity", "数量", "quantity", "quantity"),
    _col("unit_price", "单价", "unit_price", "unit_amount"),
    _col("currency", "币种", "currency", "currency"),
)

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "orders_zh", "orders", tuple(p[0] for p in _PAIRS), {}, ("金额", "小计"), "order lines (订单明细)"
    ),
    Layout(
        "orders_en", "orders", tuple(p[1] for p in _PAIRS), {}, ("amount",), "order lines (English headers)"
    ),
)


def finish(frame: Frame) -> None:
    """Order lines are unique per order; quantities and prices are not negative."""
    frame.fields["order_line"] = pc.cast(frame.fields["order_line"], pa.int32())
    frame.check_not_negative("quantity", "a quantity ≥ 0")
    frame.check_not_negative("unit_price", "a unit price ≥ 0")
    keys = pc.binary_join_element_wise(
        frame.fields["order_id"], pc.cast(frame.fields["order_line"], pa.string()), "\x1f"
    )
    flag_duplicates(
        frame,
        "order_line",
        keys,
        "one row per order number and line number (this line appears more than once)",
    )


def totals(table: pa.Table) -> dict[str, object]:
    amount = pc.multiply(table.column("quantity"), table.column("unit_price"))
    by_currency = pa.table({"currency": table.column("currency"), "amount": amount})
    grouped = by_currency.group_by("currency").aggregate([("amount", "sum")])
    return {
        "order_lines": table.num_rows,
        "orders": len(pc.unique(table.column("order_id"))),
        "amount": {
            c: f"{a:.2f}"
            for c, a in zip(
                grouped.column("currency").to_pylist(), grouped.column("amount_sum").to_pylist(), strict=True
            )
        },
    }


SPEC = KindSpec("orders", LAYOUTS, finish, totals, "order_date")
