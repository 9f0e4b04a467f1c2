"""Publishing: a new serving file per run, an atomic switch, retention, and recovery from a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.publish import current_publication, publish, safe_run_id, table_checksums
from xunpan.quality.history import TABLES as QUALITY_TABLES

REPO = Path(__file__).resolve().parents[3]


def write_marts(warehouse: Path, spend: float, inquiries: int = 3) -> None:
    """A warehouse with two marts tables, a staging view that must not be published, and a dim."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists staging")
    con.execute("create or replace table staging.stg_x as select 1 as x")
    con.execute(
        """create or replace table marts.mart_channel_cost_per_inquiry as
                   select 'acme' as company_id, date '2026-03-01' + cast(i as integer) as date_day, 'baidu_ppc' as channel_id,
                          cast(? as decimal(18, 2)) as spend_total_cny
                   from range(10) as r(i)""",
        [spend],
    )
    con.execute(
        """create or replace table marts.fct_inquiries as
                   select 'acme' as company_id, 'INQ-' || i as inquiry_id from range(?) as r(i)""",
        [inquiries],
    )
    con.execute("""create or replace table marts.dim_channels as
                   select 'baidu_ppc' as channel_id, '百度竞价' as channel_name_zh""")
    con.close()


def serving_spend(path: Path) -> float:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return float(
            con.execute("select max(spend_total_cny) from mart_channel_cost_per_inquiry").fetchone()[0]
        )
    finally:
        con.close()


def test_publish_creates_a_new_file_and_points_current_at_it(settings: Settings) -> None:
    write_marts(settings.warehouse, spend=100.0)

    result = publish(settings, "scheduled__2026-03-10T22:00:00+00:00")

    assert settings.serving_current.is_symlink()
    assert settings.serving_current.resolve() == result.path
    assert result.path.parent == settings.serving_dir
    assert result.path.name.startswith("serving-")
    assert result.path.name.endswith("-scheduled__2026-03-10T22_00_00_00_00.duckdb")
    # The marts, and the quality history (empty: no gate ran in this home), always published with them.
    assert result.tables == {
        "dim_channels": 1,
        "fct_inquiries": 3,
        "mart_channel_cost_per_inquiry": 10,
        **dict.fromkeys(QUALITY_TABLES, 0),
    }
    assert result.previous is None
    con = duckdb.connect(str(settings.serving_current), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        }
        bookkeeping = con.execute(
            "select run_id, table_name, row_count from _xunpan_publish order by table_name"
        ).fetchall()
    finally:
        con.close()
    assert tables == {
        "main.dim_channels",
        "main.fct_inquiries",
        "main.mart_channel_cost_per_inquiry",
        "main._xunpan_publish",
        *(f"main.{name}" for name in QUALITY_TABLES),
    }
    assert bookkeeping == [
        ("scheduled__2026-03-10T22:00:00+00:00", "dim_channels", 1),
        ("scheduled__2026-03-10T22:00:00+00:00", "fct_inquiries", 3),
        ("scheduled__2026-03-10T22:00:00+00:00", "mart_channel_cost_per_inquiry", 10),
    ]

    current = current_publication(settings)
    assert current is not None
    assert current["run_id"] == "scheduled__2026-03-10T22:00:00+00:00"
    assert current["file"] == result.path.name
    assert current["tables"]["fct_inquiries"] == {"rows": 3, "checksum": result.checksums["fct_inquiries"]}
    assert result.checksums == table_checksums(result.path)
    on_disk = json.loads((settings.serving_dir / "current.json").read_text(encoding="utf-8"))
    assert on_disk == current
    # Nothing temporary is left behind.
    assert [p.name for p in settings.serving_dir.iterdir() if ".tmp" in p.name] == []


def test_current_publication_is_none_before_the_first_publish(settings: Settings) -> None:
    assert current_publication(settings) is None


def test_empty_marts_schema_publishes_nothing(settings: Settings) -> None:
    write_marts(settings.warehouse, spend=100.0)
    first = publish(settings, "first")
    con = duckdb.connect(str(settings.warehouse))
    con.execute("drop schema marts cascade")
    con.execute("create schema marts")
    con.close()

    with pytest.raises(XunpanError, match="holds no tables"):
        publish(settings, "second")

    assert settings.serving_current.resolve() == first.path
    assert current_publication(settings)["run_id"] == "first"


_READER = textwrap.dedent("""
    import sys, duckdb
    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    query = "select max(spend_total_cny) from mart_channel_cost_per_inquiry"
    print("first", con.execute(query).fetchone()[0], flush=True)
    sys.stdin.readline()
    print("again", con.execute(query).fetchone()[0], flush=True)
    fresh = duckdb.connect(path, read_only=True)
    print("fresh", fresh.execute(query).fetchone()[0], flush=True)
""")


