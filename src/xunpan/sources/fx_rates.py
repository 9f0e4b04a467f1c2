"""Daily exchange rates to CNY (CNY per one unit of the currency)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, flag_duplicates
from xunpan.sources.layout import Col, Layout

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "fx_rates_zh",
        "fx_rates",
        (
            Col("rate_date", ("日期",), "date", not_null=True),
            Col("currency", ("币种",), "currency", not_null=True),
            Col("cny_per_unit", ("汇率", "中间价"), "rate", not_null=True),
        ),
        {},
        (),
        "FX rates (汇率)",
    ),
    Layout(
        "fx_rates_en",
        "fx_rates",
        (
            Col("rate_date", ("rate_date", "Date"), "date", not_null=True),
            Col("currency", ("currency",), "currency", not_null=True),
            Col("cny_per_unit", ("cny_per_unit", "Rate"), "rate", not_null=True),
        ),
        {},
        (),
        "FX rates (English headers)",
    ),
)


def finish(frame: Frame) -> None:
    """A rate is positive, and one per currency and day."""
    rate = frame.fields["cny_per_unit"]
    frame.flag("cny_per_unit", pc.less_equal(rate, pa.scalar(0, rate.type)), "a rate > 0 (CNY per unit)")
    keys = pc.binary_join_element_wise(
        frame.fields["currency"], pc.cast(frame.fields["rate_date"], pa.string()), "\x1f"
    )
    flag_duplicates(frame, "rate_date", keys, "one rate per currency and day")


def totals(table: pa.Table) -> dict[str, object]:
    return {"rates": table.num_rows, "currencies": sorted(set(table.column("currency").to_pylist()))}


SPEC = KindSpec("fx_rates", LAYOUTS, finish, totals, "rate_date")
