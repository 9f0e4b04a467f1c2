"""The quality gate: Great Expectations audits every published model before publish.

The names below load on first use, so importing the package (or running
`xunpan quality suites`) does not import Great Expectations or pandas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FailedExpectation", "GateResult", "QualityGateFailed", "last_gate", "run_quality_gate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from xunpan.quality import gate

        return getattr(gate, name)
    raise AttributeError(f"module 'xunpan.quality' has no attribute {name!r}")
