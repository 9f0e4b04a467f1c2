"""`xunpan bench` (`make bench`): the pipeline at realistic size, timed step by step, beside plain SQL.

A year of keyword-level spend (default 1 company x 2,000,000 rows, xunpan.bench_data) is added to
the demo dataset of the same companies, then timed on this machine: `xunpan import` of the
exports, the first full run (ingest, dbt build, quality gate, publish), and the next day's run
(one daily export per platform plus a restated day). Beside each figure stands the same work done
by plain DuckDB SQL in the same run: read the same CSV files (transcoded to UTF-8, which DuckDB's
reader needs) and aggregate them to day x channel. The ratio is what we track; speed is measured
here, never asserted in tests. The table goes to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from xunpan.config import Settings

# Goals of issue 12, reported (never asserted) by the bench.
GOAL_IMPORT_VS_READER = 5.0
GOAL_NEXT_DAY_VS_FULL = 0.25
GOAL_DBT_VS_SQL = 3.0
GOAL_NEXT_DAY_RUN_S = 60.0
GOAL_CHART_P95_MS = 200.0


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


# --- plain DuckDB SQL: the same files read and aggregated to day x channel -------------------

# layout file-name prefix -> (encoding, lines before the header, date expression, cost expression)
_PLAIN_READERS = {
    "baidu_scale_keyword": ("gbk", 7, '"日期"::date', "replace(\"消费\", ',', '')"),
    "sogou_scale_keyword": ("gbk", 1, "strptime(\"日期\", '%Y/%-m/%-d')::date", "replace(\"消耗\", ',', '')"),
    "so360_scale_keyword": ("utf-8", 0, '"日期"::date', "replace(replace(\"总费用\", '￥', ''), ',', '')"),
}
_CHANNELS = {
    "baidu_scale_keyword": "baidu_ppc",
    "sogou_scale_keyword": "sogou_ppc",
    "so360_scale_keyword": "so360_ppc",
}


def plain_sql_aggregate(files: list[Path], scratch: Path) -> tuple[float, float, dict[tuple[str, str], Any]]:
    """Transcode `files` to UTF-8, read them with DuckDB's CSV reader and sum cost per day x channel.

    Returns (transcode seconds, read + aggregate seconds, {(day, channel): cost}).
    """
    import duckdb

    scratch.mkdir(parents=True, exist_ok=True)
    grouped: dict[str, list[Path]] = {}
    began = time.perf_counter()
    for i, path in enumerate(files):
        prefix = next(p for p in _PLAIN_READERS if path.name.startswith(p))
        encoding, skip, _, _ = _PLAIN_READERS[prefix]
        target = scratch / f"{i:06d}_{path.name}"
        lines = path.read_bytes().decode(encoding).split("\r\n", skip)
        target.write_bytes(lines[-1].encode("utf-8"))
        grouped.setdefault(prefix, []).append(target)
    transcode_s = time.perf_counter() - began

    began = time.perf_counter()
    parts = []
    for prefix, paths in grouped.items():
        _, _, day, cost = _PLAIN_READERS[prefix]
        listed = ", ".join(f"'{p}'" for p in paths)
        parts.append(
            f"select {day} as spend_day, '{_CHANNELS[prefix]}' as channel_id, "
            f"sum(cast({cost} as decimal(18, 2))) as cost "
            f"from read_csv([{listed}], header = true, all_varchar = true) group by all"
        )
    with duckdb.connect() as con:
        rows = con.execute(
            f"select spend_day, channel_id, sum(cost) from ({' union all '.join(parts)}) group by all"
        ).fetchall()
    aggregate_s = time.perf_counter() - began
    shutil.rmtree(scratch, ignore_errors=True)
    return transcode_s, aggregate_s, {(str(d), c): v for d, c, v in rows}


# --- the pipeline ------------------------------------------------------------------------------


@dataclass
class Phase:
    """One timed phase: what was done, seconds per step, and the plain-SQL reference."""

    name: str
    rows: int = 0
    files: int = 0
    steps: dict[str, float] = field(default_factory=dict)
    reference_s: float = 0.0
    transcode_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    # from dbt's run_results.json: its own run time, nodes run, and the slowest nodes
    dbt_elapsed_s: float = 0.0
    dbt_nodes: int = 0
    dbt_node_s: float = 0.0
    dbt_slowest: list[tuple[str, float]] = field(default_factory=list)
    # rows the publish wrote (the rest came unchanged with the previous serving file)
    published_rows: int = 0
    written_rows: int = 0
    # rows of the gated marts the gate checked one by one (the rest only in aggregate)
    gated_rows: int = 0
    checked_rows: int = 0

    @property
    def run_s(self) -> float:
        return sum(self.steps.get(s, 0.0) for s in ("ingest", "dbt build", "quality gate", "publish"))


@contextmanager
def _home(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="xunpan-bench-") as tmp:
        yield Path(tmp)


def _scale_spend(settings: Settings, accounts_like: str) -> dict[tuple[str, str], Any]:
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "select company_id, platform, sum(cost) from intermediate.int_ad_spend_converted "
            "where account like ? group by all",
            [accounts_like],
        ).fetchall()
    return {(c, p): v for c, p, v in rows}


def _expected(plan: Any, through: dt.date, restated: bool) -> dict[tuple[str, str], Any]:
    from decimal import Decimal

    from xunpan.bench_data import expected_cost_cents

    names = {"baidu": "baidu_search", "sogou": "sogou", "so360": "so360"}
    return {
        (company, names[p]): Decimal(cents) / 100
        for (company, p), cents in expected_cost_cents(plan, through, restated).items()
    }


def _run_steps(settings: Settings, phase: Phase, business_date: dt.date, run_id: str) -> None:
    from xunpan.pipeline import step_audit, step_build, step_ingest, step_publish

    phase.steps["ingest"], ingested = _timed(lambda: step_ingest(settings, run_id))
    if ingested["quarantined"]:
        raise click.ClickException(f"bench inputs were refused: {ingested['quarantined'][:3]}")
    phase.steps["dbt build"], _ = _timed(lambda: step_build(settings, run_id, business_date))
    _read_dbt_nodes(settings, phase)
    phase.steps["quality gate"], audited = _timed(lambda: step_audit(settings, business_date, run_id))
    phase.checked_rows, phase.gated_rows = audited["rows_checked"], audited["rows"]
    phase.steps["publish"], published = _timed(lambda: step_publish(settings, run_id))
    written = published.get("written") or {}
    phase.written_rows = sum(written.values())
    phase.published_rows = sum(rows for name, rows in published.get("tables", {}).items() if name in written)


def _read_dbt_nodes(settings: Settings, phase: Phase, slowest: int = 5) -> None:
    """dbt's own figures for the build just run: where its time went beside process start-up."""
    import json

    from xunpan.transform import dbt_target_path

    results = json.loads((dbt_target_path(settings) / "run_results.json").read_text(encoding="utf-8"))
    # unique_id is <type>.<project>.<name>[.<hash of a generic test>]: the name says what it is
    nodes = [(r["unique_id"].split(".")[2], float(r["execution_time"])) for r in results["results"]]
    phase.dbt_elapsed_s = float(results["elapsed_time"])
    phase.dbt_nodes = len(nodes)
    phase.dbt_node_s = sum(seconds for _, seconds in nodes)
    phase.dbt_slowest = sorted(nodes, key=lambda node: -node[1])[:slowest]


