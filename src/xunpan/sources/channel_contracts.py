"""Fixed channel fees: platform memberships, SEO agencies, exhibition booths (one row per contract)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, sum_by_currency
from xunpan.sources.layout import Col, Layout


def _layout(name: str, heads: tuple[str, ...], description: str) -> Layout:
    ch, start, end, fee, cur, desc = heads
    return Layout(
        name,
        "channel_contracts",
        (
            Col("channel_label", (ch,), not_null=True),
            # Contracts run into the future by nature (a yearly membership bought today).
            Col("contract_start", (start,), "date", not_null=True, no_future=False),
            Col("contract_end", (end,), "date", not_null=True, no_future=False),
            Col("fee", (fee,), "amount", not_null=True),
            Col("currency", (cur,), "currency", required=False),
            Col("description", (desc,), required=False),
        ),
        {},
        (),
        description,
    )


LAYOUTS: tuple[Layout, ...] = (
    _layout(
        "contracts_zh",
        ("渠道", "开始日期", "结束日期", "费用", "币种", "说明"),
        "channel contracts (渠道费用)",
    ),
    _layout(
        "contracts_en",
        ("channel", "contract_start", "contract_end", "fee", "currency", "description"),
        "channel contracts (English headers)",
    ),
)


def finish(frame: Frame) -> None:
    """A contract ends on or after its start; fees are not negative; currency defaults to CNY."""
    frame.check_not_negative("fee", "a fee ≥ 0")
    frame.flag(
        "contract_end",
        pc.less(frame.fields["contract_end"], frame.fields["contract_start"]),
        "an end date on or after the start date",
    )
    if "currency" not in frame.fields:
        frame.constant("currency", "CNY", pa.string())
    else:
        frame.fields["currency"] = frame.fields["currency"].fill_null("CNY")


def totals(table: pa.Table) -> dict[str, object]:
    return {"contracts": table.num_rows, "fee": sum_by_currency(table, "fee")}


SPEC = KindSpec("channel_contracts", LAYOUTS, finish, totals, "contract_start")
