"""Inputs for `xunpan bench`: keyword-level ad spend at realistic size, in the platforms' real layouts.

A real Baidu account exports 3,000-20,000 keyword rows a day and a marketing service provider
runs dozens of accounts, so the scale dataset is a year of keyword reports per company: Baidu 推广
(GBK, report preamble, quoted thousands separators, "--" CPC on zero clicks), Sogou (GBK, title
line, 2026/1/5 dates) and 360 点睛 (UTF-8, every cell quoted, ￥ amounts), split 60/25/15 % of
the rows, each under its own account, so they add to (never replace) the demo company's own
reports; the demo's foreign-currency spend (Google Ads, USD) keeps the FX path in the run. The year arrives as monthly exports (how an installation is first filled), then each
following day as one daily export per platform plus Baidu's restatement of the day before (the
platforms correct recent costs for invalid clicks). Figures are deterministic for given arguments.

`write_baidu_keyword_csv` writes one Baidu keyword report of any size (the import benchmark).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# platform -> share of a company's keyword rows
PLATFORM_SHARES: tuple[tuple[str, float], ...] = (("baidu", 0.60), ("sogou", 0.25), ("so360", 0.15))

_PRODUCTS_ZH = ("球阀", "闸阀", "蝶阀", "截止阀", "止回阀", "调节阀", "安全阀", "减压阀", "电磁阀", "气动阀")
_MODIFIERS_ZH = (
    "厂家",
    "价格",
    "批发",
    "型号",
    "图片",
    "哪家好",
    "生产厂家",
    "供应商",
    "多少钱",
    "规格",
    "参数",
    "报价",
)
_SIZES = tuple(f"DN{n}" for n in (15, 20, 25, 32, 40, 50, 65, 80, 100, 125, 150, 200, 250, 300, 350, 400))
_MATERIALS = ("不锈钢", "铸铁", "铸钢", "碳钢", "黄铜", "PVC", "")


@dataclass(frozen=True)
class ScalePlan:
    """N companies x `rows_per_company` keyword rows over the year ending `last_day` (inclusive)."""

    companies: tuple[str, ...]
    rows_per_company: int
    last_day: dt.date
    days: int = 365
    seed: int = 20261203

    @property
    def first_day(self) -> dt.date:
        return self.last_day - dt.timedelta(days=self.days - 1)

    def keywords_per_day(self, platform: str) -> int:
        """Rows a platform's daily keyword report holds (every keyword that ran that day)."""
        share = dict(PLATFORM_SHARES)[platform]
        return max(1, round(self.rows_per_company * share / self.days))


