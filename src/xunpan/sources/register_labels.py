"""The inquiry register's vocabulary in one place: its column headers and its stage labels.

The importer (xunpan.sources.inquiries) reads registers with these headers and labels, the demo
generator writes its registers with them (xunpan.demo), and dbt's staging fallback maps stage
labels through the seed `register_stage_labels`, which is this module's STAGES written out
(`python -m xunpan.sources.register_labels` rewrites it; tests/xunpan/sources/test_register_labels.py
fails when the two differ).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# (field, parser, required, Chinese header(s), English spellings). The first Chinese spelling is
# the one the demo writes and the layout lists; the others are synonyms registers use. The demo's
# register has these columns in this order.
REGISTER_COLUMNS: tuple[tuple[str, str, bool, str | tuple[str, ...], tuple[str, ...]], ...] = (
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
    # What the invalid-inquiry rules look at (dbt seed invalid_inquiry_rules): contact details for
    # the duplicate-contact rule and blocked domains, the message for spam keywords. Optional:
    # registers without them still load, and those rules then have nothing to match. Chinese
    # registers often head these columns in English (E-mail, WhatsApp), so the Chinese layout
    # accepts the common English spellings too.
    (
        "email",
        "text",
        False,
        ("邮箱", "电子邮箱", "邮件地址", "客户邮箱", "联系邮箱", "E-mail", "Email"),
        ("email", "E-mail", "Email Address"),
    ),
    (
        "phone",
        "text",
        False,
        ("电话", "联系电话", "手机", "手机号", "手机号码", "联系方式", "WhatsApp", "Tel", "Mobile"),
        ("phone", "Tel", "Telephone", "Mobile", "Phone Number", "WhatsApp"),
    ),
    (
        "message",
        "text",
        False,
        ("询盘内容", "留言", "留言内容", "询盘详情", "客户需求", "需求描述", "Message"),
        ("message", "Inquiry Content", "Inquiry Message", "Content"),
    ),
)


def chinese_headers(headers: str | tuple[str, ...]) -> tuple[str, ...]:
    """Every Chinese spelling of a column (a single header is a one-element tuple)."""
    return (headers,) if isinstance(headers, str) else headers


# The header row the demo writes: the first Chinese spelling of every column, in order.
REGISTER_HEADER_ZH: tuple[str, ...] = tuple(chinese_headers(zh)[0] for _, _, _, zh, _ in REGISTER_COLUMNS)

# Every stage label a register may show (matched case-insensitively) and its canonical stage.
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
# The label a register (and the demo) writes for each canonical stage.
STAGE_LABEL_ZH: dict[str, str] = {
    "new": "新询盘",
    "intentional": "意向",
    "effective": "有效",
    "won": "成交",
    "lost": "流失",
    "invalid": "无效",
}
EXPECT_STAGE = "one of 新询盘/意向/有效/成交/流失/无效 (or new/intentional/effective/won/lost/invalid)"

SEED = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "register_stage_labels.csv"


def seed_rows() -> list[tuple[str, str]]:
    """(label_key, canonical_stage) rows of the dbt seed: the labels lower-cased, as dbt compares them."""
    return [(label.lower(), stage) for label, stage in STAGES.items()]


def write_seed(path: Path = SEED) -> Path:
    """Rewrite dbt's register_stage_labels seed from STAGES."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("label_key", "canonical_stage"))
        writer.writerows(seed_rows())
    return path


if __name__ == "__main__":
    sys.stdout.write(f"{write_seed()}\n")