def test_switch_while_a_reader_holds_the_old_file(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"serving_keep": 1})  # the old file is even deleted while open
    write_marts(settings.warehouse, spend=100.0)
    old = publish(settings, "day1")
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(settings.serving_current)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().split() == ["first", "100.00"]
        write_marts(settings.warehouse, spend=250.0)

        new = publish(settings, "day2")

        assert new.previous == old.path
        assert new.pruned == [old.path] and not old.path.exists()
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    # The open connection keeps reading the old, complete file; a new one sees the new file.
    assert out.split("\n")[:2] == ["again 100.00", "fresh 250.00"]
    assert serving_spend(settings.serving_current) == 250.0


_LOAD = textwrap.dedent("""
    import sys, duckdb, json
    path, stop = sys.argv[1], sys.argv[2]
    import os
    seen, errors, queries = set(), [], 0
    while True:
        # Checked before the query, so the last query starts after the final publish and sees it.
        stopping = os.path.exists(stop)
        try:
            con = duckdb.connect(path, read_only=True)
            rows = con.execute("select count(*), max(spend_total_cny) from mart_channel_cost_per_inquiry").fetchone()
            con.close()
            seen.add(f"{rows[0]}:{rows[1]}")
        except Exception as exc:
            errors.append(repr(exc))
        queries += 1
        if stopping and queries >= 20:
            break
    print(json.dumps({"queries": queries, "errors": errors, "seen": sorted(seen)}))
""")


