"""The four-line weekly summary, on the hand-made serving database of the Superset tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from serving_data import build_serving_db

from xunpan.weekly_summary import WeekFigures, companies, weekly_summary


def test_summary_of_the_last_complete_week_and_the_one_before(tmp_path: Path):
    serving = build_serving_db(tmp_path / "serving.duckdb")
    assert companies(serving) == ["default"]
    summary = weekly_summary(serving, "default")
    # Data through Saturday 2026-10-31: the last complete ISO week is 2026-10-19 .. 25, with one
    # inquiry (Q19, received, valid) and no spend booked (spend lands on the 1st and the 15th).
    # The week before (10-12 .. 18) has Q17 and Q18 (Q18 intentional), and the 15th's variable
    # spend: Alibaba P4P 500.00 + Baidu PPC 4,000.00 - 2 x 1,333.33 = 1,333.34 -> 1,833.34,
    # 916.67 per valid inquiry.
    assert summary.lines() == [
        "【询盘周报】default 上周 2026-10-19 ~ 2026-10-25",
        "询盘 1（合格 1，意向 0，有效 0，成交 0）；前一周 2（合格 2，成交 0）",
        "花费 ¥0.00，每合格询盘成本 ¥0.00；前一周 ¥1,833.34，¥916.67",
        "数据截至 2026-10-31",
    ]
    assert summary.text().count("\n") == 3


def test_cost_per_valid_inquiry_is_unknown_without_a_valid_inquiry():
    week = WeekFigures(date(2026, 2, 16), date(2026, 2, 22), 3, 0, 0, 0, 0, Decimal("1200.00"))
    assert week.cost_per_valid_cny is None  # unknown, never 0
    week = WeekFigures(date(2026, 2, 16), date(2026, 2, 22), 3, 3, 1, 0, 0, Decimal("1000.00"))
    assert week.cost_per_valid_cny == Decimal("333.33")
