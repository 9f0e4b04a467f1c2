"""Re-importing the register records stage transitions; stage dates come from the history."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest
from dataset import register_snapshot_3
from dbt_homes import clone_home, make_home

from xunpan.transform import dbt_build

pytestmark = pytest.mark.slow

PUBLISHED = [
    "fct_inquiries",
    "mart_inquiry_funnel",
    "mart_inquiry_funnel_monthly",
    "mart_channel_cost_per_inquiry",
    "mart_channel_cost_per_inquiry_monthly",
    "mart_product_margin",
    "dim_products",
    "dim_dates",
    "unmapped_channel_labels",
]


def checksum(settings, table: str) -> str:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(f"select * from marts.{table}").fetchall()
    return hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()


@pytest.fixture(scope="module")
def reimported(built_acme, tmp_path_factory):
    """The acme warehouse (two snapshots) after a March register import and a second build."""
    settings = clone_home(built_acme.settings, tmp_path_factory.mktemp("reimport"))
    from raw_fixtures import RawWriter

    RawWriter(settings.raw).write("inquiries", register_snapshot_3(), layout="register_zh", load_seq=50)
    dbt_build(settings)
    return settings


def test_transitions_recorded_from_every_snapshot(reimported):
    with duckdb.connect(str(reimported.warehouse), read_only=True) as con:
        rows = con.execute(
            "select inquiry_id, transition_seq, observed_at_local, from_stage, to_stage "
            "from intermediate.int_inquiry_stage_transitions where inquiry_id in ('Q4', 'Q6', 'Q1') "
            "order by 1, 2"
        ).fetchall()
    at = dt.datetime.fromisoformat
    assert rows == [
        ("Q1", 1, at("2026-01-31 18:00:00"), None, "new"),
        ("Q1", 2, at("2026-02-28 18:00:00"), "new", "won"),
        ("Q4", 1, at("2026-01-31 18:00:00"), None, "effective"),
        ("Q4", 2, at("2026-03-31 18:00:00"), "effective", "won"),
        ("Q6", 1, at("2026-01-31 18:00:00"), None, "new"),
        ("Q6", 2, at("2026-03-31 18:00:00"), "new", "intentional"),
    ]


def test_days_to_won_from_history_when_register_has_no_dates(reimported):
    with duckdb.connect(str(reimported.warehouse), read_only=True) as con:
        q4 = con.execute(
            "select stage_reached, is_won, effective_at, won_at, days_to_effective, days_to_won, "
            "won_at_source from marts.fct_inquiries where inquiry_id = 'Q4'"
        ).fetchone()
        q6 = con.execute(
            "select stage_reached, intentional_at, days_to_intentional "
            "from marts.fct_inquiries where inquiry_id = 'Q6'"
        ).fetchone()
    # received 2026-01-05; effective first seen 2026-01-31, won first seen 2026-03-31 (+08:00)
    assert q4 == ("won", True, dt.datetime(2026, 1, 31, 10), dt.datetime(2026, 3, 31, 10), 26, 85, "history")
    assert q6 == ("intentional", dt.datetime(2026, 3, 31, 10), 83)


def test_dbt_snapshot_keeps_register_versions(reimported):
    with duckdb.connect(str(reimported.warehouse), read_only=True) as con:
        versions = con.execute(
            "select stage, dbt_valid_from, dbt_valid_to from snapshots.snp_inquiry_register "
            "where inquiry_id = 'Q4' order by dbt_valid_from"
        ).fetchall()
    assert versions == [
        ("effective", dt.datetime(2026, 2, 28, 18), dt.datetime(2026, 3, 31, 18)),
        ("won", dt.datetime(2026, 3, 31, 18), None),
    ]


def _staged_by(settings) -> dict[tuple[str, str], set[str]]:
    """(company, snapshot time) -> the invocations that staged its register rows."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "select distinct company_id, snapshot_at_local::varchar, built_by_invocation_id "
            "from staging.stg_raw__inquiry_snapshots"
        ).fetchall()
    staged: dict[tuple[str, str], set[str]] = {}
    for company, snapshot_at, built_by in rows:
        staged.setdefault((company, snapshot_at), set()).add(built_by)
    return staged


def test_a_new_register_import_stages_only_its_own_snapshot(built_acme, reimported):
    """The March import is staged by the second build; the two earlier snapshots keep their rows
    as the first build staged them."""
    before, after = _staged_by(built_acme.settings), _staged_by(reimported)
    assert len(before) == 2 and set(before) < set(after)
    (new,) = set(after) - set(before)
    assert new[1].startswith("2026-03")
    for snapshot in before:
        assert after[snapshot] == before[snapshot], snapshot
    assert len(after[new]) == 1 and after[new].isdisjoint(before[min(before)])


def test_incremental_history_equals_full_rebuild(reimported, tmp_path):
    """Marts depend only on raw: one build of all three snapshots gives identical tables, and the
    same staged register rows."""
    settings, writer = make_home(tmp_path / "full")
    writer.write("inquiries", register_snapshot_3(), layout="register_zh", load_seq=50)
    dbt_build(settings)
    for table in PUBLISHED:
        assert checksum(settings, table) == checksum(reimported, table), table
    staged = []
    for home in (settings, reimported):
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            rows = con.execute(
                "select * exclude (built_by_invocation_id) from staging.stg_raw__inquiry_snapshots"
            ).fetchall()
        staged.append(sorted(rows, key=repr))
    assert staged[0] == staged[1] and staged[0]
