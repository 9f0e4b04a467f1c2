"""Files kept by the company itself: the inquiry register, orders, cost cards, contracts, FX rates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from xunpan.demo.catalog import FLAGSHIP_OVERRIDES
from xunpan.demo.finance import CostCard
from xunpan.demo.formats import Cell, money, write_text_table, write_workbook
from xunpan.demo.inquiries import STAGE_LABELS, Inquiry
from xunpan.demo.world import DemoWorld
from xunpan.sources.register_labels import REGISTER_HEADER_ZH

# The register's header is the importer's (xunpan.sources.register_labels, issue 13), including
# 邮箱, 电话 and 询盘内容, which the invalid-inquiry rules read.
REGISTER_HEADER: tuple[str, ...] = REGISTER_HEADER_ZH
ORDERS_HEADER: tuple[str, ...] = (
    "订单号",
    "行号",
    "下单日期",
    "询盘编号",
    "客户",
    "产品编号",
    "数量",
    "单价",
    "币种",
)
COST_CARD_HEADER: tuple[str, ...] = (
    "产品编号",
    "产品名称",
    "产品线",
    "生效日期",
    "原材料成本",
    "人工成本",
    "生产损耗",
    "工艺成本",
    "币种",
    "是否拳头产品",
)


def _when(inquiry: Inquiry, moment: datetime | None) -> Cell:
    """A register timestamp: an Excel datetime, or the text some reps type (`2026/1/5 10:32`)."""
    if moment is None:
        return None
    if inquiry.text_dates:
        return f"{moment.year}/{moment.month}/{moment.day} {moment:%H:%M}"
    return moment


def register_row(inquiry: Inquiry, exported_at: datetime) -> list[Cell]:
    """The inquiry as the register shows it when exported at `exported_at`."""
    stage = inquiry.stage_at(exported_at)

    def stage_date(kind: str) -> Cell:
        at = inquiry.event_time(kind)
        happened = at is not None and at <= exported_at
        return _when(inquiry, at) if happened and kind in inquiry.filled else None

    won = stage == "won"
    return [
        inquiry.inquiry_id,
        _when(inquiry, inquiry.received_at),
        inquiry.label,
        inquiry.contact_method,
        inquiry.company or None,
        inquiry.contact or None,
        inquiry.country,
        inquiry.product_sku or None,
        STAGE_LABELS[stage],
        stage_date("intentional"),
        stage_date("effective"),
        stage_date("won"),
        stage_date("lost"),
        inquiry.lost_reason if stage == "lost" and "lost_reason" in inquiry.filled else None,
        inquiry.invalid_reason if stage == "invalid" and "invalid_reason" in inquiry.filled else None,
        inquiry.deal_amount if won else None,
        inquiry.deal_currency if won else None,
        inquiry.sales_rep,
        inquiry.keyword or None,
        inquiry.landing_page or None,
        inquiry.email or None,
        inquiry.phone or None,
        inquiry.message or None,
    ]


def inquiry_registers(out: Path, world: DemoWorld) -> list[Path]:
    """`inquiry_register_YYYY-MM.xlsx`: a full re-export at every month end (the last at the period end)."""
    paths: list[Path] = []
    for exported_at in world.snapshot_times:
        rows = [register_row(q, exported_at) for q in world.inquiries if q.received_at <= exported_at]
        paths.append(
            write_workbook(
                out / f"inquiry_register_{exported_at:%Y-%m}.xlsx",
                REGISTER_HEADER,
                rows,
                written_at=exported_at,
                title="询盘登记表",
                subtitle=f"导出时间：{exported_at:%Y-%m-%d %H:%M}",
                sheet_name="询盘登记",
            )
        )
    return paths


def orders(out: Path, world: DemoWorld) -> list[Path]:
    """`orders_YYYY.xlsx`, one per calendar year the period touches."""
    paths: list[Path] = []
    for year in world.period.years:
        rows = [
            [
                o.order_id,
                o.line,
                o.order_date,
                o.inquiry_id or None,
                o.customer,
                o.sku,
                o.quantity,
                o.unit_price,
                o.currency,
            ]
            for o in world.orders
            if o.order_date.year == year
        ]
        written = datetime.combine(min(date(year, 12, 31), world.period.end), time(18, 30))
        paths.append(
            write_workbook(
                out / f"orders_{year}.xlsx", ORDERS_HEADER, rows, written_at=written, sheet_name="订单明细"
            )
        )
    return paths


def cost_card_files(out: Path, world: DemoWorld) -> list[Path]:
    """`cost_cards_YYYY-MM-DD.xlsx`, one per version, named by the date it takes effect."""
    paths: list[Path] = []
    for version in world.cost_cards:
        valid_from = version[0].valid_from
        rows = [_cost_row(card, FLAGSHIP_OVERRIDES.get(card.product.sku)) for card in version]
        written = datetime.combine(valid_from - timedelta(days=3), time(10, 0))
        paths.append(
            write_workbook(
                out / f"cost_cards_{valid_from:%Y-%m-%d}.xlsx",
                COST_CARD_HEADER,
                rows,
                written_at=written,
                sheet_name="成本核算",
            )
        )
    return paths


def _cost_row(card: CostCard, flagship_override: str | None) -> list[Cell]:
    p = card.product
    return [
        p.sku,
        p.name,
        p.line,
        card.valid_from,
        card.material,
        card.labor,
        card.loss,
        card.process,
        "CNY",
        flagship_override,
    ]


def channel_contracts(out: Path, world: DemoWorld) -> list[Path]:
    """`channel_contracts.csv`: memberships and fixed fees, fees written as `¥29,800.00`."""
    rows = [
        [c.label, f"{c.start:%Y-%m-%d}", f"{c.end:%Y-%m-%d}", f"¥{money(c.fee)}", c.currency, c.description]
        for c in world.contracts
    ]
    return [
        write_text_table(
            out / "channel_contracts.csv",
            ["渠道", "开始日期", "结束日期", "费用", "币种", "说明"],
            rows,
            encoding="utf-8",
        )
    ]


def fx_rates(out: Path, world: DemoWorld) -> list[Path]:
    """`fx_rates.csv`: CNY per USD on business days, from a week before the period to its end."""
    rows = [[f"{day:%Y-%m-%d}", "USD", f"{rate:.4f}"] for day, rate in world.fx]
    return [write_text_table(out / "fx_rates.csv", ["日期", "币种", "汇率"], rows, encoding="utf-8")]
