"""Write small hand-made raw landing files (docs/raw-landing.md) for the dbt tests.

Each call to `RawWriter.write` produces one immutable Parquet file in raw/<kind>/ with the
metadata columns every landed file carries, exactly typed as the landing contract says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

METADATA = [
    ("company_id", pa.string()),
    ("file_sha256", pa.string()),
    ("source_file", pa.string()),
    ("source_layout", pa.string()),
    ("source_row", pa.int64()),
    ("load_seq", pa.int64()),
    ("loaded_at", pa.timestamp("us", tz="UTC")),
]

MONEY = pa.decimal128(18, 2)
UNIT_COST = pa.decimal128(18, 4)

KINDS: dict[str, list[tuple[str, pa.DataType]]] = {
    "ad_spend": [
        ("spend_date", pa.date32()),
        ("platform", pa.string()),
        ("account", pa.string()),
        ("campaign", pa.string()),
        ("ad_group", pa.string()),
        ("keyword", pa.string()),
        ("search_term", pa.string()),
        ("region", pa.string()),
        ("hour", pa.int32()),
        ("report_level", pa.string()),
        ("impressions", pa.int64()),
        ("clicks", pa.int64()),
        ("cost", MONEY),
        ("currency", pa.string()),
    ],
    "platform_traffic": [
        ("stat_date", pa.date32()),
        ("platform", pa.string()),
        ("shop", pa.string()),
        ("exposures", pa.int64()),
        ("visitors", pa.int64()),
        ("clicks", pa.int64()),
        ("inquiries_reported", pa.int64()),
        ("tm_consultations", pa.int64()),
    ],
    "web_traffic": [
        ("visit_date", pa.date32()),
        ("tool", pa.string()),
        ("source", pa.string()),
        ("medium", pa.string()),
        ("keyword", pa.string()),
        ("landing_page", pa.string()),
        ("sessions", pa.int64()),
        ("visitors", pa.int64()),
        ("pageviews", pa.int64()),
        ("conversions", pa.int64()),
    ],
    "inquiries": [
        ("inquiry_id", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("channel_label", pa.string()),
        ("contact_method", pa.string()),
        ("customer_company", pa.string()),
        ("contact_name", pa.string()),
        ("country", pa.string()),
        ("product", pa.string()),
        ("stage", pa.string()),
        ("stage_label", pa.string()),
        ("intentional_at", pa.timestamp("us")),
        ("effective_at", pa.timestamp("us")),
        ("won_at", pa.timestamp("us")),
        ("lost_at", pa.timestamp("us")),
        ("lost_reason", pa.string()),
        ("invalid_reason", pa.string()),
        ("deal_amount", MONEY),
        ("currency", pa.string()),
        ("sales_rep", pa.string()),
        ("keyword", pa.string()),
        ("landing_page", pa.string()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("message", pa.string()),
        ("snapshot_at", pa.timestamp("us")),
        ("covers_from", pa.date32()),
        ("covers_to", pa.date32()),
    ],
    "orders": [
        ("order_id", pa.string()),
        ("order_line", pa.int32()),
        ("order_date", pa.date32()),
        ("inquiry_id", pa.string()),
        ("customer", pa.string()),
        ("product_sku", pa.string()),
        ("quantity", pa.decimal128(18, 3)),
        ("unit_price", pa.decimal128(18, 4)),
        ("currency", pa.string()),
    ],
    "product_costs": [
        ("product_sku", pa.string()),
        ("product_name", pa.string()),
        ("product_line", pa.string()),
        ("valid_from", pa.date32()),
        ("material_cost", UNIT_COST),
        ("labor_cost", UNIT_COST),
        ("loss_cost", UNIT_COST),
        ("process_cost", UNIT_COST),
        ("currency", pa.string()),
        ("is_flagship", pa.bool_()),
    ],
    "channel_contracts": [
        ("channel_label", pa.string()),
        ("contract_start", pa.date32()),
        ("contract_end", pa.date32()),
        ("fee", MONEY),
        ("currency", pa.string()),
        ("description", pa.string()),
    ],
    "fx_rates": [
        ("rate_date", pa.date32()),
        ("currency", pa.string()),
        ("cny_per_unit", pa.decimal128(18, 6)),
    ],
    "targets": [
        ("target_month", pa.date32()),
        ("channel_label", pa.string()),
        ("target_inquiries", pa.int64()),
        ("target_won", pa.int64()),
        ("budget", MONEY),
        ("target_revenue", MONEY),
    ],
}

STAGE_LABELS = {
    "new": "新询盘",
    "intentional": "意向",
    "effective": "有效",
    "won": "成交",
    "lost": "流失",
    "invalid": "无效",
}


def schema_of(kind: str) -> pa.Schema:
    return pa.schema(KINDS[kind] + METADATA)


def _coerce(value: Any, dtype: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_decimal(dtype):
        return Decimal(str(value))
    if pa.types.is_date32(dtype) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if pa.types.is_timestamp(dtype) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


class RawWriter:
    """Lands hand-made rows as raw Parquet files with increasing load_seq, like the importers."""

    def __init__(self, raw_dir: Path, company_id: str = "acme") -> None:
        self.raw_dir = raw_dir
        self.company_id = company_id
        self.load_seq = 0
        for kind in KINDS:
            folder = raw_dir / kind
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(schema_of(kind).empty_table(), folder / "_schema.parquet")

    def write(
        self, kind: str, rows: list[dict[str, Any]], *, layout: str = "fixture", load_seq: int | None = None
    ) -> Path:
        """Land `rows` (canonical column names; omitted columns are null) as one file."""
        self.load_seq = load_seq if load_seq is not None else self.load_seq + 1
        columns = KINDS[kind]
        payload = repr((kind, self.load_seq, rows)).encode()
        sha = hashlib.sha256(payload).hexdigest()
        loaded_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=self.load_seq)
        data: dict[str, list[Any]] = {name: [] for name, _ in columns + METADATA}
        for index, row in enumerate(rows, start=1):
            unknown = set(row) - {name for name, _ in columns}
            if unknown:
                raise ValueError(f"{kind}: unknown columns {sorted(unknown)}")
            for name, dtype in columns:
                data[name].append(_coerce(row.get(name), dtype))
            data["company_id"].append(self.company_id)
            data["file_sha256"].append(sha)
            data["source_file"].append(f"{kind}_{self.load_seq}.xlsx")
            data["source_layout"].append(layout)
            data["source_row"].append(index + 1)
            data["load_seq"].append(self.load_seq)
            data["loaded_at"].append(loaded_at)
        table = pa.table(data, schema=schema_of(kind))
        target = self.raw_dir / kind / f"{sha}.parquet"
        pq.write_table(table, target)
        return target
