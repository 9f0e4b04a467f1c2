"""Superset for xunpan: setup from superset/assets/, server control and the browser check."""

from xunpan.dashboards.browser import BrowserReport, ChartResult, browser_check
from xunpan.dashboards.server import (
    setup_superset,
    start_superset,
    stop_superset,
    superset_env,
    superset_server_argv,
)

__all__ = [
    "BrowserReport",
    "ChartResult",
    "browser_check",
    "setup_superset",
    "start_superset",
    "stop_superset",
    "superset_env",
    "superset_server_argv",
]
