"""The period arithmetic and the sampling helper the generator relies on."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import numpy as np
import pytest

from xunpan.demo.period import DemoPeriod, add_months, business_days, default_end_date
from xunpan.demo.sampling import allocate


def test_default_end_date_is_yesterday_in_shanghai() -> None:
    # 17:30 UTC on Jan 1 is already 01:30 on Jan 2 in Shanghai, so "yesterday" is Jan 1.
    assert default_end_date(datetime(2026, 1, 1, 17, 30, tzinfo=UTC)) == date(2026, 1, 1)
    assert default_end_date(datetime(2026, 1, 1, 15, 30, tzinfo=UTC)) == date(2025, 12, 31)


def test_period_is_whole_months_ending_in_a_partial_one() -> None:
    period = DemoPeriod.ending(date(2026, 3, 15), 12)
    assert period.start == date(2025, 4, 1)
    months = period.months
    assert len(months) == 12
    assert [m.yyyymm for m in months[:2]] == ["202504", "202505"]
    assert months[-1].first == date(2026, 3, 1) and months[-1].last == date(2026, 3, 15)
    assert not months[-1].is_whole and all(m.is_whole for m in months[:-1])
    assert period.last_whole_month() == months[-2]
    assert period.years == [2025, 2026]


def test_period_ending_on_a_month_end_has_that_month_whole() -> None:
    period = DemoPeriod.ending(date(2028, 2, 29), 2)
    assert period.start == date(2028, 1, 1)
    assert period.last_whole_month().last == date(2028, 2, 29)
    with pytest.raises(ValueError, match="at least 1"):
        DemoPeriod.ending(date(2026, 1, 1), 0)


def test_add_months_clamps_to_month_length() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 3, 31), 11) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


def test_business_days_skip_weekends() -> None:
    days = business_days(date(2026, 1, 1), date(2026, 1, 11))
    assert days[0] == date(2026, 1, 1) and days[-1] == date(2026, 1, 9)
    assert len(days) == 7 and all(d.weekday() < 5 for d in days)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_allocate_hits_every_share_within_one_item(seed: int) -> None:
    weights = [0.45, 0.31, 0.12, 0.04, 0.08]
    categories = allocate(np.random.default_rng(seed), 130, weights)
    counts = Counter(categories)
    assert len(categories) == 130
    for index, weight in enumerate(weights):
        assert abs(counts[index] - 130 * weight) < 1.0
    # Random order, not blocks of one category.
    assert categories[:5] != sorted(categories[:5]) or categories[5:10] != sorted(categories[5:10])
