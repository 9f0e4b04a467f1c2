"""The demo register gives the invalid-inquiry rules something to find (issue 11): contacts and
messages, junk the register missed, and in the small set flagged inquiries in its last complete
month (the e2e browser check needs data on the 无效询盘 tab)."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from demo_readback import read_register

from xunpan.demo.world import DemoWorld

# keywords of the shipped seed dbt_project/seeds/invalid_inquiry_rules.csv (message rules)
PITCH = re.compile(
    r"网站优化|排名|代运营|推广服务|认证代办|(?:^|[^a-z])seo(?:[^a-z]|$)|casino|crypto|求职|简历|^test$", re.I
)


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def test_register_carries_contacts_and_messages(full_dir: Path) -> None:
    _, register = read_register(full_dir / "inquiry_register_2026-06.xlsx")
    assert {"邮箱", "电话", "询盘内容"} <= set(register.columns)
    assert register["询盘内容"].notna().all(), "every inquiry has a message"
    assert register["电话"].notna().mean() > 0.5 and register["邮箱"].notna().mean() > 0.2
    junk = register["询盘内容"].str.contains(PITCH)
    invalid = register["当前阶段"] == "无效"
    # most register 无效 are caught by a keyword, some are not (left to the register's label) ...
    assert 0.5 < junk[invalid].mean() < 0.95
    # ... and some junk the register did not mark 无效 (lapsed as 流失)
    assert (junk & (register["当前阶段"] == "流失")).sum() >= 10
    # (lapsed: lost unanswered, or still 新询盘 when the register was exported)
    assert register.loc[junk & ~invalid, "当前阶段"].isin(["流失", "新询盘"]).all()


def test_the_same_phone_returns_within_30_days(full_world: DemoWorld) -> None:
    seen: dict[str, list[date]] = defaultdict(list)
    for inquiry in sorted(full_world.inquiries, key=lambda q: q.received_at):
        if inquiry.phone:
            seen[_digits(inquiry.phone)].append(inquiry.received_at.date())
    repeats = [
        later - earlier
        for days in seen.values()
        for earlier, later in itertools.pairwise(days)
        if later - earlier <= timedelta(days=30)
    ]
    assert len(repeats) >= 10


def test_small_set_flags_inquiries_in_its_last_complete_month(small_world: DemoWorld) -> None:
    december = [q for q in small_world.inquiries if (q.received_at.year, q.received_at.month) == (2025, 12)]
    flagged = [q for q in december if q.is_invalid or PITCH.search(q.message)]
    assert len(flagged) >= 2
