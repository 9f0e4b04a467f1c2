"""Deterministic demo exports of a B2B valve maker, written in the platforms' real file layouts.

`generate()` writes about a year (the README demo), `generate_small()` two months (end-to-end
tests); `xunpan.demo.cli.demo_command` is the `xunpan demo` command group.
"""

from xunpan.demo.generator import SMALL_END_DATE, generate, generate_small, simulate
from xunpan.demo.statistics import DemoStatistics, statistics

__all__ = ["SMALL_END_DATE", "DemoStatistics", "generate", "generate_small", "simulate", "statistics"]
