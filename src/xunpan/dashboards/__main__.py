"""`python -m xunpan.dashboards setup|start|stop|check`: Superset by hand, and for scripts.

`check` runs the headless-browser check against a running Superset and exits non-zero when a
chart shows an error or no data; the login comes from the generated secrets file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xunpan.config import Settings
from xunpan.dashboards.browser import browser_check
from xunpan.dashboards.server import (
    DEFAULT_PORT,
    serve_dashboards,
    setup_superset,
    stop_superset,
    superset_url,
)
from xunpan.errors import XunpanError
from xunpan.secrets import ensure_secrets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xunpan.dashboards", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="upgrade metadata, admin user, import superset/assets (idempotent)")
    start = sub.add_parser("start", help="setup, then start the web server in the background")
    start.add_argument("--port", type=int, default=DEFAULT_PORT)
    sub.add_parser("stop", help="stop the web server and its workers")
    check = sub.add_parser("check", help="open every dashboard in headless Chromium")
    check.add_argument("--url", default=superset_url(DEFAULT_PORT))
    check.add_argument(
        "--artifacts",
        type=Path,
        default=None,
        help="screenshots and report.json (default: <repo>/artifacts/superset)",
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command == "setup":
            setup_superset(settings)
            print("Superset is set up.")
        elif args.command == "start":
            print(f"Superset: {serve_dashboards(settings, port=args.port)}")
        elif args.command == "stop":
            print("Superset stopped." if stop_superset(settings) else "Superset was not running.")
        else:
            secrets = ensure_secrets(settings)
            artifacts = args.artifacts or settings.repo / "artifacts" / "superset"
            report = browser_check(
                args.url, secrets["SUPERSET_ADMIN_USER"], secrets["SUPERSET_ADMIN_PASSWORD"], artifacts
            )
            print(report.summary())
            return 0 if report.ok else 1
    except XunpanError as exc:
        print(f"xunpan: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
