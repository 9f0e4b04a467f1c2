"""The dashboards as code: superset/assets/ rendered into an import bundle for this installation.

The YAML files are in Superset's import format (metadata.yaml, databases/, datasets/, charts/,
dashboards/), keyed by stable UUIDs. Only the database file carries a placeholder,
`${XUNPAN_SERVING_URI}`, filled in at setup with the URI of the published serving database.
"""

from __future__ import annotations

import string
import zipfile
from pathlib import Path

import yaml

from xunpan.config import Settings
from xunpan.dashboards.query_context import with_query_context
from xunpan.errors import XunpanError

ASSET_FOLDERS = ("databases", "datasets", "charts", "dashboards")


def assets_dir(settings: Settings) -> Path:
    return settings.repo / "superset" / "assets"


def serving_uri(settings: Settings) -> str:
    """SQLAlchemy URI of the published serving DuckDB file (the symlink publish repoints)."""
    return f"duckdb:///{settings.serving_current}"


def asset_files(settings: Settings) -> list[Path]:
    root = assets_dir(settings)
    files = [root / "metadata.yaml"]
    for folder in ASSET_FOLDERS:
        files += sorted((root / folder).rglob("*.yaml"))
    missing = [p for p in files if not p.is_file()]
    if missing or len(files) == 1:
        raise XunpanError(f"{root}: the Superset assets are incomplete (missing: {missing or ASSET_FOLDERS})")
    return files


def render_bundle(settings: Settings, dest: Path, uri: str | None = None) -> Path:
    """Write the assets, with the serving database URI filled in, as an import zip at `dest`."""
    values = {"XUNPAN_SERVING_URI": uri or serving_uri(settings)}
    root = assets_dir(settings)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in asset_files(settings):
            text = path.read_text(encoding="utf-8")
            try:
                text = string.Template(text).substitute(values)
            except (KeyError, ValueError) as exc:
                raise XunpanError(f"{path}: unknown placeholder {exc} (known: {sorted(values)})") from exc
            if path.relative_to(root).parts[0] == "charts":
                text = chart_with_query_context(path, text)
            bundle.writestr(f"xunpan_assets/{path.relative_to(root).as_posix()}", text)
    return dest


def chart_with_query_context(path: Path, text: str) -> str:
    """The chart file's text, with a query context generated from its params if it has none.

    Without a saved query context the chart-data API, CSV/text reports and thumbnails refuse the
    chart (see xunpan.dashboards.query_context).
    """
    chart = yaml.safe_load(text)
    if chart.get("query_context"):
        return text
    try:
        return yaml.safe_dump(with_query_context(chart), allow_unicode=True, sort_keys=False)
    except XunpanError as exc:
        raise XunpanError(f"{path}: {exc}") from exc
