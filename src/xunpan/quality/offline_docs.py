"""Data Docs and dbt docs that open without internet: every page loads only files next to it.

Great Expectations renders its Data Docs with styles, scripts and fonts from eight outside hosts
(jsdelivr, cdnjs, code.jquery.com, bootstrapcdn, stackpath, unpkg, an S3 bucket for the logo and
greatexpectations.io for a newsletter footer); many factory intranets reach none of them, and
several are slow from mainland China. Its templates offer no setting for these addresses, so after
each render the pages are rewritten: each known CDN file is replaced by the same library from the
npm packages pinned in `docs-assets/package-lock.json` (installed by `make envs` with `npm ci`),
copied under `<site>/static/vendor/<package>/...`; the S3 logo becomes GX's own bundled logo, the
newsletter footer is removed, and links to other hosts lose their href (their text stays). A
script or stylesheet from a host this module does not know is removed (and logged) rather than
left to load from outside.

The dbt docs site is one self-contained HTML file; the only outside load in it is the usage
tracker (off, since dbt runs with DBT_SEND_ANONYMOUS_USAGE_STATS=false), whose script address is
replaced by an inert `data:` URL so it could not load even if tracking were switched on.

`external_references` lists every http(s):// (and protocol-relative) address left in a site, with
where it stands, so a test can hold the sites to "nothing loads from another host".
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ASSETS_FOLDER = "docs-assets"
VENDOR_DIR = ("static", "vendor")

# CDN address (as GX 1.x's templates write it) -> the file of a pinned npm package that replaces
# it. Versions follow package-lock.json: popper.js 1.14.7 (the lowest bootstrap 4.3.1 accepts)
# stands in for GX's 1.12.9, bootstrap-table 1.19.1's filter-control files for GX's 1.19.0 ones.
CDN_FILES: dict[str, str] = {
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}
# Folders a vendored stylesheet loads relative to itself (font-awesome's ../webfonts/).
CDN_FOLDERS: tuple[str, ...] = ("@fortawesome/fontawesome-free/webfonts",)

# GX's logo is fetched from S3 with a cache-busting query; the same picture ships in its static/.
_S3_LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3[^\"')\s]*/(?:logo-long|full_logo_dark)\.png[^\"')\s]*"
)
_FOOTER = re.compile(r"<footer>.*?</footer>", re.DOTALL)
_EXTERNAL = r"(?:https?:)?//(?!(?:127\.0\.0\.1|localhost)[:/])[^\s\"'<>)]+"
_LINK_TAG = re.compile(
    r"<a\s[^>]*href=\"(?:https?:)?//(?!(?:127\.0\.0\.1|localhost)[:/])[^\"]*\"[^>]*>(.*?)</a>", re.DOTALL
)
_LOADING_TAG = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"" + _EXTERNAL + r"\"[^>]*>(?:\s*</script>)?",
    re.IGNORECASE,
)
_SVG_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# The dbt docs usage tracker's script (loaded only when the manifest allows tracking).
_DBT_TRACKER = re.compile(r"([\"'])//[a-z0-9.-]+\.cloudfront\.net/[^\"']*sp\.js\1")
_INERT_SCRIPT = '"data:text/javascript,"'


@dataclass
class RewriteReport:
    """What making one site offline did."""

    site: Path
    pages: int = 0
    replaced: int = 0
    removed: list[str] | None = None
    assets_missing: bool = False


def assets_root(repo: Path) -> Path:
    """node_modules of the pinned asset packages (`make envs` runs `npm ci` in docs-assets/)."""
    return repo / ASSETS_FOLDER / "node_modules"


def _copy_vendor(source_root: Path, site: Path) -> bool:
    """Copy every vendored file under site/static/vendor; False when the packages are not installed."""
    vendor = site.joinpath(*VENDOR_DIR)
    missing = False
    for relative in sorted(set(CDN_FILES.values())):
        source = source_root / relative
        if not source.is_file():
            missing = True
            continue
        target = vendor / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
    for folder in CDN_FOLDERS:
        source = source_root / folder
        if not source.is_dir():
            missing = True
            continue
        shutil.copytree(source, vendor / folder, dirs_exist_ok=True)
    return not missing


def _prefix(page: Path, site: Path) -> str:
    depth = len(page.relative_to(site).parts) - 1
    return "../" * depth


def rewrite_gx_page(text: str, prefix: str) -> tuple[str, int, list[str]]:
    """One Data Docs page with local assets only; returns (page, replacements, removed tags)."""
    replaced = 0
    for url, relative in CDN_FILES.items():
        count = text.count(f'"{url}"')
        if count:
            text = text.replace(f'"{url}"', f'"{prefix}{"/".join(VENDOR_DIR)}/{relative}"')
            replaced += count
    text, logos = _S3_LOGO.subn(f"{prefix}static/images/logo-long.png", text)
    replaced += logos
    text = _FOOTER.sub("", text)
    text = _LINK_TAG.sub(lambda m: m.group(1), text)
    removed = _LOADING_TAG.findall(text)
    text = _LOADING_TAG.sub("", text)
    return text, replaced, removed


def make_gx_site_offline(site: Path, repo: Path) -> RewriteReport:
    """Rewrite every page and stylesheet of a Data Docs site to load only files inside it."""
    report = RewriteReport(site=site, removed=[])
    report.assets_missing = not _copy_vendor(assets_root(repo), site)
    if report.assets_missing:
        log.warning(
            "%s is incomplete: the Data Docs load no outside files, but lack their styles and scripts "
            "until `make envs` installs them (npm ci in %s/)",
            assets_root(repo),
            ASSETS_FOLDER,
        )
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new, replaced, removed = rewrite_gx_page(text, _prefix(page, site))
        if removed:
            log.warning("%s: removed tags loading from other hosts: %s", page, removed)
            report.removed += removed
        if new != text:
            page.write_text(new, encoding="utf-8")
        report.pages += 1
        report.replaced += replaced
    _rewrite(site / "static" / "styles", "*.css", lambda text: _S3_LOGO.sub("../images/logo-long.png", text))
    # GX's own SVG logos carry their drawing program's address in a comment.
    _rewrite(site / "static" / "images", "*.svg", lambda text: _SVG_COMMENT.sub("", text))
    return report


def _rewrite(folder: Path, pattern: str, change: Callable[[str], str]) -> None:
    """Apply `change` to the text of every file of `folder` matching `pattern`; write only what changed."""
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        new = change(text)
        if new != text:
            path.write_text(new, encoding="utf-8")


def make_dbt_site_offline(index: Path) -> int:
    """Neutralise the usage tracker's script address in dbt's static docs page; returns how many."""
    text = index.read_text(encoding="utf-8")
    new, count = _DBT_TRACKER.subn(_INERT_SCRIPT, text)
    if count:
        index.write_text(new, encoding="utf-8")
    return count


# --- what is left: every outside address in a generated site ----------------------------------

_URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?[^\s\"'<>)\\]*")
# XML namespace names identify a vocabulary; nothing is fetched from them.
NAMESPACES = (
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/1998/Math/MathML",
)
_LOAD_BEFORE = re.compile(
    r"(?:\bsrc\s*=\s*|\bhref\s*=\s*|url\(\s*|@import\s+|\.src\s*=\s*)[\"']?$", re.IGNORECASE
)
_LOCAL_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class ExternalReference:
    """An address of another host in a generated file; `loads` when it stands where a page fetches it."""

    file: Path
    offset: int
    url: str
    loads: bool
    context: str

    def __str__(self) -> str:
        kind = "LOADS" if self.loads else "text"
        return f"{self.file}@{self.offset}: {kind} {self.url} … {self.context!r}"


def _host(url: str) -> str:
    return url.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0].lower()


def external_references(
    site: Path, suffixes: tuple[str, ...] = (".html", ".css", ".js", ".svg", ".json")
) -> list[ExternalReference]:
    """Every address of another host in the site's text files, classified as loading or not.

    A protocol-relative `//host/...` counts only where it is loaded (in the middle of prose or
    code, `//` is a comment or a path). Loopback hosts and XML namespace names are not listed.
    """
    found: list[ExternalReference] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in suffixes):
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in _URL.finditer(text):
            url = match.group(0)
            if _host(url) in _LOCAL_HOSTS or any(url.startswith(ns) for ns in NAMESPACES):
                continue
            before = text[max(0, match.start() - 12) : match.start()]
            loads = bool(_LOAD_BEFORE.search(before))
            if url.startswith("//") and not loads:
                continue
            context = text[max(0, match.start() - 60) : match.end() + 20].replace("\n", " ")
            found.append(ExternalReference(path, match.start(), url, loads, context))
    return found