def test_concurrent_readers_see_old_or_new_data_never_an_error(settings: Settings) -> None:
    write_marts(settings.warehouse, spend=100.0)
    publish(settings, "v0")
    stop = settings.home / "stop-readers"
    reader = subprocess.Popen(
        [sys.executable, "-c", _LOAD, str(settings.serving_current), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for version in range(1, 4):
            write_marts(settings.warehouse, spend=100.0 * (version + 1))
            publish(settings, f"v{version}")
        stop.touch()
        out, err = reader.communicate(timeout=120)
    finally:
        reader.kill()
    report = json.loads(out)
    assert report["errors"] == [], err
    assert report["queries"] >= 20
    assert set(report["seen"]) <= {"10:100.00", "10:200.00", "10:300.00", "10:400.00"}
    assert "10:400.00" in report["seen"]


def test_retention_keeps_the_newest_files(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings.model_copy(update={"serving_keep": 2})
    results = []
    for day in range(4):
        write_marts(settings.warehouse, spend=10.0 + day)
        results.append(publish(settings, f"day{day}"))

    files = sorted(p.name for p in settings.serving_dir.glob("serving-*.duckdb"))
    assert files == sorted(r.path.name for r in results[-2:])
    manifests = sorted(p.name for p in settings.serving_dir.glob("serving-*.duckdb.json"))
    assert manifests == [f + ".json" for f in files]
    assert settings.serving_current.resolve() == results[-1].path
    assert results[2].pruned == [results[0].path]


def test_retention_setting_must_be_a_positive_number(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XUNPAN_SERVING_KEEP", "0")
    with pytest.raises(XunpanError, match="XUNPAN_SERVING_KEEP='0': expected a whole number of at least 1"):
        Settings.from_env()


def test_checksums_ignore_row_order_but_not_content(tmp_path: Path) -> None:
    def make(path: Path, values: list[tuple[int, str, float | None]]) -> Path:
        con = duckdb.connect(str(path))
        con.execute("create table t (id integer, label varchar, amount decimal(18, 2))")
        con.executemany("insert into t values (?, ?, ?)", values)
        con.execute("create table empty_one (id integer)")
        con.close()
        return path

    rows = [(1, "阿里", 1.5), (2, "百度", None), (3, "SEO", 0.0), (3, "SEO", 0.0)]
    a = table_checksums(make(tmp_path / "a.duckdb", rows))
    b = table_checksums(make(tmp_path / "b.duckdb", list(reversed(rows))))
    fewer = table_checksums(make(tmp_path / "c.duckdb", rows[:3]))  # one duplicate row less
    changed = table_checksums(make(tmp_path / "d.duckdb", [*rows[:3], (3, "SEO", 0.01)]))

    assert a == b
    assert set(a) == {"t", "empty_one"}
    assert fewer["t"] != a["t"] and changed["t"] != a["t"]
    assert fewer["empty_one"] == a["empty_one"]


def test_republishing_the_same_marts_gives_the_same_checksums(settings: Settings) -> None:
    write_marts(settings.warehouse, spend=42.0)
    first = publish(settings, "same-1")
    second = publish(settings, "same-2")
    assert first.path != second.path
    assert first.checksums == second.checksums == table_checksums(second.path)


_PUBLISH = textwrap.dedent("""
    import sys
    from xunpan.config import Settings
    from xunpan.publish import publish
    publish(Settings.from_env(), sys.argv[1])
""")


def test_publish_killed_half_way_leaves_the_previous_file_current(settings: Settings) -> None:
    write_marts(settings.warehouse, spend=100.0)
    before = publish(settings, "good")
    before_checksums = table_checksums(before.path)
    write_marts(settings.warehouse, spend=999.0)
    marker = settings.home / "publish-paused"
    env = {**os.environ, "XUNPAN_TEST_PUBLISH_PAUSE": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _PUBLISH, "doomed"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < deadline, "publish never reached the pause point"
            time.sleep(0.05)
        leftovers = [p for p in settings.serving_dir.iterdir() if ".tmp" in p.name]
        assert leftovers and leftovers[0].stat().st_size > 0  # a part-written serving file
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL

    assert settings.serving_current.resolve() == before.path
    assert current_publication(settings)["run_id"] == "good"
    assert serving_spend(settings.serving_current) == 100.0
    assert table_checksums(before.path) == before_checksums

    after = publish(settings, "rerun")

    assert [p.name for p in settings.serving_dir.iterdir() if ".tmp" in p.name] == []
    assert settings.serving_current.resolve() == after.path
    assert serving_spend(settings.serving_current) == 999.0
    assert current_publication(settings)["run_id"] == "rerun"


def test_current_publication_follows_the_symlink_when_current_json_lags(settings: Settings) -> None:
    write_marts(settings.warehouse, spend=1.0)
    first = publish(settings, "one")
    stale = (settings.serving_dir / "current.json").read_text(encoding="utf-8")
    publish(settings, "two")
    # As if killed between the switch and the current.json copy.
    (settings.serving_dir / "current.json").write_text(stale, encoding="utf-8")
    assert json.loads(stale)["file"] == first.path.name
    assert current_publication(settings)["run_id"] == "two"


def test_safe_run_id() -> None:
    assert safe_run_id("manual__2026-03-10T22:00:00.123+00:00") == "manual__2026-03-10T22_00_00.123_00_00"
    assert safe_run_id("../../etc") == "etc"
    assert safe_run_id("::") == "run"


def _fresh_copy_checksums(warehouse: Path, scratch: Path) -> dict[str, str]:
    """The checksums of every mart copied whole into a new file (what publish wrote before it synced)."""
    con = duckdb.connect(str(scratch))
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    for (name,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'wh' and table_schema = 'marts'"
    ).fetchall():
        con.execute(f"create table main.{name} as select * from wh.marts.{name}")
    con.close()
    return table_checksums(scratch)


def test_a_publish_writes_only_the_partitions_that_changed_and_equals_a_fresh_copy(
    settings: Settings, tmp_path: Path
) -> None:
    write_marts(settings.warehouse, spend=100.0, inquiries=3)
    first = publish(settings, "day-1")

    # The next day: day 2026-03-04 restated, a new day 2026-03-11, one inquiry more, a column
    # added to dim_channels and a mart that is gone.
    con = duckdb.connect(str(settings.warehouse))
    con.execute(
        "update marts.mart_channel_cost_per_inquiry set spend_total_cny = 7 where date_day = '2026-03-04'"
    )
    con.execute(
        "insert into marts.mart_channel_cost_per_inquiry values ('acme', '2026-03-11', 'baidu_ppc', 100)"
    )
    con.execute("insert into marts.fct_inquiries values ('acme', 'INQ-3')")
    con.execute("alter table marts.dim_channels add column channel_name_en varchar default 'Baidu PPC'")
    con.execute("create table marts.mart_gone as select 1 as x")
    con.close()
    gone = publish(settings, "day-2")
    con = duckdb.connect(str(settings.warehouse))
    con.execute("drop table marts.mart_gone")
    con.close()
    second = publish(settings, "day-3")

    assert "mart_gone" in gone.tables and "mart_gone" not in second.tables
    marts = {n: c for n, c in second.checksums.items() if not n.startswith("quality_")}
    assert marts == _fresh_copy_checksums(settings.warehouse, tmp_path / "fresh.duckdb")
    # the first publish wrote every row; the second the restated and the new day, the table whose
    # columns changed, and all four inquiries (this fct_inquiries has no date column, so its
    # partition is the company); the last one nothing but the bookkeeping
    assert first.written == {"dim_channels": 1, "fct_inquiries": 3, "mart_channel_cost_per_inquiry": 10}
    assert gone.written == {
        "dim_channels": 1,
        "fct_inquiries": 4,
        "mart_channel_cost_per_inquiry": 2,
        "mart_gone": 1,
    }
    assert second.written == {"dim_channels": 0, "fct_inquiries": 0, "mart_channel_cost_per_inquiry": 0}
    assert current_publication(settings)["written"] == second.written
    con = duckdb.connect(str(second.companies["acme"]), read_only=True)
    try:
        company_rows = con.execute("select * from mart_channel_cost_per_inquiry").fetchall()
    finally:
        con.close()
    assert sorted(company_rows) == _rows(settings.warehouse, "marts.mart_channel_cost_per_inquiry")


def _rows(path: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(con.execute(f"select * from {table}").fetchall())
    finally:
        con.close()
