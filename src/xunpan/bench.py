"""`make bench`: measure import and pipeline speed on this machine and write docs/benchmarks.md.

Speed is measured here, never asserted in tests. Each figure is one run in a fresh temporary
XUNPAN_HOME; the machine's core count and load are recorded beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from xunpan.config import Settings


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def bench_keyword_import(rows: int) -> dict[str, Any]:
    """Validate (`xunpan import`) and land (ingest to raw Parquet) a `rows`-row Baidu keyword report."""
    from xunpan.landing import ensure_raw_layout, import_files, ingest_inbox
    from xunpan.sources.bench import write_baidu_keyword_csv

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(home=Path(tmp) / "home")
        settings.ensure_dirs()
        ensure_raw_layout(settings)
        source = write_baidu_keyword_csv(Path(tmp) / "baidu_keyword_bench.csv", rows)
        size_mb = source.stat().st_size / 1e6
        # The generated report's dates lie in 2026; pretend "today" is after them.
        validate_s, results = _timed(lambda: import_files(settings, [source], today=date(2027, 1, 1)))
        ingest_s, report = _timed(lambda: ingest_inbox(settings, today=date(2027, 1, 1)))
        loaded_rows = sum(item["rows"] for item in report.as_dict()["loaded"])
    return {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "validate_s": round(validate_s, 2),
        "ingest_s": round(ingest_s, 2),
        "loaded_rows": loaded_rows,
        "rows_per_s": round(rows / (validate_s + ingest_s)),
        "accepted": all(r.accepted for r in results),
    }


def bench_demo_pipeline(months: int) -> dict[str, Any]:
    """Generate `months` of demo exports and time each pipeline step without Airflow's overhead."""
    from xunpan.demo import generate
    from xunpan.pipeline import step_audit, step_build, step_ingest, step_publish

    end = date.today() - timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(home=Path(tmp) / "home")
        os.environ["XUNPAN_HOME"] = str(settings.home)
        settings.ensure_dirs()
        figures: dict[str, Any] = {"months": months}
        figures["generate_s"], files = _timed(lambda: generate(settings.inbox, months=months, end_date=end))
        figures["files"] = len(files)
        figures["ingest_s"], ingested = _timed(lambda: step_ingest(settings, "bench"))
        figures["raw_rows"] = sum(item["rows"] for item in ingested["loaded"])
        figures["dbt_build_s"], _ = _timed(lambda: step_build(settings, "bench"))
        figures["quality_gate_s"], _ = _timed(lambda: step_audit(settings, end, "bench"))
        figures["publish_s"], _ = _timed(lambda: step_publish(settings, "bench"))
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}


def write_report(out: Path, keyword: dict[str, Any], pipeline: dict[str, Any]) -> None:
    load = os.getloadavg()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average before the run {load[0]:.2f}. One run each.",
        "",
        "## Importing a Baidu keyword report (GBK CSV, preamble, thousands separators)",
        "",
        "| rows | file MB | validate (`xunpan import`) s | ingest to raw Parquet s | rows/s overall |",
        "|---:|---:|---:|---:|---:|",
        f"| {keyword['rows']:,} | {keyword['file_mb']} | {keyword['validate_s']} | {keyword['ingest_s']} "
        f"| {keyword['rows_per_s']:,} |",
        "",
        "## The daily pipeline on the demo dataset (steps called directly, no Airflow overhead)",
        "",
        "| months | files | raw rows | generate s | ingest s | dbt build s | quality gate s | publish s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {pipeline['months']} | {pipeline['files']} | {pipeline['raw_rows']:,} | {pipeline['generate_s']} "
        f"| {pipeline['ingest_s']} | {pipeline['dbt_build_s']} | {pipeline['quality_gate_s']} "
        f"| {pipeline['publish_s']} |",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    keyword = bench_keyword_import(args.rows)
    print("keyword import:", keyword, flush=True)
    pipeline = bench_demo_pipeline(args.months)
    print("demo pipeline:", pipeline, flush=True)
    write_report(args.out, keyword, pipeline)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
