"""What the gate's row checks depend on: the digest that says whether published rows need checking again."""

from __future__ import annotations

import datetime as dt

from xunpan.config import Settings
from xunpan.quality import suites
from xunpan.quality.batches import row_check_digest


def test_the_row_check_digest_follows_the_suite_and_the_parameters_it_uses(settings: Settings) -> None:
    suite = settings.expectations_dir / "expectations" / "mart_channel_cost_per_inquiry.json"
    base = {
        suites.PARAM_CHANNEL_IDS: ["alibaba_intl", "baidu_ppc"],
        suites.PARAM_FRESHNESS_MIN_DATE: dt.datetime(2026, 3, 7),
    }
    digest = row_check_digest(suite, base)
    # The freshness bound is the history suite's: a new run date does not make old rows unchecked.
    assert (
        row_check_digest(suite, {**base, suites.PARAM_FRESHNESS_MIN_DATE: dt.datetime(2026, 3, 8)}) == digest
    )
    # The channel ids are the row suite's.
    assert row_check_digest(suite, {**base, suites.PARAM_CHANNEL_IDS: ["alibaba_intl"]}) != digest
    # So is every expectation in the suite file.
    other = settings.expectations_dir / "expectations" / "mart_inquiry_funnel.json"
    assert row_check_digest(other, base) != digest
