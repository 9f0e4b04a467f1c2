"""The month-end register exports tell a consistent story, as a sales team's full re-exports would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from demo_readback import STAGE_RANK, TERMINAL, read_register, register_timestamp


def _snapshots(folder: Path) -> list[tuple[datetime, pd.DataFrame]]:
    return [read_register(p) for p in sorted(folder.glob("inquiry_register_*.xlsx"))]


def test_each_export_is_a_full_superset_of_the_previous(full_dir: Path) -> None:
    previous: set[str] = set()
    for exported, register in _snapshots(full_dir):
        ids = list(register["询盘编号"])
        assert len(ids) == len(set(ids)), "inquiry ids are unique within an export"
        assert previous <= set(ids)
        previous = set(ids)
        received = register["询盘时间"].map(register_timestamp)
        assert (received <= exported).all(), "nothing is received after the export time"
        assert exported.time().isoformat() == "18:00:00"


def test_stage_never_goes_backwards(full_dir: Path) -> None:
    last_stage: dict[str, str] = {}
    transitions = 0
    for _, register in _snapshots(full_dir):
        for inquiry_id, stage in zip(register["询盘编号"], register["当前阶段"], strict=True):
            before = last_stage.get(inquiry_id)
            if before is not None and before != stage:
                transitions += 1
                assert before not in TERMINAL, f"{inquiry_id}: {before} -> {stage}"
                if stage not in TERMINAL:
                    assert STAGE_RANK[stage] > STAGE_RANK[before], f"{inquiry_id}: {before} -> {stage}"
                if stage == "无效":
                    assert before == "新询盘"
            last_stage[inquiry_id] = stage
    assert transitions > 300, (
        "the exports record many stage changes, which is how the warehouse learns history"
    )


def test_stage_dates_are_partly_filled_and_in_order(full_dir: Path) -> None:
    exported, register = read_register(full_dir / "inquiry_register_2026-06.xlsx")
    columns = ["询盘时间", "意向时间", "有效时间", "成交时间"]
    dated = register[columns].map(register_timestamp)
    won = register["当前阶段"] == "成交"
    filled_won_dates = dated.loc[won, "成交时间"].notna().mean()
    assert 0.45 < filled_won_dates < 0.85, "sales teams leave many stage dates empty"
    for _, row in dated.iterrows():
        present = [v for v in row if v is not None and not pd.isna(v)]
        assert present == sorted(present) and all(v <= exported for v in present)
    lost = register["当前阶段"] == "流失"
    assert register.loc[lost, "流失原因"].notna().mean() > 0.7
    assert register.loc[~lost, "流失原因"].isna().all()


def test_won_rows_carry_deal_amounts_and_currency(full_dir: Path) -> None:
    _, register = read_register(full_dir / "inquiry_register_2026-06.xlsx")
    won = register[register["当前阶段"] == "成交"]
    assert won["成交金额"].notna().all() and (won["成交金额"] > 0).all()
    assert set(won["币种"]) == {"CNY", "USD"}
    foreign = won["国家/地区"] != "中国"
    assert (won.loc[foreign, "币种"] == "USD").all()
    others = register[register["当前阶段"] != "成交"]
    assert others["成交金额"].isna().all()


def test_recent_inquiries_are_still_open(full_dir: Path) -> None:
    exported, register = read_register(full_dir / "inquiry_register_2026-06.xlsx")
    received = register["询盘时间"].map(register_timestamp)
    recent = register[received > exported - pd.Timedelta(days=20)]
    assert recent["当前阶段"].isin(["新询盘", "意向", "有效"]).mean() > 0.5
    assert (recent["当前阶段"] != "成交").all(), "no deal closes within three weeks"
