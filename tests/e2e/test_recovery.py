"""Write-audit-publish under failure (issue 5): a bad mart is stopped at the gate and alerted, a
SIGKILL during dbt build or during publish never leaves half-written serving data, re-runs,
backfills and a full rebuild give identical marts, and Superset queries during publishes see
either the old or the new figures, never an error.

The small demo dataset is run once (module fixture) into a baseline XUNPAN_HOME; every test
copies that home into its own tmp_path (symlinks kept) and goes on from the good publish there,
calling the pipeline steps directly as the DAG tasks do (the DAG wiring itself is covered by
test_pipeline_e2e).
"""

from __future__ import annotations

import json
import shutil
import signal
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import recovery_helpers as rh
from pytest_httpserver import HTTPServer

from xunpan.config import Settings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
COST = "mart_channel_cost_per_inquiry"
FUNNEL = "mart_inquiry_funnel"
# How the gate names the two injected faults (GateResult.summary / FailedExpectation.describe).
NEGATIVE_COST = f"{COST}: expect_column_values_to_be_between(spend_variable_cny)"
WON_ABOVE_EFFECTIVE = (
    f"{FUNNEL}: expect_column_pair_values_a_to_be_greater_than_b(inquiries_effective, inquiries_won)"
)
# Chart-data queries the loader finishes before the first publish and after each publish.
QUERIES_PER_WINDOW = 15


@dataclass(frozen=True)
class Baseline:
    home: Path
    checksums: dict[str, str]
    publication: dict
    seconds: float


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """The small demo dataset ingested, built, audited and published once for SMALL_END_DATE."""
    from xunpan.demo import SMALL_END_DATE, generate_small
    from xunpan.publish import current_publication

    home = tmp_path_factory.mktemp("recovery-baseline") / "xunpan_home"
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("XUNPAN_HOME", str(home))
        mp.setenv("XUNPAN_REPO", str(REPO))
        mp.delenv("XUNPAN_ALERT_WEBHOOK_URL", raising=False)
        settings = Settings.from_env()
        settings.ensure_dirs()
        generate_small(settings.inbox)
        started = time.monotonic()
        rh.run_steps(settings, SMALL_END_DATE, "baseline")
        seconds = time.monotonic() - started
        publication = current_publication(settings)
        checksums = rh.serving_checksums(settings.serving_current)
    finally:
        mp.undo()
    assert publication is not None and publication["run_id"] == "baseline"
    assert checksums and all(publication["tables"][name]["checksum"] == c for name, c in checksums.items())
    print(f"\nbaseline run (ingest+build+audit+publish): {seconds:.1f} s")
    return Baseline(home, checksums, publication, seconds)


