"""FX rates are global: two companies' rate files may repeat a rate, never contradict it."""

from __future__ import annotations

import pytest
from dbt_homes import clone_home
from raw_fixtures import RawWriter
from test_reconciliation import failing_tests

from xunpan.transform import run_dbt

pytestmark = pytest.mark.slow


def test_same_rate_from_another_company_is_accepted_a_different_one_fails(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "fx")
    beta = RawWriter(settings.raw, company_id="beta")
    # beta's file repeats acme's USD rate of 2026-01-05 (7.20): one global rate, nothing to fail
    beta.write(
        "fx_rates", [{"rate_date": "2026-01-05", "currency": "USD", "cny_per_unit": "7.200000"}], load_seq=100
    )
    run_dbt(settings, "build", "--select", "stg_raw__fx_rates fx_rates_are_global")
    # a different USD rate for the same day from beta contradicts the global rate: the build fails
    beta.write(
        "fx_rates", [{"rate_date": "2026-01-05", "currency": "USD", "cny_per_unit": "7.300000"}], load_seq=101
    )
    assert failing_tests(settings, "build", "--select", "stg_raw__fx_rates fx_rates_are_global") == {
        "fx_rates_are_global"
    }
