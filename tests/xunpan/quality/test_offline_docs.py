"""Making a generated site offline: every CDN address GX writes is replaced by a pinned local copy."""

from __future__ import annotations

from pathlib import Path

from xunpan.quality.offline_docs import (
    CDN_FILES,
    VENDOR_DIR,
    assets_root,
    external_references,
    make_dbt_site_offline,
    rewrite_gx_page,
)

REPO = Path(__file__).resolve().parents[3]


def _page(body: str) -> str:
    head = "".join(
        f'<script src="{url}"></script>\n' if url.endswith(("js", "@5", "@6")) else f'<link href="{url}">\n'
        for url in CDN_FILES
    )
    return f'<html><head>{head}</head><body xmlns:svg="http://www.w3.org/2000/svg">{body}</body></html>'


def test_every_known_cdn_file_has_a_pinned_copy() -> None:
    root = assets_root(REPO)
    assert (REPO / "docs-assets" / "package-lock.json").is_file()
    missing = [relative for relative in set(CDN_FILES.values()) if not (root / relative).is_file()]
    assert missing == []


def test_a_page_is_rewritten_to_local_files_only(tmp_path: Path) -> None:
    body = (
        '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1Z">'
        '<p>Made with <a href="https://greatexpectations.io">Great Expectations</a>.</p>'
        '<script src="https://cdn.example.org/new-library.js"></script>'
        '<footer><p>newsletter <a href="https://greatexpectations.io/newsletter">Subscribe</a></p></footer>'
    )
    page, replaced, removed = rewrite_gx_page(_page(body), "../../")
    assert replaced == len(CDN_FILES) + 1  # every library and the logo
    assert removed == ['<script src="https://cdn.example.org/new-library.js"></script>']
    assert "Made with Great Expectations." in page and "newsletter" not in page
    assert f'"../../{"/".join(VENDOR_DIR)}/jquery/dist/jquery.min.js"' in page
    assert '"../../static/images/logo-long.png"' in page
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    assert external_references(tmp_path) == []  # the SVG namespace is not an address


def test_references_are_told_apart_by_where_they_stand(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text(
        "/* see https://getbootstrap.com */ .x { background: url('https://cdn.example.org/x.png') }",
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text(
        '<p>Read https://docs.getdbt.com/docs/introduction</p><script src="//cdn.example.org/t.js"></script>'
        '<a href="http://127.0.0.1:8088/superset/">local</a>',
        encoding="utf-8",
    )
    found = {(r.file.name, r.url, r.loads) for r in external_references(tmp_path)}
    assert found == {
        ("a.css", "https://getbootstrap.com", False),
        ("a.css", "https://cdn.example.org/x.png", True),
        ("b.html", "https://docs.getdbt.com/docs/introduction", False),
        ("b.html", "//cdn.example.org/t.js", True),
    }


def test_the_dbt_usage_tracker_script_is_made_inert(tmp_path: Path) -> None:
    index = tmp_path / "index.html"
    index.write_text(
        'i.async=1,i.src="//d1fc8wv8zag5ca.cloudfront.net/2.9.0/sp.js",a.parentNode.insertBefore(i,a)',
        encoding="utf-8",
    )
    assert make_dbt_site_offline(index) == 1
    assert index.read_text(encoding="utf-8") == (
        'i.async=1,i.src="data:text/javascript,",a.parentNode.insertBefore(i,a)'
    )
    assert external_references(tmp_path) == []
