"""The small end-to-end dataset and the `xunpan demo generate` command."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_readback import SMALL_END, read_orders, read_register

from xunpan.demo import generate_small, statistics
from xunpan.demo.catalog import CHANNEL_OF_LABEL
from xunpan.demo.cli import demo_command
from xunpan.demo.world import DemoWorld


def test_small_has_every_layout_of_the_full_set(small_dir: Path, full_dir: Path) -> None:
    def layouts(folder: Path) -> set[str]:
        return {p.name.split("_20")[0].removesuffix(".csv") for p in folder.iterdir()}

    assert layouts(small_dir) == layouts(full_dir)
    assert (small_dir / "baidu_keyword_202512_restated.csv").exists()
    # It spans a year end, so orders come in one file per calendar year.
    assert (small_dir / "orders_2025.xlsx").exists() and (small_dir / "orders_2026.xlsx").exists()


def test_small_has_a_few_dozen_inquiries_reaching_every_outcome(small_dir: Path) -> None:
    _, register = read_register(small_dir / f"inquiry_register_{SMALL_END:%Y-%m}.xlsx")
    assert 30 <= len(register) <= 80
    stages = set(register["当前阶段"])
    assert stages >= {"新询盘", "意向", "成交", "流失", "无效"}
    assert (register["来源渠道"].map(CHANNEL_OF_LABEL) == "unknown").any()
    won = set(register.loc[register["当前阶段"] == "成交", "询盘编号"])
    assert won and won <= set(read_orders(small_dir)["询盘编号"].dropna())


@pytest.mark.parametrize("end", [date(2026, 1, 3), date(2026, 2, 28), date(2027, 7, 19)])
def test_small_shows_deals_whatever_the_end_date(end: date, tmp_path: Path) -> None:
    paths = generate_small(tmp_path, end_date=end)
    assert len(paths) >= 22
    _, register = read_register(tmp_path / f"inquiry_register_{end:%Y-%m}.xlsx")
    assert (register["当前阶段"] == "成交").sum() >= 1
    assert (register["当前阶段"] == "无效").sum() >= 1


def test_small_statistics(small_world: DemoWorld) -> None:
    stats = statistics(small_world)
    assert stats.inquiries_won >= 1 and stats.inquiries_invalid >= 1
    assert stats.period_start == date(2025, 12, 1) and stats.period_end == SMALL_END
    assert any("won" in line for line in stats.lines())
    # Both product classes sell, so the margin mart has flagship and supporting rows to compare.
    assert 0 < stats.gross_margin_flagship < stats.gross_margin_supporting


def test_cli_writes_into_the_inbox_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNPAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XUNPAN_COMPANY_ID", raising=False)
    result = CliRunner().invoke(demo_command, ["generate", "--small", "--end-date", "2026-03-10"])
    assert result.exit_code == 0, result.output
    inbox = tmp_path / "home" / "inbox"
    assert (inbox / "inquiry_register_2026-03.xlsx").exists()
    assert f"to {inbox}" in result.output and "inquiries" in result.output


def test_cli_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNPAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XUNPAN_COMPANY_ID", raising=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        demo_command,
        ["generate", "--months", "3", "--seed", "11", "--end-date", "2026-05-31", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("inquiry_register_*")) == [
        "inquiry_register_2026-03.xlsx",
        "inquiry_register_2026-04.xlsx",
        "inquiry_register_2026-05.xlsx",
    ]
    other = CliRunner().invoke(
        demo_command, ["generate", "--small", "--company", "acme", "--end-date", "2026-03-10"]
    )
    assert other.exit_code == 0, other.output
    acme = tmp_path / "home" / "inbox" / "acme"
    assert "账户：acme阀门-凤巢" in (acme / "baidu_keyword_202602.csv").read_bytes().decode("gbk")
    bad = CliRunner().invoke(demo_command, ["generate", "--end-date", "2026-13-01"])
    assert bad.exit_code == 2
