"""The quality history: every gate run and every refused file is kept, grows, and is published.

Real gate runs over the hand-made warehouse of gate_warehouse.py, a real refused file through the
real ingest, the real publish; the Data Docs they write are held to "nothing from another host".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from gate_warehouse import RUN_DATE

from xunpan.config import Settings
from xunpan.landing import ensure_raw_layout, ingest_inbox
from xunpan.publish import current_publication, publish, publish_quality_refresh, table_checksums
from xunpan.quality import run_quality_gate
from xunpan.quality.history import TABLES, history_path
from xunpan.quality.offline_docs import external_references

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "inputs" / "bad" / "negative_cost.csv"


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_runs_and_refused_files_accumulate_and_are_published(settings: Settings, warehouse: Path) -> None:
    ensure_raw_layout(settings)
    shutil.copy(BAD, settings.inbox / BAD.name)
    report = ingest_inbox(settings)
    assert [e["file"] for e in report.quarantined] == [BAD.name]

    first = run_quality_gate(settings, RUN_DATE, "run-one")
    second = run_quality_gate(settings, RUN_DATE, "run-two")
    assert first.success and second.success

    store = history_path(settings)
    runs = _rows(
        store,
        "select run_id, company_id, status, expectations_evaluated, files_quarantined from quality_runs",
    )
    companies = sorted({r[1] for r in runs})
    assert companies == ["acme", "default"]  # acme's marts, default's refused file
    assert sorted(r[0] for r in runs) == sorted(["run-one", "run-two"] * len(companies))
    assert all(r[2] == "passed" and r[3] == first.evaluated for r in runs)
    # The refused file is recorded once, by the first run after it was refused.
    assert sorted((r[0], r[4]) for r in runs if r[1] == "default") == [("run-one", 1), ("run-two", 0)]
    refused = _rows(
        store,
        "select company_id, file_name, input_kind, reason, bad_row, bad_column from quality_quarantined_files",
    )
    assert len(refused) == 1
    company, name, _kind, reason, row, column = refused[0]
    assert (company, name) == ("default", BAD.name) and reason and row is not None and column
    expectations = _rows(
        store, "select run_id, count(*) from quality_expectation_results group by 1 order by 1"
    )
    assert expectations == [
        ("run-one", first.evaluated * len(companies)),
        ("run-two", second.evaluated * len(companies)),
    ]
    # Every result is named by its suite, once: a warning of the gate is one row per company.
    assert not _rows(store, "select 1 from quality_expectation_results where suite = ''")
    warned = _rows(
        store,
        "select count(*) from quality_expectation_results where run_id = 'run-two' and outcome = 'warned'",
    )
    assert warned == [(len(second.warnings) * len(companies),)]
    # No unexpected-value samples (another company's ids) in the published observed values.
    assert not _rows(
        store, "select 1 from quality_expectation_results where observed_value like '%partial_unexpected%'"
    )

    result = publish(settings, "run-two")
    for table in TABLES:
        assert _rows(result.path, f"select count(*) from {table}") == _rows(
            store, f"select count(*) from {table}"
        )
    for company, path in result.companies.items():
        assert {r[0] for r in _rows(path, "select distinct company_id from quality_runs")} == {company}

    # The run's log names its Data Docs page and the dashboard; every page loads only local files.
    assert second.data_docs_page and second.data_docs_page.startswith("file://")
    assert second.dashboard_url == f"{settings.superset_url}/superset/dashboard/data-quality/"
    assert "Data quality dashboard: http://" in second.summary()
    docs = settings.quality_dir / "data_docs"
    assert [str(r) for r in external_references(docs) if r.loads or "vendor" not in r.file.parts] == []


def test_a_blocked_run_keeps_the_last_good_marts_and_publishes_why(
    settings: Settings, warehouse: Path
) -> None:
    assert run_quality_gate(settings, RUN_DATE, "good").success
    good = publish(settings, "good")
    figures = table_checksums(good.path)

    with duckdb.connect(str(warehouse)) as con:
        con.execute("""update marts.mart_channel_cost_per_inquiry set spend_fixed_cny = -81.64
                       where channel_id = 'alibaba_intl' and date_day = date '2026-03-01'""")
    blocked = run_quality_gate(settings, RUN_DATE, "bad")
    assert not blocked.success

    refreshed = publish_quality_refresh(settings, "bad")

    assert refreshed is not None and settings.serving_current.resolve() == refreshed.path != good.path
    assert table_checksums(refreshed.path) == figures  # the same marts, row for row
    current = current_publication(settings)
    assert current["run_id"] == "good" and current["quality_run_id"] == "bad"
    assert _rows(refreshed.path, "select distinct run_id from _xunpan_publish") == [("good",)]
    statuses = dict(
        _rows(refreshed.path, "select run_id, status from quality_runs where company_id = 'acme'")
    )
    assert statuses == {"good": "passed", "bad": "blocked"}
    failed = _rows(
        refreshed.path,
        "select suite, column_name from quality_expectation_results where run_id = 'bad' and outcome = 'failed'",
    )
    assert ("mart_channel_cost_per_inquiry", "spend_fixed_cny") in failed
    assert len(failed) == len(blocked.failures)  # one company (acme), each failure once


def test_a_blocked_first_run_publishes_nothing(settings: Settings, warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.mart_channel_cost_per_inquiry set spend_fixed_cny = -1")
    assert not run_quality_gate(settings, RUN_DATE, "bad").success
    assert publish_quality_refresh(settings, "bad") is None
    assert not settings.serving_current.exists()
    assert _rows(history_path(settings), "select distinct status from quality_runs") == [("blocked",)]


def test_freshness_per_input_kind_and_days_covered() -> None:
    import datetime as dt

    from xunpan.quality.history import freshness_rows

    def loaded(kind: str, first: str | None, last: str | None, company: str = "acme") -> dict:
        return {"status": "loaded", "kind": kind, "company_id": company, "date_min": first, "date_max": last}

    manifest = [
        loaded("ad_spend", "2026-02-20", "2026-03-09"),
        loaded("ad_spend", "2026-03-01", "2026-03-12"),  # a day after the business date is not counted
        loaded("inquiries", "2026-02-01", "2026-03-04"),
        loaded("product_costs", "2026-01-01", "2026-01-01"),
        {"status": "quarantined", "kind": "orders", "company_id": "acme"},
    ]
    freshness, coverage = freshness_rows(manifest, dt.date(2026, 3, 10), limit_days=3)
    by_kind = {r["input_kind"]: r for r in freshness}
    assert set(by_kind) == {"ad_spend", "inquiries", "product_costs"}
    assert (by_kind["ad_spend"]["newest_data_date"], by_kind["ad_spend"]["days_behind"]) == (
        dt.date(2026, 3, 10),
        0,
    )
    assert by_kind["ad_spend"]["status"] == "fresh" and by_kind["ad_spend"]["files_loaded"] == 2
    assert (by_kind["inquiries"]["days_behind"], by_kind["inquiries"]["status"]) == (6, "stale")
    assert (
        by_kind["product_costs"]["status"] == "reference" and by_kind["product_costs"]["days_behind"] is None
    )
    covered = {
        (r["input_kind"], r["month_start"].month): (r["days_covered"], r["days_in_month"]) for r in coverage
    }
    assert covered == {
        ("ad_spend", 2): (9, 28),
        ("ad_spend", 3): (10, 31),
        ("inquiries", 2): (28, 28),
        ("inquiries", 3): (4, 31),
    }
