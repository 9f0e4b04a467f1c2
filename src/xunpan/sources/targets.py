"""Monthly targets (月度目标): month x channel or channel group -> target inquiries, target won, budget.

A small sheet the owner keeps by hand. Every channel cell must name a channel or a channel group
xunpan knows (the dbt seeds `channels` and `channel_aliases`, read here so the importer and the
warehouse agree on what a label means), and every month cell a calendar month: a typo would
otherwise make a target silently match nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.frame import Frame, KindSpec, flag_duplicates, sum_by_currency
from xunpan.sources.layout import Col, Layout

# Channel groups (seed `channels`.channel_group) and the Chinese names the dashboards show for them.
GROUP_NAMES: dict[str, str] = {
    "b2b_platform": "B2B平台",
    "paid_search": "付费搜索",
    "organic_search": "自然搜索",
    "social": "社交媒体",
    "website": "官网",
    "offline": "线下/展会",
    "referral": "老客户介绍",
    "other": "其他",
}

EXPECT_MONTH = "a month like 2026-03, 2026/3, 2026年3月, 202603 or the first day of the month (2026-03-01)"
EXPECT_CHANNEL = (
    "a channel or channel group xunpan knows: a channel name or alias (阿里巴巴国际站, 百度竞价, 展会 …, "
    "seeds channels.csv / channel_aliases.csv) or a group (B2B平台, 付费搜索, 自然搜索, 社交媒体, 官网, "
    "线下/展会, 老客户介绍, 其他 or b2b_platform, paid_search …); add a new label to channel_aliases.csv first"
)

_MONTH_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*月?|(?P<m2>\d{2}))"
    r"(?:\s*[-/.]\s*(?P<d>\d{1,2})\s*日?|\s*(?P<d2>\d{2}))?(?:[ T]00:00(?::00)?)?$"
)


def _cols(chinese: bool) -> tuple[Col, ...]:
    def col(field: str, zh: tuple[str, ...], en: tuple[str, ...], parser: str, **kw: bool) -> Col:
        return Col(field, zh if chinese else en, parser, **kw)

    return (
        # Months are parsed in finish() (a month is not a day); targets are plans, so the future is fine.
        col("target_month", ("月份", "月度", "目标月份"), ("month", "target_month"), "text", not_null=True),
        col(
            "channel_label",
            ("渠道", "渠道/渠道类别", "渠道类别"),
            ("channel", "channel_or_group"),
            "text",
            not_null=True,
        ),
        # Empty means "no target set" (unknown), never a target of 0: parsed as nullable amounts and
        # checked to be whole numbers in finish().
        col(
            "target_inquiries",
            ("目标询盘", "目标有效询盘", "目标询盘数"),
            ("target_inquiries",),
            "amount_or_null",
        ),
        col("target_won", ("目标成交", "目标成交数"), ("target_won",), "amount_or_null"),
        col(
            "budget",
            ("预算", "预算（元）", "预算(元)", "推广预算"),
            ("budget", "budget_cny"),
            "amount_or_null",
        ),
        col(
            "target_revenue",
            ("目标成交金额", "目标成交金额（元）", "目标成交金额(元)"),
            ("target_revenue", "target_revenue_cny"),
            "amount_or_null",
            required=False,
        ),
    )


LAYOUTS: tuple[Layout, ...] = (
    Layout("targets_zh", "targets", _cols(True), {}, ("备注", "说明"), "monthly targets (月度目标)"),
    Layout("targets_en", "targets", _cols(False), {}, ("note", "notes"), "monthly targets (English headers)"),
)


def normalize_label(text: str) -> str:
    """The dbt macro normalize_label in Python: one spelling per label (spaces, - _ . · ignored)."""
    s = text.strip()
    for ch in (" ", "\u3000", "-", "_", ".", "·"):
        s = s.replace(ch, "")
    return s.lower()


def seed_rows(name: str) -> list[dict[str, str]]:
    from xunpan.config import Settings

    path: Path = Settings.from_env().dbt_project_dir / "seeds" / name
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def known_labels() -> dict[str, tuple[str, str]]:
    """Normalised label -> (scope, key): ("channel", channel_id) or ("channel_group", group)."""
    labels: dict[str, tuple[str, str]] = {}
    for group, zh in GROUP_NAMES.items():
        labels[normalize_label(group)] = ("channel_group", group)
        labels[normalize_label(zh)] = ("channel_group", group)
    # Channels win over a group of the same spelling, aliases over ids and names (as in dbt).
    for row in seed_rows("channels.csv"):
        for label in (row["channel_name_zh"], row["channel_name_en"], row["channel_id"]):
            labels[normalize_label(label)] = ("channel", row["channel_id"])
    for row in seed_rows("channel_aliases.csv"):
        labels[normalize_label(row["alias"])] = ("channel", row["channel_id"])
    return labels


def _month(text: str | None) -> dt.date | None:
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    m = _MONTH_RE.match(s)
    if not m:
        return None
    year, month = int(m.group("y")), int(m.group("m") or m.group("m2"))
    day = m.group("d") or m.group("d2")
    # A full date is accepted only as the month's first day: "2026-03-15" is not a month.
    if day is not None and int(day) != 1:
        return None
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return dt.date(year, month, 1)


def finish(frame: Frame) -> None:
    """Months are calendar months, channels known, targets whole numbers >= 0, one row per month and channel."""
    raw_months = frame.fields["target_month"].to_pylist()
    months = [_month(v) for v in raw_months]
    frame.flag("target_month", np.array([m is None for m in months]), EXPECT_MONTH)
    frame.fields["target_month"] = pa.array(months, pa.date32())

    labels = known_labels()
    found = [
        labels.get(normalize_label(v)) if v is not None else None
        for v in frame.fields["channel_label"].to_pylist()
    ]
    frame.flag("channel_label", np.array([f is None for f in found]), EXPECT_CHANNEL)

    for name in ("target_inquiries", "target_won"):
        values = frame.fields[name]
        whole = pc.equal(values, pc.round(values, 0))
        frame.flag(
            name,
            pc.or_(pc.invert(whole), pc.less(values, pa.scalar(0, values.type))),
            "a whole number ≥ 0 (or empty: no target)",
        )
        frame.fields[name] = pc.cast(pc.cast(pc.round(values, 0), pa.decimal128(18, 0)), pa.int64())
    frame.check_not_negative("budget", "an amount ≥ 0 in CNY (or empty: no budget)")
    frame.check_not_negative("target_revenue", "an amount ≥ 0 in CNY (or empty: no target)")

    # One row per month and channel (or group), and a month never targets a group and one of its
    # channels at once: the company total adds the rows up, so either would count twice.
    keys = [
        f"{m.isoformat()}\x1f{f[0]}\x1f{f[1]}" if m is not None and f is not None else None
        for m, f in zip(months, found, strict=True)
    ]
    flag_duplicates(
        frame, "channel_label", pa.array(keys, pa.string()), "one row per month and channel or channel group"
    )
    groups_by_month = {
        (m, f[1]) for m, f in zip(months, found, strict=True) if m and f and f[0] == "channel_group"
    }
    group_of = {r["channel_id"]: r["channel_group"] for r in seed_rows("channels.csv")}
    overlap = [
        m is not None and f is not None and f[0] == "channel" and (m, group_of.get(f[1])) in groups_by_month
        for m, f in zip(months, found, strict=True)
    ]
    frame.flag(
        "channel_label",
        np.array(overlap, dtype=bool),
        "a channel whose channel group has no target row of the same month (the group row already includes it)",
    )


def totals(table: pa.Table) -> dict[str, object]:
    months = sorted({m.isoformat()[:7] for m in table.column("target_month").to_pylist()})
    budget = pa.table({"currency": pa.array(["CNY"] * table.num_rows), "budget": table.column("budget")})
    return {"targets": table.num_rows, "months": months, "budget": sum_by_currency(budget, "budget")}


SPEC = KindSpec("targets", LAYOUTS, finish, totals, "target_month")