def _chart_queries(settings: Settings, companies: tuple[str, ...], repeats: int = 20) -> dict[str, float]:
    """p50 and p95 (ms) of the dashboards' typical queries on the published serving file."""
    import duckdb

    queries = [
        "select date_day, channel_id, sum(spend_variable_cny) from mart_channel_cost_per_inquiry "
        "where company_id = ? group by all",
        "select channel_id, sum(spend_total_cny), sum(inquiries_valid) from mart_channel_cost_per_inquiry "
        "where company_id = ? and date_day >= current_date - 31 group by all",
        "select * from mart_inquiry_funnel_monthly where company_id = ?",
        "select * from mart_product_margin where company_id = ? order by gross_profit_cny desc limit 50",
    ]
    timings: list[float] = []
    with duckdb.connect(str(settings.serving_current), read_only=True) as con:
        for query in queries:
            for i in range(repeats):
                began = time.perf_counter()
                try:
                    con.execute(query, [companies[i % len(companies)]]).fetchall()
                except duckdb.Error:
                    break  # a column another engineer renamed: the query is skipped, not timed
                timings.append((time.perf_counter() - began) * 1000)
    if not timings:
        return {"queries": 0, "p50_ms": float("nan"), "p95_ms": float("nan")}
    ordered = sorted(timings)
    return {
        "queries": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
    }


