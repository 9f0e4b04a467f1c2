"""Orders, cost cards, contracts, FX rates and the restated Baidu export."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pandas as pd
from demo_readback import FULL_END, read_orders, read_register, sheet_rows


def test_every_won_inquiry_has_an_order_matching_its_deal_amount(full_dir: Path) -> None:
    _, register = read_register(full_dir / "inquiry_register_2026-06.xlsx")
    orders = read_orders(full_dir)
    orders["amount"] = orders["数量"] * orders["单价"]
    by_inquiry = orders.dropna(subset=["询盘编号"]).groupby("询盘编号")
    totals = by_inquiry["amount"].sum()
    currencies = by_inquiry["币种"].agg(lambda c: set(c))
    won = register[register["当前阶段"] == "成交"]
    assert set(won["询盘编号"]) == set(totals.index), "orders exist exactly for the won inquiries"
    for inquiry_id, amount, currency in zip(won["询盘编号"], won["成交金额"], won["币种"], strict=True):
        assert abs(totals[inquiry_id] - amount) <= (5 if currency == "USD" else 50)
        assert currencies[inquiry_id] == {currency}


def test_orders_are_dated_inside_the_period_with_repeat_customers(full_dir: Path) -> None:
    orders = read_orders(full_dir)
    dates = pd.to_datetime(orders["下单日期"]).dt.date
    assert dates.min() >= date(2025, 7, 1) and dates.max() <= FULL_END
    for year in (2025, 2026):
        yearly = pd.read_excel(full_dir / f"orders_{year}.xlsx")
        assert (pd.to_datetime(yearly["下单日期"]).dt.year == year).all()
    without = orders[orders["询盘编号"].isna()]
    assert without["订单号"].nunique() >= 30, "repeat customers order without an inquiry"
    assert not orders.duplicated(["订单号", "行号"]).any()
    assert set(orders["币种"]) == {"CNY", "USD"}
    assert (orders["数量"] > 0).all() and (orders["单价"] > 0).all()


def test_flagship_products_sell_more(full_dir: Path) -> None:
    orders = read_orders(full_dir)
    revenue = (orders["数量"] * orders["单价"]).groupby(orders["产品编号"]).sum()
    flagship = {"BV-DN50", "BV-DN25", "BF-DN100"}
    assert revenue[list(flagship)].sum() > revenue.drop(list(flagship)).sum()
    assert 6 <= len(set(revenue.index) - flagship) <= 8


def test_second_cost_card_raises_material_cost_for_some_skus(full_dir: Path) -> None:
    first = pd.read_excel(full_dir / "cost_cards_2025-01-01.xlsx").set_index("产品编号")
    second = pd.read_excel(full_dir / "cost_cards_2026-02-01.xlsx").set_index("产品编号")
    assert list(first.index) == list(second.index) and len(first) == 10
    raised = second["原材料成本"] > first["原材料成本"]
    assert 2 <= raised.sum() <= 4 and (second["原材料成本"] >= first["原材料成本"]).all()
    assert (second["人工成本"] == first["人工成本"]).all()
    assert pd.to_datetime(second["生效日期"]).dt.date.eq(date(2026, 2, 1)).all()
    overrides = second["是否拳头产品"].dropna()
    assert set(overrides) == {"是", "否"} and len(overrides) == 2


def test_contracts_are_fixed_fees_not_aligned_with_months(full_dir: Path) -> None:
    with (full_dir / "channel_contracts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["渠道"] for r in rows} == {"阿里巴巴国际站", "1688", "中国制造网", "SEO外包", "展会"}
    assert all(re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d{2}", r["费用"]) for r in rows)
    assert {r["费用"] for r in rows} >= {"¥29,800.00", "¥6,680.00", "¥31,100.00"}
    assert any(date.fromisoformat(r["开始日期"]).day != 1 for r in rows)
    for label in ("阿里巴巴国际站", "1688", "中国制造网", "SEO外包"):
        terms = sorted(
            (date.fromisoformat(r["开始日期"]), date.fromisoformat(r["结束日期"]))
            for r in rows
            if r["渠道"] == label
        )
        assert terms[0][0] <= date(2025, 7, 1) and terms[-1][1] >= FULL_END, f"{label} covers the period"
        assert all(b[0] == a[1] + timedelta(days=1) for a, b in pairwise(terms))


def test_fx_rates_cover_business_days(full_dir: Path) -> None:
    frame = pd.read_csv(full_dir / "fx_rates.csv", encoding="utf-8")
    days = pd.to_datetime(frame["日期"]).dt.date
    assert set(frame["币种"]) == {"USD"}
    assert all(d.weekday() < 5 for d in days)
    assert days.min() <= date(2025, 7, 1) - timedelta(days=5) and days.max() == FULL_END
    assert frame["汇率"].between(7.1, 7.3).all()
    assert days.is_monotonic_increasing and days.is_unique


def test_restated_export_lowers_the_last_five_days(full_dir: Path) -> None:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(full_dir / name, encoding="gbk", skiprows=7, thousands=",")

    original, restated = read("baidu_keyword_202605.csv"), read("baidu_keyword_202605_restated.csv")
    assert sorted(set(restated["日期"])) == [f"2026-05-{d}" for d in range(27, 32)]
    lines = (full_dir / "baidu_keyword_202605_restated.csv").read_bytes().decode("gbk").split("\r\n")
    assert lines[2] == "时间范围：2026-05-27至2026-05-31"
    overlap = original[original["日期"] >= "2026-05-27"].set_index(["日期", "关键词"])["消费"]
    new = restated.set_index(["日期", "关键词"])["消费"]
    assert list(overlap.index) == list(new.index)
    assert (new <= overlap).all() and new.sum() < overlap.sum()
    untouched = original[original["日期"] < "2026-05-27"]
    assert len(untouched) > 300


def test_platform_inquiry_counts_follow_the_register(full_dir: Path) -> None:
    rows = sheet_rows(full_dir / "alibaba_datamanager_202603.xlsx")[1:]
    reported = sum(r[5] for r in rows)
    _, register = read_register(full_dir / "inquiry_register_2026-03.xlsx")
    logged = register[register["来源渠道"].isin(["阿里国际站", "国际站", "阿里巴巴"])]
    in_march = logged["询盘编号"].str.startswith("XP2603")
    assert logged[in_march].shape[0] <= reported <= logged[in_march].shape[0] + 12
