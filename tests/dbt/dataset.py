"""The hand-made company `acme` every dbt test builds from, and the figures computed by hand.

January and February 2026; two register snapshots (2026-01-31 and 2026-02-28); a restated
Baidu day; USD spend and deals with a missing FX day; a cost-card change on 2026-02-01; a
membership spanning the year and a 1688 fee crossing a month; an unmapped contract label and
an unmapped register label. The expected values in the tests are worked out in comments there.
"""

from __future__ import annotations

from typing import Any

from raw_fixtures import STAGE_LABELS, RawWriter

SNAPSHOT_1 = "2026-01-31 18:00:00"
SNAPSHOT_2 = "2026-02-28 18:00:00"
SNAPSHOT_3 = "2026-03-31 18:00:00"


def spend(
    day: str,
    platform: str,
    account: str,
    cost: str,
    clicks: int,
    impressions: int,
    currency: str = "CNY",
    keyword: str | None = None,
) -> dict[str, Any]:
    return {
        "spend_date": day,
        "platform": platform,
        "account": account,
        "campaign": "c1",
        "keyword": keyword,
        "report_level": "keyword" if keyword else "account",
        "impressions": impressions,
        "clicks": clicks,
        "cost": cost,
        "currency": currency,
    }


def inquiry(
    inquiry_id: str, received: str, label: str, product: str, stage: str, snapshot: str, **extra: Any
) -> dict[str, Any]:
    row = {
        "inquiry_id": inquiry_id,
        "received_at": received,
        "channel_label": label,
        "product": product,
        "stage": stage,
        "stage_label": STAGE_LABELS[stage],
        "contact_method": "邮件",
        "country": "US",
        "customer_company": f"Buyer {inquiry_id}",
        "snapshot_at": snapshot,
    }
    row.update(extra)
    return row


def register_snapshot_1() -> list[dict[str, Any]]:
    s = SNAPSHOT_1
    return [
        inquiry("Q1", "2026-01-02 09:00:00", "百度推广", "PUMP-100", "new", s),
        inquiry(
            "Q2",
            "2026-01-03 10:00:00",
            "阿里巴巴",
            "阀门20",
            "intentional",
            s,
            intentional_at="2026-01-05 12:00:00",
        ),
        inquiry(
            "Q3",
            "2026-01-04 11:00:00",
            "Alibaba",
            "PUMP-100",
            "won",
            s,
            effective_at="2026-01-15 09:00:00",
            won_at="2026-01-20 15:00:00",
            deal_amount="3000.00",
            currency="CNY",
        ),
        inquiry("Q4", "2026-01-05 14:00:00", "  SEO ", "VALVE-20", "effective", s),
        inquiry("Q5", "2026-01-06 08:00:00", "seo", "X-999", "invalid", s, invalid_reason="推销"),
        inquiry("Q6", "2026-01-07 16:00:00", "微信", "VALVE-20", "new", s),
        inquiry("Q7", "2026-01-08 10:30:00", "抖音小店", "SEAL-5", "new", s),
        inquiry("Q10", "2026-01-09 09:15:00", "国际站", "seal-5", "new", s),
    ]


def register_snapshot_2() -> list[dict[str, Any]]:
    s = SNAPSHOT_2
    return [
        inquiry(
            "Q1",
            "2026-01-02 09:00:00",
            "百度推广",
            "PUMP-100",
            "won",
            s,
            deal_amount="5000.00",
            currency="CNY",
        ),
        inquiry(
            "Q2",
            "2026-01-03 10:00:00",
            "阿里巴巴",
            "阀门20",
            "lost",
            s,
            intentional_at="2026-01-05 12:00:00",
            lost_reason="价格太高",
        ),
        inquiry(
            "Q3",
            "2026-01-04 11:00:00",
            "Alibaba",
            "PUMP-100",
            "won",
            s,
            effective_at="2026-01-15 09:00:00",
            won_at="2026-01-20 15:00:00",
            deal_amount="3000.00",
            currency="CNY",
        ),
        inquiry("Q4", "2026-01-05 14:00:00", "  SEO ", "VALVE-20", "effective", s),
        inquiry("Q5", "2026-01-06 08:00:00", "seo", "X-999", "invalid", s, invalid_reason="推销"),
        inquiry("Q6", "2026-01-07 16:00:00", "微信", "VALVE-20", "new", s),
        inquiry("Q7", "2026-01-08 10:30:00", "抖音小店", "SEAL-5", "intentional", s),
        inquiry("Q10", "2026-01-09 09:15:00", "国际站", "seal-5", "new", s),
        inquiry("Q8", "2026-02-03 09:00:00", "Google Ads", "PUMP-100", "new", s),
        inquiry(
            "Q9",
            "2026-02-10 10:00:00",
            "1688",
            "SEAL-5",
            "won",
            s,
            won_at="2026-02-20 11:00:00",
            deal_amount="100.00",
            currency="USD",
        ),
    ]


def register_snapshot_3() -> list[dict[str, Any]]:
    """March re-import: Q4 is now won and Q6 intentional; the register gives no stage dates."""
    rows = []
    for row in register_snapshot_2():
        row = dict(row, snapshot_at=SNAPSHOT_3)
        if row["inquiry_id"] == "Q4":
            row.update(stage="won", stage_label="成交")
        if row["inquiry_id"] == "Q6":
            row.update(stage="intentional", stage_label="意向")
        rows.append(row)
    return rows