@pytest.fixture
def home(baseline: Baseline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh XUNPAN_HOME for this test: a copy of the baseline home (the serving symlink kept)."""
    target = tmp_path / "xunpan_home"
    shutil.copytree(baseline.home, target, symlinks=True)
    monkeypatch.setenv("XUNPAN_HOME", str(target))
    monkeypatch.setenv("XUNPAN_REPO", str(REPO))
    monkeypatch.delenv("XUNPAN_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("XUNPAN_TEST_PUBLISH_PAUSE", raising=False)
    settings = Settings.from_env()
    assert settings.serving_current.is_symlink()
    assert rh.serving_checksums(settings.serving_current) == baseline.checksums
    return settings


def _serving_state(settings: Settings) -> tuple[Path, dict, dict[str, str]]:
    from xunpan.publish import current_publication

    return (
        settings.serving_current.resolve(),
        current_publication(settings),
        rh.serving_checksums(settings.serving_current),
    )


# --- 1. a bad mart is stopped at the gate -----------------------------------------------------------
def test_bad_mart_is_blocked_and_named_in_data_docs(
    home: Settings, baseline: Baseline, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    from xunpan.demo import SMALL_END_DATE
    from xunpan.pipeline import GateFailed, step_audit, step_build
    from xunpan.quality import last_gate

    settings = home
    before = _serving_state(settings)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    httpserver.expect_request("/hooks/xunpan-alerts", method="POST").respond_with_data("ok")
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", httpserver.url_for("/hooks/xunpan-alerts"))
    # The receiver is a plain-http server on loopback, which alerts refuse unless allowed.
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP", "true")
    step_build(settings, "bad-mart")
    con = duckdb.connect(str(settings.warehouse))
    try:
        (cost_row,) = con.execute(
            f"""update marts.{COST} set spend_variable_cny = -1
                where rowid = (select rowid from marts.{COST} where spend_variable_cny > 0
                               order by date_day, channel_id limit 1)
                returning date_day, channel_id"""
        ).fetchall()
        (funnel_row,) = con.execute(
            f"""update marts.{FUNNEL} set inquiries_won = inquiries_effective + 1
                where rowid = (select rowid from marts.{FUNNEL}
                               order by received_date, channel_id, product_line limit 1)
                returning received_date, inquiries_effective, inquiries_won"""
        ).fetchall()
    finally:
        con.close()
    assert funnel_row[2] > funnel_row[1]

    with pytest.raises(GateFailed) as raised:
        step_audit(settings, SMALL_END_DATE, "bad-mart")
    messages = [request.get_json() for request, _ in httpserver.log]

    # The gate's message names both failing expectations.
    message = str(raised.value)
    assert "FAILED" in message
    assert NEGATIVE_COST in message and WON_ABOVE_EFFECTIVE in message

    # The gate step sends no alert of its own: the DAG's one failure callback sends it, with this
    # message as its text (tests/dags/test_alerts.py), so a blocked run is not alerted twice.
    assert messages == [], messages

    # The run report and the Data Docs pages of the two failing validations name them.
    report = last_gate(settings)
    assert report["run_id"] == "bad-mart" and report["success"] is False
    failures = {(f["suite"], f["expectation_type"], f["column"]): f for f in report["failures"]}
    cost_failure = failures[(COST, "expect_column_values_to_be_between", "spend_variable_cny")]
    funnel_failure = failures[
        (FUNNEL, "expect_column_pair_values_a_to_be_greater_than_b", "inquiries_effective, inquiries_won")
    ]
    assert "-1" in cost_failure["details"]
    docs = settings.quality_dir / "data_docs"
    for failure, column in ((cost_failure, "spend_variable_cny"), (funnel_failure, "inquiries_won")):
        page = Path(failure["docs_page"].removeprefix("file://"))
        assert page.is_file() and page.is_relative_to(docs / "validations" / failure["suite"] / "bad-mart")
        html = page.read_text(encoding="utf-8")
        assert column in html and "Failed" in html
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "bad-mart" in index and COST in index and FUNNEL in index

    # Nothing was published: the same file, manifest and checksums as before the bad build.
    assert rh.journal(settings, "bad-mart") == [("build", "success"), ("audit", "failed")]
    assert _serving_state(settings) == before
    assert before[2] == baseline.checksums
    with duckdb.connect(str(settings.serving_current), read_only=True) as con:
        assert con.execute(f"select min(spend_variable_cny) from {COST}").fetchone()[0] >= 0
        assert (
            con.execute(
                f"select count(*) from {FUNNEL} where inquiries_won > inquiries_effective"
            ).fetchone()[0]
            == 0
        )
    print(
        f"\nbad mart: rows corrupted {cost_row} / {funnel_row[0]}; "
        f"{len(report['failures'])} blocking failure(s), webhook messages {len(messages)}"
    )


# --- 2. SIGKILL during dbt build --------------------------------------------------------------------
def test_sigkill_during_dbt_build_leaves_serving_intact_and_the_rerun_matches(
    home: Settings, baseline: Baseline
) -> None:
    from xunpan.demo import SMALL_END_DATE

    settings = home
    before = _serving_state(settings)
    dbt_log = settings.home / "dbt" / "logs" / "dbt.log"
    offset = dbt_log.stat().st_size if dbt_log.exists() else 0
    child_log = settings.logs / "killed-build.log"

    proc = rh.spawn(["build", "killed-build"], child_log)
    try:
        # Wait until dbt has rewritten at least one mart in the warehouse: the build is half-way.
        rh.wait_until(
            lambda: "OK created sql table model marts." in rh.new_text(dbt_log, offset),
            proc,
            child_log,
            "dbt rewrote a mart",
            timeout=240,
        )
        assert proc.poll() is None, "the build finished before it could be killed"
        members = rh.kill_group(proc)
    finally:
        if proc.poll() is None:
            rh.kill_group(proc)
    assert proc.returncode == -signal.SIGKILL
    assert len(members) >= 2, f"expected the step and its dbt process in the group, got {members}"
    written = rh.new_text(dbt_log, offset)
    marts_done = written.count("OK created sql table model marts.")
    assert marts_done >= 1 and "[MainThread]: Finished running" not in written  # killed mid-build

    # Dashboards still read the previous, complete publication; nothing was recorded as built.
    assert _serving_state(settings) == before
    assert rh.journal(settings, "killed-build") == []

    # The re-run (build, audit, publish) succeeds and yields the marts of the first good publish.
    started = time.monotonic()
    summary = rh.run_steps(settings, SMALL_END_DATE, "rerun-after-build-kill", ingest=False)
    seconds = time.monotonic() - started
    assert rh.journal(settings, "rerun-after-build-kill") == [
        ("build", "success"),
        # the small demo's platform-vs-register gap warns (never blocks): docs/raw-landing.md
        ("audit", "warning"),
        ("publish", "success"),
    ]
    assert settings.serving_current.resolve() == Path(summary["path"]) != before[0]
    assert rh.serving_checksums(settings.serving_current) == baseline.checksums
    print(
        f"\nkilled build: group of {len(members)} processes killed after {marts_done} mart(s) were "
        f"rewritten; re-run build+audit+publish {seconds:.1f} s, checksums identical"
    )


# --- 3. SIGKILL during publish ----------------------------------------------------------------------
def test_sigkill_during_publish_leaves_a_complete_serving_file_and_the_rerun_succeeds(
    home: Settings, baseline: Baseline
) -> None:
    from xunpan.pipeline import step_publish
    from xunpan.publish import PAUSE_ENV, current_publication

    settings = home
    before = _serving_state(settings)
    marker = settings.home / "publish-paused"
    child_log = settings.logs / "killed-publish.log"

    proc = rh.spawn(["publish", "killed-publish"], child_log, {PAUSE_ENV: str(marker)})
    try:
        rh.wait_until(marker.exists, proc, child_log, "publish reached its pause point", timeout=120)
        partial = rh.tmp_leftovers(settings.serving_dir)
        assert any(p.suffix == ".tmp" and p.stat().st_size > 0 for p in partial), partial
        members = rh.kill_group(proc)
    finally:
        if proc.poll() is None:
            rh.kill_group(proc)
    assert proc.returncode == -signal.SIGKILL and members

    # The link still points to the previous file, complete: every table holds its manifest's rows.
    assert _serving_state(settings) == before
    manifest = before[1]["tables"]
    counts = rh.row_counts(settings.serving_current)
    assert set(counts) == set(manifest) | {"_xunpan_publish"}
    assert {name: counts[name] for name in manifest} == {name: t["rows"] for name, t in manifest.items()}
    # _xunpan_publish lists the marts; the quality history (quality_*) rides along with them.
    marts = [name for name in manifest if not name.startswith("quality_")]
    assert counts["_xunpan_publish"] == len(marts)
    # Audit tables (removed inquiries, disagreeing report kinds) and the refused-files history are
    # legitimately empty here.
    empty = {"ad_spend_level_differences", "audit_inquiries_removed", "quality_quarantined_files"}
    assert all(rows > 0 for name, rows in counts.items() if name not in empty), counts
    assert rh.journal(settings, "killed-publish") == []

    # Re-running the publish task removes the leftovers and publishes the same marts.
    summary = step_publish(settings, "rerun-after-publish-kill")
    assert rh.tmp_leftovers(settings.serving_dir) == []
    assert settings.serving_current.resolve() == Path(summary["path"]) != before[0]
    assert current_publication(settings)["run_id"] == "rerun-after-publish-kill"
    assert rh.serving_checksums(settings.serving_current) == baseline.checksums
    assert rh.row_counts(settings.serving_current) == counts
    print(f"\nkilled publish: {len(partial)} partial file(s) left by the kill, removed by the re-run")


# --- 4. idempotency: the same date twice, a backfill, a full rebuild ----------------------------------
def test_rerun_backfill_and_full_rebuild_publish_identical_marts(home: Settings, baseline: Baseline) -> None:
    from datetime import timedelta

    from xunpan.demo import SMALL_END_DATE

    settings = home
    seen: dict[str, dict[str, str]] = {}
    timings: dict[str, float] = {}

    def run(label: str, business_date, **kwargs) -> None:
        started = time.monotonic()
        summary = rh.run_steps(settings, business_date, label, **kwargs)
        timings[label] = round(time.monotonic() - started, 1)
        assert settings.serving_current.resolve() == Path(summary["path"])
        assert summary["checksums"] == rh.serving_checksums(Path(summary["path"]))
        seen[label] = summary["checksums"]

    # A backfill of the last three business dates, oldest first, as Airflow runs them; its last
    # run is the baseline's own logical date again (the baseline home published it once).
    for days_back in (2, 1, 0):
        run(f"backfill-{days_back}", SMALL_END_DATE - timedelta(days=days_back))
    # A full rebuild: no warehouse at all, then build, audit, publish.
    for path in settings.warehouse.parent.glob(settings.warehouse.name + "*"):
        path.unlink()
    assert not settings.warehouse.exists()
    run("full-rebuild", SMALL_END_DATE, ingest=False)

    differing = {
        label: sorted(n for n in sums if sums.get(n) != baseline.checksums.get(n))
        for label, sums in seen.items()
    }
    assert all(sums == baseline.checksums for sums in seen.values()), differing
    assert len(baseline.checksums) >= 8
    print(
        f"\nidempotency: {len(seen)} publishes, {len(baseline.checksums)} tables each, identical; seconds {timings}"
    )


# --- 5. Superset queries while the pipeline publishes -----------------------------------------------
def test_superset_queries_during_publishes_see_old_or_new_totals_never_an_error(
    home: Settings, baseline: Baseline
) -> None:
    from xunpan.dashboards import setup_superset, start_superset, stop_superset
    from xunpan.dashboards.api import SupersetClient
    from xunpan.publish import publish
    from xunpan.secrets import ensure_secrets
    from xunpan.services import service_pid

    settings = home
    extra = Decimal("1000.00")
    total_a = rh.spend_total(settings.serving_current)
    total_b = total_a + extra
    expected = {"A": str(total_a), "B": str(total_b)}

    def set_state(state: str) -> None:
        """Warehouse state A (as built) or B (one mart row carries `extra` more), gate skipped."""
        con = duckdb.connect(str(settings.warehouse))
        try:
            con.execute(
                f"""update marts.{COST} set spend_total_cny = spend_total_cny + ?
                    where rowid = (select rowid from marts.{COST} order by date_day, channel_id limit 1)""",
                [extra if state == "B" else -extra],
            )
        finally:
            con.close()

    setup_superset(settings)
    secrets = ensure_secrets(settings)
    url = start_superset(settings, port=rh.free_port())
    loader = None
    try:
        client = SupersetClient(url, secrets["SUPERSET_ADMIN_USER"], secrets["SUPERSET_ADMIN_PASSWORD"])
        work = settings.home / "load"
        work.mkdir()
        config = {
            "url": url,
            "username": secrets["SUPERSET_ADMIN_USER"],
            "password": secrets["SUPERSET_ADMIN_PASSWORD"],
            "dataset_id": client.dataset_id(COST),
            "metric": "spend_total_cny",
            "stop": str(work / "stop"),
            "progress": str(work / "progress"),
            "out": str(work / "report.json"),
            "max_queries": 150,
            "max_seconds": 90,
        }
        (work / "config.json").write_text(json.dumps(config), encoding="utf-8")
        loader_log = settings.logs / "load.log"
        loader = rh.spawn(["load", str(work / "config.json")], loader_log)
        progress = Path(config["progress"])

        def after_queries(n: int) -> int:
            """Wait (bounded) until the loader has finished n more queries; returns the new count."""
            target = rh.read_progress(progress) + n
            rh.wait_until(
                lambda: rh.read_progress(progress) >= target, loader, loader_log, f"{target} queries", 60
            )
            return rh.read_progress(progress)

        # (state, queries finished before the publish began, queries finished when it returned)
        windows: list[tuple[str, int, int]] = [("A", 0, 0)]
        after_queries(QUERIES_PER_WINDOW)
        publish_seconds = []
        for state in ("B", "A", "B"):
            set_state(state)
            began = rh.read_progress(progress)
            started = time.monotonic()
            publish(settings, f"load-{len(windows)}-{state}")
            publish_seconds.append(round(time.monotonic() - started, 2))
            windows.append((state, began, rh.read_progress(progress)))
            after_queries(QUERIES_PER_WINDOW)
        (work / "stop").touch()
        loader.wait(timeout=120)
        assert loader.returncode == 0, rh.tail(loader_log)
        report = json.loads(Path(config["out"]).read_text(encoding="utf-8"))
    finally:
        if loader is not None and loader.poll() is None:
            rh.kill_group(loader)
        stop_superset(settings)
    assert service_pid(settings, "superset") is None

    results = report["results"]
    errors = [r["error"] for r in results if "error" in r]
    totals = [r.get("total") for r in results]
    distinct = sorted({t for t in totals if t})
    # Queries that were in flight, or started, while a publish ran (finished after it began).
    overlapping = sum(min(finished + 1, len(results)) - began for _, began, finished in windows[1:])
    print(
        f"\nsuperset load: {len(results)} chart-data queries in {report['seconds']} s, "
        f"{len(errors)} error(s), distinct totals {distinct} (A={total_a}, B={total_b}); "
        f"{overlapping} queries overlapped one of 3 publishes taking {publish_seconds} s"
    )
    assert errors == [], errors[:5]
    assert set(distinct) <= set(expected.values())
    # A query started after a publish returned sees that publish, until the next one begins:
    # query k (1-based) started after query k-1 finished.
    for i, (state, _began, finished) in enumerate(windows):
        next_began = windows[i + 1][1] if i + 1 < len(windows) else len(results)
        first = finished + 2 if i else 1  # the query in flight at the switch may see either file
        settled = totals[first - 1 : next_began]
        assert settled, f"no query ran entirely within the window of publish {i} ({state})"
        assert set(settled) == {expected[state]}, (i, state, settled)
    assert set(distinct) == set(expected.values())