def _months(first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    start = first
    while start <= last:
        following = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        yield start, min(last, following - dt.timedelta(days=1))
        start = following


def _keyword_zh(i: int) -> str:
    return (
        f"{_MATERIALS[i // 1920 % len(_MATERIALS)]}{_SIZES[i // 120 % len(_SIZES)]}"
        f"{_PRODUCTS_ZH[i % len(_PRODUCTS_ZH)]}{_MODIFIERS_ZH[i // 10 % len(_MODIFIERS_ZH)]}"
    )


@dataclass(frozen=True)
class _Day:
    """One platform-day of one company: every keyword's impressions, clicks and cost in cents."""

    day: dt.date
    impressions: np.ndarray
    clicks: np.ndarray
    cost_cents: np.ndarray


def _day_figures(plan: ScalePlan, company_index: int, platform_index: int, n: int, day: dt.date) -> _Day:
    rng = np.random.default_rng([plan.seed, company_index, platform_index, day.toordinal()])
    # A long tail: few keywords carry most impressions, as in any search account.
    base = 4000.0 / (1.0 + np.arange(n) / 40.0)
    impressions = rng.poisson(base * rng.lognormal(0.0, 0.3, n)).astype(np.int64)
    ctr = np.clip(rng.lognormal(np.log(0.02), 0.5, n), 0.0, 0.5)
    clicks = rng.binomial(impressions, ctr).astype(np.int64)
    cpc_cents = np.round(rng.lognormal(np.log(350 if platform_index < 2 else 150), 0.4, n))
    cost_cents = (clicks * cpc_cents).astype(np.int64)
    return _Day(day, impressions, clicks, cost_cents)


def _restated(figures: _Day) -> _Day:
    """The platform's later export of a day: every 7th keyword with clicks loses one (refunded) click."""
    clicks = figures.clicks.copy()
    cost = figures.cost_cents.copy()
    refunded = (np.arange(len(clicks)) % 7 == 0) & (clicks > 0)
    unit = np.where(clicks > 0, cost // np.maximum(clicks, 1), 0)
    clicks[refunded] -= 1
    cost[refunded] -= unit[refunded]
    return _Day(figures.day, figures.impressions, clicks, cost)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _thousands(cents: int) -> str:
    """`1,234.50` as the back-offices print it (quoted in CSV when it holds a comma)."""
    text = f"{cents // 100:,}.{cents % 100:02d}"
    return f'"{text}"' if "," in text else text


def _count(value: int) -> str:
    text = f"{value:,}"
    return f'"{text}"' if "," in text else text


def _spend_rows(
    days: list[_Day], day_text: Callable[[dt.date], str]
) -> Iterator[tuple[str, int, int, int, int, str, str]]:
    """Per keyword row of each day: the day as the platform writes it, the row's index, impressions,
    clicks, cost in cents, and the CTR and average CPC the platform shows beside them."""
    for fig in days:
        date_text = day_text(fig.day)
        for i, (shown, clicks, cost) in enumerate(
            zip(fig.impressions.tolist(), fig.clicks.tolist(), fig.cost_cents.tolist(), strict=True)
        ):
            ctr = f"{clicks / shown * 100:.2f}%" if shown else "0.00%"
            cpc = f"{cost / clicks / 100:.2f}" if clicks else "--"
            yield date_text, i, shown, clicks, cost, ctr, cpc


def _baidu_rows(company: str, days: list[_Day]) -> Iterator[str]:
    for date_text, i, shown, clicks, cost, ctr, cpc in _spend_rows(days, dt.date.isoformat):
        yield (
            f"{date_text},{company}-scale-bd,{_PRODUCTS_ZH[i % len(_PRODUCTS_ZH)]}-计划{i % 40},"
            f"单元{i % 400},{_keyword_zh(i)},{_count(shown)},{clicks},{_thousands(cost)},{ctr},{cpc}\r\n"
        )


def _sogou_rows(company: str, days: list[_Day]) -> Iterator[str]:
    for date_text, i, shown, clicks, cost, ctr, cpc in _spend_rows(
        days, lambda d: f"{d.year}/{d.month}/{d.day}"
    ):
        yield (
            f"{date_text},{company}-scale-sogou,{_PRODUCTS_ZH[i % len(_PRODUCTS_ZH)]},"
            f"组{i % 300},{_keyword_zh(i)},{_count(shown)},{clicks},{_thousands(cost)},{ctr},{cpc}\r\n"
        )


def _so360_rows(company: str, days: list[_Day]) -> Iterator[str]:
    for date_text, i, shown, clicks, cost, ctr, _cpc in _spend_rows(days, dt.date.isoformat):
        yield (
            f'"{date_text}","{company}-scale-360","{_PRODUCTS_ZH[i % len(_PRODUCTS_ZH)]}","组{i % 300}",'
            f'"{_keyword_zh(i)}","{shown:,}","{clicks}","￥{cost // 100:,}.{cost % 100:02d}","{ctr}"\r\n'
        )


def _write(path: Path, head: str, rows: Iterator[str], tail: str, encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(head.encode(encoding))
        chunk: list[str] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 20_000:
                fh.write("".join(chunk).encode(encoding))
                chunk = []
        fh.write(("".join(chunk) + tail).encode(encoding))
    return path


def _report(
    out: Path, company: str, platform: str, days: list[_Day], name: str, generated: dt.datetime
) -> Path:
    first, last = days[0].day, days[-1].day
    if platform == "baidu":
        head = (
            f"报告名称：关键词报告\r\n账户：{company}-scale-bd\r\n时间范围：{first:%Y-%m-%d}至{last:%Y-%m-%d}\r\n"
            f"数据生成时间：{generated:%Y-%m-%d %H:%M:%S}\r\n设备：全部\r\n推广方式：全部\r\n\r\n"
            "日期,账户,推广计划,推广单元,关键词,展现,点击,消费,点击率,平均点击价格\r\n"
        )
        return _write(out / f"{name}.csv", head, _baidu_rows(company, days), "", "gbk")
    if platform == "sogou":
        head = "搜狗推广关键词报告\r\n日期,账户,推广计划,推广组,关键词,展示数,点击数,消耗,点击率,点击均价\r\n"
        return _write(out / f"{name}.csv", head, _sogou_rows(company, days), "", "gbk")
    head = '"日期","账户","推广计划","推广组","关键词","展示次数","点击次数","总费用","点击率"\r\n'
    return _write(out / f"{name}.csv", head, _so360_rows(company, days), "", "utf-8")


def _platform_days(
    plan: ScalePlan, company_index: int, first: dt.date, last: dt.date
) -> Iterator[tuple[str, list[_Day]]]:
    for platform_index, (platform, _) in enumerate(PLATFORM_SHARES):
        n = plan.keywords_per_day(platform)
        count = (last - first).days + 1
        yield (
            platform,
            [
                _day_figures(plan, company_index, platform_index, n, first + dt.timedelta(days=d))
                for d in range(count)
            ],
        )


def write_backfill(inbox: Path, plan: ScalePlan) -> list[Path]:
    """The year as monthly exports, into inbox/<company>/; returns the paths written."""
    paths: list[Path] = []
    for company_index, company in enumerate(plan.companies):
        for first, last in _months(plan.first_day, plan.last_day):
            generated = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(8, 0))
            for platform, days in _platform_days(plan, company_index, first, last):
                name = f"{platform}_scale_keyword_{first:%Y%m%d}_{last:%Y%m%d}"
                paths.append(_report(inbox / company, company, platform, days, name, generated))
    return paths


def write_next_day(inbox: Path, plan: ScalePlan) -> list[Path]:
    """The day after the year: one daily export per company and platform, and Baidu's restated
    export of the year's last day (the same layout, a few refunded clicks)."""
    day = plan.last_day + dt.timedelta(days=1)
    generated = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(8, 0))
    paths: list[Path] = []
    for company_index, company in enumerate(plan.companies):
        for platform, days in _platform_days(plan, company_index, day, day):
            name = f"{platform}_scale_keyword_{day:%Y%m%d}"
            paths.append(_report(inbox / company, company, platform, days, name, generated))
        baidu_n = plan.keywords_per_day("baidu")
        before = _restated(_day_figures(plan, company_index, 0, baidu_n, plan.last_day))
        name = f"baidu_scale_keyword_{plan.last_day:%Y%m%d}_restated"
        paths.append(_report(inbox / company, company, "baidu", [before], name, generated))
    return paths


def expected_cost_cents(plan: ScalePlan, through: dt.date, restated: bool) -> dict[tuple[str, str], int]:
    """(company, platform) -> total cost in cents (in the report's currency) of the generated year,
    through `through`, with Baidu's last day as restated when `restated` (to check a run's totals)."""
    totals: dict[tuple[str, str], int] = {}
    for company_index, company in enumerate(plan.companies):
        for platform, days in _platform_days(plan, company_index, plan.first_day, through):
            cost = 0
            for fig in days:
                if restated and platform == "baidu" and fig.day == plan.last_day:
                    fig = _restated(fig)
                cost += int(fig.cost_cents.sum())
            totals[(company, platform)] = cost
    return totals


# --- one Baidu keyword report of any size (the import benchmark) -----------------------------

_PREAMBLE = (
    "报告名称：关键词报告\r\n账户：bench-bd\r\n时间范围：2026-01-01至2026-12-31\r\n"
    "数据生成时间：2027-01-01 08:00:00\r\n设备：全部\r\n推广方式：全部\r\n\r\n"
    "日期,账户,推广计划,推广单元,关键词,展现,点击,消费,点击率,平均点击价格\r\n"
)


def write_baidu_keyword_csv(path: Path, rows: int) -> Path:
    """Write a GBK Baidu 推广 keyword report with `rows` data rows spread over 2026 (quirks included:
    quoted thousands separators, "--" CPC on zero clicks, percentages)."""
    start = dt.date(2026, 1, 1)
    days = [(start + dt.timedelta(days=d)).isoformat() for d in range(365)]
    with path.open("wb") as fh:
        fh.write(_PREAMBLE.encode("gbk"))
        chunk: list[str] = []
        for i in range(rows):
            clicks = i % 40
            impressions = 1000 + i % 1000
            cost = clicks * 12 + (i % 100) / 100
            cpc = f"{cost / clicks:.2f}" if clicks else "--"
            # CTR and CPC agree with the measures, as in a real export (the importer checks them).
            chunk.append(
                f'{days[i % 365]},bench-bd,计划{i % 50},单元{i % 500},关键词{i % 20000},"1,{i % 1000:03d}",'
                f"{clicks},{cost:.2f},{clicks / impressions * 100:.2f}%,{cpc}\r\n"
            )
            if len(chunk) == 50_000:
                fh.write("".join(chunk).encode("gbk"))
                chunk = []
        fh.write("".join(chunk).encode("gbk"))
    return path
