"""Benchmark input: a Baidu keyword report of any size, and the timing of parsing it (`make bench`)."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from xunpan.sources.parse import parse_file

_PREAMBLE = (
    "报告名称：关键词报告\r\n账户：bench-bd\r\n时间范围：2026-01-01至2026-12-31\r\n"
    "数据生成时间：2027-01-01 08:00:00\r\n设备：全部\r\n推广方式：全部\r\n\r\n"
    "日期,账户,推广计划,推广单元,关键词,展现,点击,消费,点击率,平均点击价格\r\n"
)


def write_baidu_keyword_csv(path: Path, rows: int) -> Path:
    """Write a GBK Baidu 推广 keyword report with `rows` data rows spread over 2026 (quirks included:
    quoted thousands separators, "--" CPC on zero clicks, percentages)."""
    start = dt.date(2026, 1, 1)
    days = [(start + dt.timedelta(days=d)).isoformat() for d in range(365)]
    with path.open("wb") as fh:
        fh.write(_PREAMBLE.encode("gbk"))
        chunk: list[str] = []
        for i in range(rows):
            clicks = i % 40
            impressions = 1000 + i % 1000
            cost = clicks * 12 + (i % 100) / 100
            cpc = f"{cost / clicks:.2f}" if clicks else "--"
            # CTR and CPC agree with the measures, as in a real export (the importer checks them).
            chunk.append(
                f'{days[i % 365]},bench-bd,计划{i % 50},单元{i % 500},关键词{i % 20000},"1,{i % 1000:03d}",'
                f"{clicks},{cost:.2f},{clicks / impressions * 100:.2f}%,{cpc}\r\n"
            )
            if len(chunk) == 50_000:
                fh.write("".join(chunk).encode("gbk"))
                chunk = []
        fh.write("".join(chunk).encode("gbk"))
    return path


def bench_import(rows: int = 1_000_000, workdir: Path | None = None) -> dict[str, float]:
    """Generate a `rows`-row keyword report and time its full parse and validation."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = write_baidu_keyword_csv(Path(tmp) / "baidu_keyword_bench.csv", rows)
        began = time.perf_counter()
        parsed = parse_file(path, today=dt.date(2027, 1, 1))
        seconds = time.perf_counter() - began
    return {
        "rows": parsed.rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(parsed.rows / seconds),
    }


if __name__ == "__main__":
    print(bench_import())
