"""`python -m xunpan.quality [--date YYYY-MM-DD] [--run-id ID]`: run the gate by hand."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from xunpan.config import Settings
from xunpan.quality.gate import run_quality_gate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xunpan.quality", description=__doc__)
    parser.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="business date of the run (default: today)",
    )
    parser.add_argument("--run-id", default=None, help="default: manual__<now>")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    run_id = args.run_id or f"manual__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    result = run_quality_gate(Settings.from_env(), args.date, run_id)
    print(result.summary())
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
