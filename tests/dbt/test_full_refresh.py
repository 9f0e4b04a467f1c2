"""The daily build rebuilds every day when the project the warehouse was built with is unknown or
changed (xunpan.pipeline.step_build, xunpan.transform.full_refresh_reason), on the real dbt project."""

from __future__ import annotations

import duckdb
import pytest
from dbt_homes import clone_home

from xunpan.errors import XunpanError
from xunpan.pipeline import step_build
from xunpan.transform import build_inputs, build_record_path, full_refresh_reason, record_build_inputs

pytestmark = pytest.mark.slow

# incremental tables and the column naming the dbt invocation that built each row
_BUILT_BY = {
    "staging.stg_raw__ad_spend_reports": "built_by_invocation_id",
    "staging.stg_raw__inquiry_snapshots": "built_by_invocation_id",
    "intermediate.int_ad_spend_converted": "built_by_invocation_id",
    "intermediate.int_ad_keywords_daily": "spend_built_by_invocation_id",
    "intermediate.int_platform_traffic_daily": "built_by_invocation_id",
    "intermediate.int_web_traffic_channels": "built_by_invocation_id",
}


def _invocations(warehouse) -> dict[str, set[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: {row[0] for row in con.execute(f"select distinct {column} from {table}").fetchall()}
            for table, column in _BUILT_BY.items()
        }


def test_a_warehouse_built_by_unknown_code_is_rebuilt_whole_once(built_acme, tmp_path):
    # A copy of a built warehouse without the record of what built it (as after an upgrade).
    settings = clone_home(built_acme.settings, tmp_path / "home")
    assert not build_record_path(settings).exists()
    before = _invocations(settings.warehouse)
    assert all(before.values()), before

    summary = step_build(settings, "manual__upgrade")

    assert summary["full_refresh"] == "there is no record of the dbt project the warehouse was built with"
    after = _invocations(settings.warehouse)
    # every day of every incremental table was built again, by the one new invocation
    assert len(set().union(*after.values())) == 1
    assert not set().union(*after.values()) & set().union(*before.values())
    # recorded: the next daily build only does the new work
    assert full_refresh_reason(settings) is None


def test_a_full_refresh_that_fails_is_made_again(built_acme, tmp_path):
    settings = clone_home(built_acme.settings, tmp_path / "home")
    record_build_inputs(settings, build_inputs(settings))
    # a raw file dbt cannot read: the asked-for refresh (a backfill) fails part-way
    broken = next(settings.raw.rglob("*.parquet"))
    broken.write_bytes(b"not parquet")

    with pytest.raises(XunpanError, match="dbt build"):
        step_build(settings, "manual__backfill", full_refresh=True)

    # some tables may be refreshed and some not: the next build must refresh again
    assert (
        full_refresh_reason(settings) == "there is no record of the dbt project the warehouse was built with"
    )
