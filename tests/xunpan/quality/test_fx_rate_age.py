"""FX rates older than XUNPAN_FX_MAX_AGE_DAYS on the day they are used make the gate warn."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from gate_warehouse import RUN_DATE

from xunpan.config import Settings
from xunpan.quality import run_quality_gate
from xunpan.quality.gate import stale_fx_warnings


def _add_fx_usage(warehouse: Path) -> None:
    """int_fx_rate_usage as dbt builds it: USD's 2026-03-01 rate used 4 and 8 days later, EUR fresh."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """create table intermediate.int_fx_rate_usage (amount_kind varchar, company_id varchar,
               currency varchar, used_on date, amounts bigint, rate_date date,
               cny_per_unit decimal(18, 6), rate_age_days bigint)"""
        )
        con.execute(
            """insert into intermediate.int_fx_rate_usage values
               ('ad_spend', 'acme', 'USD', date '2026-03-05', 3, date '2026-03-01', 7.1, 4),
               ('ad_spend', 'acme', 'USD', date '2026-03-09', 2, date '2026-03-01', 7.1, 8),
               ('deal_amount', 'acme', 'USD', date '2026-03-09', 1, date '2026-03-01', 7.1, 8),
               ('order_line', 'acme', 'EUR', date '2026-03-09', 1, date '2026-03-07', 7.8, 2)"""
        )


def test_stale_rate_warns_naming_currency_and_day(settings: Settings, warehouse: Path) -> None:
    _add_fx_usage(warehouse)

    result = run_quality_gate(settings, RUN_DATE, "manual__fx_age")

    # default 7 days: only USD on 2026-03-09 (8 days after its 2026-03-01 rate) warns
    assert settings.fx_max_age_days == 7
    assert result.success, result.summary()
    stale = [w for w in result.warnings if w.suite == "fx_rates"]
    assert len(stale) == 1
    assert stale[0].expectation_type == "fx_rate_max_age"
    assert "USD" in stale[0].details and "2026-03-09" in stale[0].details
    assert "2026-03-01" in stale[0].details and "ad_spend, deal_amount" in stale[0].details
    assert "EUR" not in stale[0].details


def test_max_age_is_configurable(monkeypatch: pytest.MonkeyPatch, warehouse: Path) -> None:
    _add_fx_usage(warehouse)
    monkeypatch.setenv("XUNPAN_FX_MAX_AGE_DAYS", "8")
    assert Settings.from_env().fx_max_age_days == 8
    assert stale_fx_warnings(warehouse, 8) == []
    assert [w.details.split(":")[0] for w in stale_fx_warnings(warehouse, 3)] == ["USD 汇率过期"]
    assert len(stale_fx_warnings(warehouse, 1)) == 2
    monkeypatch.setenv("XUNPAN_FX_MAX_AGE_DAYS", "seven")
    with pytest.raises(ValueError, match="XUNPAN_FX_MAX_AGE_DAYS"):
        Settings.from_env()


def test_warehouse_without_usage_table_gives_no_fx_warning(warehouse: Path) -> None:
    assert stale_fx_warnings(warehouse, 7) == []