def run_bench(companies: int, rows: int, workdir: Path | None) -> dict[str, Any]:
    """Generate, import and run the scale dataset; return every figure for the report."""
    from xunpan.bench_data import ScalePlan, write_backfill, write_next_day
    from xunpan.config import BUSINESS_TZ
    from xunpan.demo.generator import DEFAULT_SEED, simulate_companies, write_companies
    from xunpan.demo.profile import FULL
    from xunpan.landing import ensure_raw_layout

    today = dt.datetime.now(BUSINESS_TZ).date()
    next_day = today - dt.timedelta(days=1)
    last_day = next_day - dt.timedelta(days=1)
    names = tuple(f"scale{i + 1:02d}" for i in range(companies))
    plan = ScalePlan(names, rows, last_day)
    figures: dict[str, Any] = {"companies": companies, "rows_per_company": rows, "plan": plan}

    with _home(workdir) as root:
        settings = Settings.from_env(home=root / "home")
        settings.ensure_dirs()
        ensure_raw_layout(settings)
        exports = root / "exports"

        began = time.perf_counter()
        worlds = simulate_companies(list(names), 12, DEFAULT_SEED, last_day, FULL)
        demo_files = write_companies(settings.inbox, worlds)
        scale_files = write_backfill(exports, plan)
        figures["generate_s"] = time.perf_counter() - began
        figures["demo_files"] = len(demo_files)
        figures["scale_mb"] = sum(p.stat().st_size for p in scale_files) / 1e6

        first = _phase(
            settings, "first full run", scale_files, names, root, plan, last_day, "bench-first", False
        )
        day_files = write_next_day(exports, plan)
        nxt = _phase(settings, "next day's run", day_files, names, root, plan, next_day, "bench-next", True)
        figures["charts"] = _chart_queries(settings, names)
        # The same run again with nothing new: what a daily run costs whatever the data (the floor).
        floor = Phase("nothing new (the floor)")
        _run_steps(settings, floor, next_day, "bench-floor")
        figures["phases"] = [first, nxt, floor]
    return figures


def _phase(
    settings: Settings,
    title: str,
    files: list[Path],
    names: tuple[str, ...],
    root: Path,
    plan: Any,
    through: dt.date,
    run_id: str,
    restated: bool,
) -> Phase:
    """Import the files (each company's from its folder), run the pipeline through `through`, check totals.

    The first full run loads the backfill; the next day's run loads one more day and restated days.
    """
    from xunpan.landing import import_files

    phase = Phase(title, files=len(files))
    phase.transcode_s, phase.reference_s, _ = plain_sql_aggregate(files, root / "plain")
    phase.steps["import"], results = _timed(
        lambda: [
            r
            for c in names
            for r in import_files(settings, [p for p in files if p.parent.name == c], company=c)
        ]
    )
    refused = [r.describe() for r in results if not r.accepted]
    if refused:
        raise click.ClickException("bench inputs were refused:\n" + "\n".join(refused[:3]))
    phase.rows = sum(r.rows for r in results)
    _run_steps(settings, phase, through, run_id)
    phase.notes.append(_check(settings, plan, through, restated))
    return phase


