"""Arrow schemas of the raw landing zone, exactly as docs/raw-landing.md specifies them.

dbt reads raw/<kind>/*.parquet by name, so these names and types are a contract: change them only
together with that document and the dbt sources.
"""

from __future__ import annotations

import pyarrow as pa

MONEY = pa.decimal128(18, 2)
UNIT_AMOUNT = pa.decimal128(18, 4)

COMMON_FIELDS: list[pa.Field] = [
    pa.field("company_id", pa.string()),
    pa.field("file_sha256", pa.string()),
    pa.field("source_file", pa.string()),
    pa.field("source_layout", pa.string()),
    pa.field("source_row", pa.int64()),
    pa.field("load_seq", pa.int64()),
    pa.field("loaded_at", pa.timestamp("us", tz="UTC")),
]

_KIND_FIELDS: dict[str, list[pa.Field]] = {
    "ad_spend": [
        pa.field("spend_date", pa.date32()),
        pa.field("platform", pa.string()),
        pa.field("account", pa.string()),
        pa.field("campaign", pa.string()),
        pa.field("ad_group", pa.string()),
        pa.field("keyword", pa.string()),
        pa.field("search_term", pa.string()),
        pa.field("region", pa.string()),
        pa.field("hour", pa.int32()),
        pa.field("report_level", pa.string()),
        pa.field("impressions", pa.int64()),
        pa.field("clicks", pa.int64()),
        pa.field("cost", MONEY),
        pa.field("currency", pa.string()),
    ],
    "platform_traffic": [
        pa.field("stat_date", pa.date32()),
        pa.field("platform", pa.string()),
        pa.field("shop", pa.string()),
        pa.field("exposures", pa.int64()),
        pa.field("visitors", pa.int64()),
        pa.field("clicks", pa.int64()),
        pa.field("inquiries_reported", pa.int64()),
        pa.field("tm_consultations", pa.int64()),
    ],
    "web_traffic": [
        pa.field("visit_date", pa.date32()),
        pa.field("tool", pa.string()),
        pa.field("source", pa.string()),
        pa.field("medium", pa.string()),
        pa.field("keyword", pa.string()),
        pa.field("landing_page", pa.string()),
        pa.field("sessions", pa.int64()),
        pa.field("visitors", pa.int64()),
        pa.field("pageviews", pa.int64()),
        pa.field("conversions", pa.int64()),
    ],
    "inquiries": [
        pa.field("inquiry_id", pa.string()),
        pa.field("received_at", pa.timestamp("us")),
        pa.field("channel_label", pa.string()),
        pa.field("contact_method", pa.string()),
        pa.field("customer_company", pa.string()),
        pa.field("contact_name", pa.string()),
        pa.field("country", pa.string()),
        pa.field("product", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("stage_label", pa.string()),
        pa.field("intentional_at", pa.timestamp("us")),
        pa.field("effective_at", pa.timestamp("us")),
        pa.field("won_at", pa.timestamp("us")),
        pa.field("lost_at", pa.timestamp("us")),
        pa.field("lost_reason", pa.string()),
        pa.field("invalid_reason", pa.string()),
        pa.field("deal_amount", MONEY),
        pa.field("currency", pa.string()),
        pa.field("sales_rep", pa.string()),
        pa.field("keyword", pa.string()),
        pa.field("landing_page", pa.string()),
        # Contact details and message, read by the invalid-inquiry rules (optional in the register).
        pa.field("email", pa.string()),
        pa.field("phone", pa.string()),
        pa.field("message", pa.string()),
        pa.field("snapshot_at", pa.timestamp("us")),
        # The received dates this import is the truth for (the stated period, else first to last listed).
        pa.field("covers_from", pa.date32()),
        pa.field("covers_to", pa.date32()),
    ],
    "orders": [
        pa.field("order_id", pa.string()),
        pa.field("order_line", pa.int32()),
        pa.field("order_date", pa.date32()),
        pa.field("inquiry_id", pa.string()),
        pa.field("customer", pa.string()),
        pa.field("product_sku", pa.string()),
        pa.field("quantity", pa.decimal128(18, 3)),
        pa.field("unit_price", UNIT_AMOUNT),
        pa.field("currency", pa.string()),
    ],
    "product_costs": [
        pa.field("product_sku", pa.string()),
        pa.field("product_name", pa.string()),
        pa.field("product_line", pa.string()),
        pa.field("valid_from", pa.date32()),
        pa.field("material_cost", UNIT_AMOUNT),
        pa.field("labor_cost", UNIT_AMOUNT),
        pa.field("loss_cost", UNIT_AMOUNT),
        pa.field("process_cost", UNIT_AMOUNT),
        pa.field("currency", pa.string()),
        pa.field("is_flagship", pa.bool_()),
    ],
    "channel_contracts": [
        pa.field("channel_label", pa.string()),
        pa.field("contract_start", pa.date32()),
        pa.field("contract_end", pa.date32()),
        pa.field("fee", MONEY),
        pa.field("currency", pa.string()),
        pa.field("description", pa.string()),
    ],
    "fx_rates": [
        pa.field("rate_date", pa.date32()),
        pa.field("currency", pa.string()),
        pa.field("cny_per_unit", pa.decimal128(18, 6)),
    ],
    # Monthly targets (docs/raw-landing.md, "targets"): one row per month x channel or channel group.
    "targets": [
        pa.field("target_month", pa.date32()),
        pa.field("channel_label", pa.string()),
        pa.field("target_inquiries", pa.int64()),
        pa.field("target_won", pa.int64()),
        pa.field("budget", MONEY),
        pa.field("target_revenue", MONEY),
    ],
}

KINDS: tuple[str, ...] = tuple(_KIND_FIELDS)


def kind_fields(kind: str) -> list[pa.Field]:
    """The kind-specific fields (without the common load columns), in contract order."""
    return list(_KIND_FIELDS[kind])


def raw_schema(kind: str) -> pa.Schema:
    """The full schema of one raw Parquet file of `kind`: common columns first, then the kind's."""
    if kind not in _KIND_FIELDS:
        raise KeyError(f"unknown input kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return pa.schema(COMMON_FIELDS + _KIND_FIELDS[kind])