def write_acme(writer: RawWriter) -> None:
    """Land the whole `acme` dataset, in the order an importer would have loaded it."""
    writer.write(
        "fx_rates",
        [
            {"rate_date": "2026-01-01", "currency": "USD", "cny_per_unit": "7.100000"},
            {"rate_date": "2026-01-05", "currency": "USD", "cny_per_unit": "7.200000"},
        ],
    )
    writer.write(
        "product_costs",
        [
            {
                "product_sku": "PUMP-100",
                "product_name": "离心泵100",
                "product_line": "pumps",
                "valid_from": "2025-01-01",
                "material_cost": "100",
                "labor_cost": "20",
                "loss_cost": "5",
                "process_cost": "15",
                "currency": "CNY",
            },
            {
                "product_sku": "PUMP-100",
                "product_name": "离心泵100",
                "product_line": "pumps",
                "valid_from": "2026-02-01",
                "material_cost": "110",
                "labor_cost": "20",
                "loss_cost": "5",
                "process_cost": "15",
                "currency": "CNY",
            },
            {
                "product_sku": "VALVE-20",
                "product_name": "阀门20",
                "product_line": "valves",
                "valid_from": "2025-01-01",
                "material_cost": "10",
                "labor_cost": "3",
                "loss_cost": "1",
                "process_cost": "1",
                "currency": "CNY",
            },
            {
                "product_sku": "SEAL-5",
                "product_name": "密封圈5",
                "product_line": "seals",
                "valid_from": "2025-01-01",
                "material_cost": "1",
                "labor_cost": "0.5",
                "loss_cost": "0.1",
                "process_cost": "0.4",
                "currency": "CNY",
                "is_flagship": False,
            },
        ],
    )
    writer.write(
        "channel_contracts",
        [
            {
                "channel_label": "阿里巴巴国际站",
                "contract_start": "2026-01-01",
                "contract_end": "2026-12-31",
                "fee": "29800.00",
                "currency": "CNY",
                "description": "金品诚企 2026",
            },
            {
                "channel_label": "诚信通 ",
                "contract_start": "2026-01-15",
                "contract_end": "2026-02-14",
                "fee": "6680.00",
                "currency": "CNY",
                "description": "1688 诚信通 one month trial",
            },
            {
                "channel_label": "SEO公司王总",
                "contract_start": "2026-02-01",
                "contract_end": "2026-02-28",
                "fee": "2800.00",
                "currency": "CNY",
                "description": "SEO agency",
            },
        ],
    )
    writer.write(
        "ad_spend",
        [
            spend("2026-01-02", "baidu_search", "bd-acct", "100.50", 10, 1000, keyword="离心泵"),
            spend("2026-01-02", "baidu_search", "bd-acct", "200.25", 20, 2000, keyword="水泵厂家"),
            spend("2026-01-03", "baidu_search", "bd-acct", "80.00", 8, 800, keyword="离心泵"),
        ],
        layout="baidu_search_keyword",
    )
    writer.write(
        "ad_spend", [spend("2026-01-02", "baidu_feed", "bd-feed", "50.00", 5, 500)], layout="baidu_feed"
    )
    writer.write(
        "ad_spend",
        [
            spend("2026-01-03", "google_ads", "g-acct", "10.00", 3, 300, currency="USD"),
            spend("2026-01-05", "google_ads", "g-acct", "10.00", 4, 400, currency="USD"),
        ],
        layout="google_ads_campaign",
    )
    # Baidu restates 2026-01-03: this later export replaces that day only.
    writer.write(
        "ad_spend",
        [spend("2026-01-03", "baidu_search", "bd-acct", "90.00", 9, 900)],
        layout="baidu_search_account",
    )
    writer.write("ad_spend", [spend("2026-02-10", "sogou", "sg", "33.33", 3, 333)], layout="sogou_account")
    writer.write(
        "orders",
        [
            {
                "order_id": "O1",
                "order_line": 1,
                "order_date": "2026-01-20",
                "inquiry_id": "Q3",
                "customer": "Buyer Q3",
                "product_sku": "PUMP-100",
                "quantity": "10",
                "unit_price": "300",
                "currency": "CNY",
            },
            {
                "order_id": "O3",
                "order_line": 1,
                "order_date": "2026-01-25",
                "inquiry_id": None,
                "customer": "Walk-in",
                "product_sku": "SEAL-5",
                "quantity": "1000",
                "unit_price": "2.5",
                "currency": "CNY",
            },
            {
                "order_id": "O2",
                "order_line": 1,
                "order_date": "2026-02-05",
                "inquiry_id": None,
                "customer": "Repeat",
                "product_sku": "PUMP-100",
                "quantity": "2",
                "unit_price": "50",
                "currency": "USD",
            },
            {
                "order_id": "O2",
                "order_line": 2,
                "order_date": "2026-02-05",
                "inquiry_id": None,
                "customer": "Repeat",
                "product_sku": "VALVE-20",
                "quantity": "100",
                "unit_price": "20",
                "currency": "CNY",
            },
        ],
    )
    writer.write(
        "platform_traffic",
        [
            {
                "stat_date": "2026-01-02",
                "platform": "alibaba_intl",
                "shop": "acme-shop",
                "exposures": 1200,
                "visitors": 80,
                "clicks": 60,
                "inquiries_reported": 2,
                "tm_consultations": 1,
            },
        ],
    )
    writer.write(
        "web_traffic",
        [
            {
                "visit_date": "2026-01-02",
                "tool": "baidu_tongji",
                "source": "baidu",
                "medium": "organic",
                "keyword": "离心泵",
                "landing_page": "/pumps",
                "sessions": 40,
                "visitors": 35,
                "pageviews": 90,
                "conversions": 1,
            },
        ],
    )
    writer.write("inquiries", register_snapshot_1(), layout="register_zh")
    writer.write("inquiries", register_snapshot_2(), layout="register_zh")