def _check(settings: Settings, plan: Any, through: dt.date, restated: bool) -> str:
    """Whether the warehouse's counted scale spend equals the generator's own totals to the cent."""
    built = _scale_spend(settings, "%-scale-%")
    expected = _expected(plan, through, restated)
    return "totals exact" if built == expected else f"TOTALS DIFFER: built {built} expected {expected}"


# --- the report ----------------------------------------------------------------------------------


def _s(value: float) -> str:
    return f"{value:.1f}"


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.1f}×" if reference > 0 else "n/a"


def _verdict(holds: bool) -> str:
    return "holds" if holds else "**does not hold**"


def write_report(out: Path, figures: dict[str, Any], load_before: float) -> str:
    first, nxt, floor = figures["phases"]
    reference = first.transcode_s + first.reference_s
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`xunpan bench --companies {figures['companies']} --rows "
        f"{figures['rows_per_company']}`) on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average before the run "
        f"{load_before:.2f}. One run; steps are called directly (no Airflow overhead).",
        "",
        f"Data: the 12-month demo dataset of {figures['companies']} compan"
        f"{'y' if figures['companies'] == 1 else 'ies'} ({figures['demo_files']} files) plus a year of "
        f"keyword-level spend, {figures['rows_per_company']:,} rows per company, as monthly Baidu "
        f"(GBK), Sogou (GBK) and 360 (UTF-8) keyword exports ({first.files} files, "
        f"{figures['scale_mb']:.0f} MB; generated in {_s(figures['generate_s'])} s). The next day "
        f"brings one daily export per platform and company plus Baidu's restated export of the day "
        f"before ({nxt.files} files).",
        "",
        "Plain SQL is the reference for each phase: the same keyword files transcoded to UTF-8 in "
        "Python (DuckDB's reader has no GBK) and read by DuckDB's CSV reader, aggregated to day × "
        "channel. Ratio = the step ÷ that reference.",
        "",
        "| phase | keyword rows | step | seconds | plain SQL s (transcode + read/aggregate) | ratio |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for phase in (first, nxt, floor):
        ref = phase.transcode_s + phase.reference_s
        for step, seconds in phase.steps.items():
            lines.append(
                f"| {phase.name} | {phase.rows:,} | {step} | {_s(seconds)} "
                f"| {ref:.2f} ({phase.transcode_s:.2f} + {phase.reference_s:.2f}) | {_ratio(seconds, ref)} |"
            )
        lines.append(
            f"| {phase.name} | {phase.rows:,} | **run** (ingest + dbt + gate + publish) | "
            f"**{_s(phase.run_s)}** | {ref:.2f} | {_ratio(phase.run_s, ref)} |"
        )
    charts = figures["charts"]
    import_ratio = first.steps["import"] / reference if reference else float("inf")
    dbt_ratio = first.steps["dbt build"] / reference if reference else float("inf")
    next_ratio = nxt.run_s / first.run_s if first.run_s else float("inf")
    lines += [
        "",
        f"Checks: first run {first.notes[0]}; next day {nxt.notes[0]} (the warehouse's counted "
        "keyword spend against the generator's own totals, to the cent).",
        "",
        "## Goals (issue 12)",
        "",
        "| goal | measured | verdict |",
        "|---|---|---|",
        f"| import ≤ {GOAL_IMPORT_VS_READER:g}× DuckDB's reader on the same files | {import_ratio:.1f}× "
        f"| {_verdict(import_ratio <= GOAL_IMPORT_VS_READER)} |",
        f"| next day's run ≤ {GOAL_NEXT_DAY_VS_FULL:g}× the first full run | {next_ratio:.2f}× "
        f"({_s(nxt.run_s)} s vs {_s(first.run_s)} s) | {_verdict(next_ratio <= GOAL_NEXT_DAY_VS_FULL)} |",
        f"| dbt build ≤ {GOAL_DBT_VS_SQL:g}× the plain-SQL aggregate | {dbt_ratio:.1f}× "
        f"| {_verdict(dbt_ratio <= GOAL_DBT_VS_SQL)} |",
        f"| one new day on a year of {figures['rows_per_company']:,} rows under {GOAL_NEXT_DAY_RUN_S:g} s "
        f"| {_s(nxt.run_s)} s (steps; `xunpan run` adds Airflow's own start-up) "
        f"| {_verdict(nxt.run_s < GOAL_NEXT_DAY_RUN_S)} |",
        f"| chart queries on the serving file p95 < {GOAL_CHART_P95_MS:g} ms | p95 {charts['p95_ms']:.1f} ms, "
        f"p50 {charts['p50_ms']:.1f} ms over {charts['queries']} queries "
        f"| {_verdict(charts['p95_ms'] < GOAL_CHART_P95_MS)} |",
        "",
        "## Where the time goes",
        "",
        "dbt's own figures (run_results.json): the step's seconds include starting dbt and reading "
        "the project; `dbt run` is dbt's time running nodes on its threads; node seconds add up every "
        "node's time.",
        "",
        "| phase | dbt step s | dbt run s | nodes | node s | slowest nodes (s) | gate: rows checked one by one of "
        "| publish: rows written of |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for phase in (first, nxt, floor):
        slowest = ", ".join(f"{name} {seconds:.1f}" for name, seconds in phase.dbt_slowest)
        lines.append(
            f"| {phase.name} | {_s(phase.steps['dbt build'])} | {_s(phase.dbt_elapsed_s)} | {phase.dbt_nodes} "
            f"| {_s(phase.dbt_node_s)} | {slowest} | {phase.checked_rows:,} of {phase.gated_rows:,} "
            f"| {phase.written_rows:,} of {phase.published_rows:,} |"
        )
    lines += [
        "",
        f"A run with nothing new takes {_s(floor.run_s)} s ({_s(floor.steps['dbt build'])} s of it dbt's, "
        f"{floor.dbt_nodes} nodes): the daily run's floor. Every model and data test is a node that dbt "
        "starts, compiles and runs however few rows it touches, dbt takes seconds to start and read "
        "the project, and the models not built incrementally (the slowest nodes above) still read "
        f"the whole history. The next day's run is {_s(nxt.run_s - floor.run_s)} s above it.",
        "",
        f"The quality gate checked {nxt.checked_rows:,} of the gated marts' {nxt.gated_rows:,} rows one "
        "by one on the next day (the days that differ from what is published) and every row in "
        "aggregate by SQL; its seconds are mostly Great Expectations' fixed cost per suite (two per "
        "gated mart) and its Data Docs pages.",
        "",
    ]
    text = "\n".join(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return text


@click.command("bench")
@click.option("--companies", type=click.IntRange(1, 50), default=1, show_default=True, help="Companies.")
@click.option(
    "--rows",
    type=click.IntRange(1000),
    default=2_000_000,
    show_default=True,
    help="Keyword rows per company over the year.",
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs/benchmarks.md"), show_default=True)
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep the generated installation here (default: a temporary folder, removed afterwards).",
)
def bench_command(companies: int, rows: int, out: Path, workdir: Path | None) -> None:
    """Time import and the daily pipeline at realistic size beside plain DuckDB SQL; write the table."""
    load_before = os.getloadavg()[0]
    figures = run_bench(companies, rows, workdir)
    click.echo(write_report(out, figures, load_before))
    click.echo(f"wrote {out}")
