"""Issue 10: the reports users actually export — custom columns, every report level, taught layouts,
and the sources added with it (.xls, HC360, GA4, 1688 生意参谋). Every total is worked out by hand in
tests/fixtures/make_fixtures.py next to the file it checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from xunpan.errors import InputRejected
from xunpan.sources import parse_file
from xunpan.sources.ad_spend import DIALECTS, VOCAB, report_level
from xunpan.sources.layout import norm_header

INPUTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs"
VARIANTS = INPUTS / "variants"
TAUGHT = VARIANTS / "layouts"
NONE = Path("/nonexistent-xunpan-layouts")
TODAY = dt.date(2026, 11, 20)


def parse(path: Path, layouts: Path = NONE, **kw: object):
    return parse_file(path, today=TODAY, company_id="acme", layouts_dir=layouts, **kw)


# file, layout, platform, level, rows, first, last, totals
GOOD = [
    ("sogou_campaign_202610.csv", "sogou_campaign", "sogou", "campaign", 4, "2026-10-05", "2026-10-06",
     {"cost": {"CNY": "405.50"}, "clicks": 50, "impressions": None}),
    ("sogou_keyword_202610.csv", "sogou_keyword", "sogou", "keyword", 2, "2026-10-05", "2026-10-05",
     {"cost": {"CNY": "152.00"}, "clicks": 24, "impressions": 1500}),
    ("so360_campaign_202610.csv", "so360_campaign", "so360", "campaign", 3, "2026-10-05", "2026-10-06",
     {"cost": {"CNY": "276.60"}, "clicks": 32, "impressions": 4000}),
    ("so360_account_202610.csv", "so360_account", "so360", "account", 1, "2026-10-05", "2026-10-05",
     {"cost": {"CNY": "240.00"}, "clicks": 30, "impressions": 3000}),
    ("shenma_campaign_202610.csv", "shenma_campaign", "shenma", "campaign", 2, "2026-10-05", "2026-10-06",
     {"cost": {"CNY": "75.80"}, "clicks": 16, "impressions": 1400}),
    ("shenma_account_202610.csv", "shenma_account", "shenma", "account", 2, "2026-10-05", "2026-10-06",
     {"cost": {"CNY": "115.50"}, "clicks": 21, "impressions": 1900}),
    ("baidu_keyword_reordered_202610.csv", "baidu_search_keyword", "baidu_search", "keyword", 3, "2026-10-05",
     "2026-10-06", {"cost": {"CNY": "1170.00"}, "clicks": 36, "impressions": 1680}),
    ("baidu_campaign_202610.xls", "baidu_search_campaign", "baidu_search", "campaign", 2, "2026-10-05",
     "2026-10-06", {"cost": {"CNY": "1170.00"}, "clicks": 36, "impressions": 1680}),
    ("baidu_account_minimal_202610.csv", "baidu_search_account", "baidu_search", "account", 3, "2026-10-05",
     "2026-10-07", {"cost": {"CNY": "2180.40"}, "clicks": None, "impressions": None}),
    ("google_ads_keyword_totals_202610.csv", "google_ads_keyword", "google_ads", "keyword", 3, "2026-10-05",
     "2026-10-06", {"cost": {"USD": "64.70"}, "clicks": 41, "impressions": 2000}),
    ("google_ads_campaign_202610.csv", "google_ads_campaign", "google_ads", "campaign", 2, "2026-10-05",
     "2026-10-06", {"cost": {"USD": "79.00"}, "clicks": 50, "impressions": 2200}),
    ("alibaba_p4p_no_account_202610.csv", "alibaba_p4p_keyword", "alibaba_p4p", "keyword", 2, "2026-10-05",
     "2026-10-06", {"cost": {"CNY": "107.50"}, "clicks": 35, "impressions": 4000}),
    ("1688_p4p_campaign_202610.csv", "alibaba_1688_p4p_campaign", "alibaba_1688_p4p", "campaign", 1,
     "2026-10-05", "2026-10-05", {"cost": {"CNY": "96.00"}, "clicks": 32, "impressions": 1600}),
    ("hc360_traffic_202610.csv", "hc360", "hc360", None, 2, "2026-10-05", "2026-10-06",
     {"exposures": 2100, "visitors": 75, "clicks": 100, "inquiries_reported": 3, "tm_consultations": None}),
    ("1688_shengyicanmou_202610.csv", "alibaba_1688_traffic", "alibaba_1688", None, 2, "2026-10-05",
     "2026-10-06",
     {"exposures": 5000, "visitors": 130, "clicks": 240, "inquiries_reported": 3, "tm_consultations": 8}),
    ("ga4_source_medium_202610.csv", "google_analytics4", "google_analytics", None, 3, "2026-10-05",
     "2026-10-06", {"sessions": 220, "visitors": 185, "pageviews": 500, "conversions": 5}),
    ("ga4_channel_group_202610.csv", "google_analytics4", "google_analytics", None, 2, "2026-10-05",
     "2026-10-05", {"sessions": 200, "visitors": 165, "pageviews": None, "conversions": 5}),
]  # fmt: skip


def test_at_least_fifteen_new_real_layout_variants() -> None:
    files = {g[0] for g in GOOD} | {"sogou_custom_202610.csv"}
    assert len(files) >= 15
    assert files == {p.name for p in VARIANTS.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("name", "layout", "platform", "level", "rows", "first", "last", "totals"), GOOD, ids=[g[0] for g in GOOD]
)
def test_variant_imports_with_its_hand_checked_totals(
    name: str,
    layout: str,
    platform: str,
    level: str | None,
    rows: int,
    first: str,
    last: str,
    totals: dict[str, object],
) -> None:
    parsed = parse(VARIANTS / name)
    assert (parsed.layout, parsed.rows) == (layout, rows)
    assert (parsed.date_min.isoformat(), parsed.date_max.isoformat()) == (first, last)
    assert parsed.totals == totals
    assert parsed.unknown_columns == []
    constant = "tool" if parsed.kind == "web_traffic" else "platform"
    assert set(parsed.table.column(constant).to_pylist()) == {platform}
    if level is not None:
        assert set(parsed.table.column("report_level").to_pylist()) == {level}


def test_sogou_campaign_report_from_the_issue() -> None:
    parsed = parse(VARIANTS / "sogou_campaign_202610.csv")
    assert parsed.warnings == ["skipped totals row(s) at row 2"]
    first = parsed.table.slice(0, 1).to_pylist()[0]
    assert (first["account"], first["campaign"], str(first["cost"]), first["clicks"]) == (
        "阀门旗舰店",
        "阀门-通用词",
        "53.66",
        8,
    )
    # No impressions column: unknown, not zero.
    assert first["impressions"] is None
    assert ("点击均价", "_cpc", "validated, not stored") in parsed.columns


def test_a_report_without_an_account_lands_with_account_null() -> None:
    parsed = parse(VARIANTS / "alibaba_p4p_no_account_202610.csv")
    assert parsed.table.column("account").to_pylist() == [None, None]
    assert parsed.partitions() == {"alibaba_p4p|": ["2026-10-05", "2026-10-06"]}


def test_account_comes_from_the_account_line_when_the_column_was_left_out() -> None:
    parsed = parse(VARIANTS / "baidu_keyword_reordered_202610.csv")
    rows = parsed.table.to_pylist()
    assert {r["account"] for r in rows} == {"acme-bd"}
    first = rows[0]
    assert (first["keyword"], first["campaign"], first["source_row"]) == (
        "数控机床厂家",
        "数控机床",
        6,
    )


def test_campaign_and_keyword_reports_of_the_same_days_keep_their_levels() -> None:
    """The same account and days at two levels: same spend, told apart by report_level (the mart's
    grain-of-record rule picks one, so they are never summed)."""
    campaign = parse(VARIANTS / "baidu_campaign_202610.xls")
    keyword = parse(VARIANTS / "baidu_keyword_reordered_202610.csv")
    assert campaign.container == "xls"
    assert campaign.totals == keyword.totals
    assert (
        campaign.partitions()
        == keyword.partitions()
        == {"baidu_search|acme-bd": ["2026-10-05", "2026-10-06"]}
    )
    assert set(campaign.table.column("report_level").to_pylist()) == {"campaign"}
    assert set(keyword.table.column("report_level").to_pylist()) == {"keyword"}


def test_google_ads_total_rows_are_totals_not_data() -> None:
    parsed = parse(VARIANTS / "google_ads_keyword_totals_202610.csv")
    assert parsed.warnings == ["skipped totals row(s) at row 7, 8"]
    assert parsed.table.column("source_row").to_pylist() == [4, 5, 6]
    assert set(parsed.table.column("currency").to_pylist()) == {"USD"}


def test_ga4_source_medium_is_split_and_channel_group_is_the_medium() -> None:
    table = parse(VARIANTS / "ga4_source_medium_202610.csv").table
    assert list(zip(table.column("source").to_pylist(), table.column("medium").to_pylist(), strict=True)) == [
        ("google", "organic"),
        ("google", "cpc"),
        ("(direct)", "(none)"),
    ]
    channels = parse(VARIANTS / "ga4_channel_group_202610.csv").table
    assert channels.column("medium").to_pylist() == ["Organic Search", "Direct"]
    assert channels.column("source").to_pylist() == [None, None]


def test_report_level_follows_the_finest_dimension() -> None:
    assert report_level({"spend_date", "account", "cost"}) == "account"
    assert report_level({"account", "campaign"}) == "campaign"
    assert report_level({"campaign", "ad_group"}) == "ad_group"
    assert report_level({"campaign", "ad_group", "keyword"}) == "keyword"
    assert report_level({"keyword", "search_term"}) == "search_term"
    assert report_level({"campaign", "region"}) == "region"
    assert report_level({"account", "hour"}) == "hourly"


# Every engine at every level it documents: built from the sample header `xunpan layouts` shows, two
# rows each: 1,000 + 500 impressions, 10 + 5 clicks, 100.00 + 50.50 spend.
_VALUES = {
    "spend_date": ("2026-10-05", "2026-10-06"),
    "hour": ("9", "10"),
    "account": ("acme", "acme"),
    "campaign": ("c1", "c1"),
    "ad_group": ("g1", "g1"),
    "keyword": ("k1", "k2"),
    "search_term": ("s1", "s2"),
    "region": ("广东", "浙江"),
    "region_city": ("深圳", "杭州"),
    "impressions": ("1000", "500"),
    "clicks": ("10", "5"),
    "cost": ("100.00", "50.50"),
    "currency": ("USD", "USD"),
    "_ctr": ("1.00%", "1.00%"),
    "_cpc": ("10.00", "10.10"),
}
SAMPLES = [(d, level, header) for d in DIALECTS for level, header in d.samples.items()]


@pytest.mark.parametrize(
    ("dialect", "level", "header"), SAMPLES, ids=[f"{d.name}-{lv}" for d, lv, _ in SAMPLES]
)
def test_every_engine_at_every_level(dialect, level: str, header: str, tmp_path: Path) -> None:
    synonyms = VOCAB.synonyms()
    cells = header.split(",")
    rows = [
        ",".join(_VALUES.get(synonyms.get(norm_header(c), ""), ("x", "x"))[i] for c in cells) for i in (0, 1)
    ]
    path = tmp_path / f"{dialect.name}_{level}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    parsed = parse(path)
    assert parsed.layout == f"{dialect.name}_{level}"
    assert set(parsed.table.column("platform").to_pylist()) == {dialect.value}
    assert set(parsed.table.column("report_level").to_pylist()) == {level}
    currency = "USD" if dialect.name == "google_ads" else "CNY"
    assert parsed.totals["cost"] == {currency: "150.50"}
    if "clicks" in {synonyms.get(norm_header(c)) for c in cells}:
        assert parsed.totals["clicks"] == 15


def test_all_engines_have_account_campaign_and_keyword_samples() -> None:
    for d in DIALECTS:
        if d.name != "baidu_feed":  # 信息流 has no keywords: it targets audiences
            assert {"account", "campaign", "keyword"} <= set(d.samples), d.name


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_derived_cpc_within_rounding_is_accepted_and_beyond_it_refused(tmp_path: Path) -> None:
    # 53.66 / 8 = 6.7075: shown as 6.71 (or 6.70 by truncation) it is within half a cent of 6.7075.
    ok = _write(tmp_path, "sogou_ok.csv", ["时间,账户,消耗,点击数,点击均价", "2026-10-05,a,53.66,8,6.71"])
    assert parse(ok).rows == 1
    bad = _write(tmp_path, "sogou_bad.csv", ["时间,账户,消耗,点击数,点击均价", "2026-10-05,a,53.66,8,6.72"])
    with pytest.raises(InputRejected) as caught:
        parse(bad)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "点击均价", "6.72")
    assert "消耗 / 点击数" in problem.expected


def test_a_platform_option_that_contradicts_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="--platform so360 contradicts the header's column names"):
        parse(VARIANTS / "sogou_campaign_202610.csv", platform="so360")
    # Agreeing with the file is fine.
    assert parse(VARIANTS / "sogou_campaign_202610.csv", platform="sogou").layout == "sogou_campaign"


def test_the_platform_option_settles_a_header_two_vendors_write(tmp_path: Path) -> None:
    path = _write(tmp_path, "export.csv", ["日期,推广计划,花费(元)", "2026-10-05,机床,12.00"])
    with pytest.raises(InputRejected, match="cannot tell which platform wrote this ad_spend report"):
        parse(path)
    parsed = parse(path, platform="alibaba_1688_p4p")
    assert (parsed.layout, parsed.platform_source) == ("alibaba_1688_p4p_campaign", "--platform")


def test_an_unknown_platform_option_is_refused_not_invented() -> None:
    with pytest.raises(InputRejected, match="--platform sougou is not a platform of ad_spend reports"):
        parse(VARIANTS / "baidu_account_minimal_202610.csv", platform="sougou")


def test_title_line_then_file_name_name_the_platform(tmp_path: Path) -> None:
    lines = ["日期,推广计划,花费(元)", "2026-10-05,机床,12.00"]
    titled = _write(tmp_path, "export.csv", ["1688 直通车 计划报告", *lines])
    assert parse(titled).platform_source == "the title lines above the header"
    named = _write(tmp_path, "1688_plan.csv", lines)
    parsed = parse(named)
    assert (parsed.layout, parsed.platform_source) == ("alibaba_1688_p4p_campaign", "the file name")


def test_ambiguous_baidu_account_report_defaults_to_baidu_search(tmp_path: Path) -> None:
    path = _write(tmp_path, "account.csv", ["日期,账户,消费", "2026-10-05,a,1.00"])
    assert parse(path).layout == "baidu_search_account"


# --- taught layouts -----------------------------------------------------------------------------


def test_taught_layout_is_refused_untaught_and_accepted_taught() -> None:
    with pytest.raises(InputRejected) as caught:
        parse(VARIANTS / "sogou_custom_202610.csv")
    assert "XUNPAN_HOME/layouts/" in caught.value.reason
    parsed = parse(VARIANTS / "sogou_custom_202610.csv", TAUGHT)
    assert (parsed.layout, parsed.totals["cost"]) == ("sogou_custom", {"CNY": "103.00"})
    assert parsed.platform_source.startswith("layout file ")
    assert ("花费金额", "cost", "stored") in parsed.columns


def test_the_printed_skeleton_filled_in_teaches_the_layout(tmp_path: Path) -> None:
    path = _write(tmp_path, "mine.csv", ["统计日,账户,展示数,点击数,花费金额", "2026-10-05,a,100,2,8.00"])
    with pytest.raises(InputRejected) as caught:
        parse(path)
    reason = caught.value.reason
    skeleton = reason[reason.index("  kind:") :]
    doc = yaml.safe_load(skeleton)
    assert doc["kind"] == "ad_spend" and doc["columns"]["点击数"] == "clicks"
    doc["columns"]["统计日"] = "spend_date"
    doc["columns"]["花费金额"] = "cost"
    doc["platform"] = "sogou"
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "mine.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    parsed = parse(path, layouts)
    assert (parsed.layout, parsed.totals["cost"], parsed.rows) == ("mine", {"CNY": "8.00"}, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("kind: orders\nplatform: x1\ncolumns: {a: b}\n", "kind: 'orders' cannot be taught"),
        ("kind: ad_spend\nplatform: Sogou!\ncolumns: {a: cost}\n", "platform: 'Sogou!' is not a name"),
        (
            "kind: ad_spend\nplatform: sogou\ncolumns: {花费金额: money}\n",
            "columns.花费金额: 'money' is not a field",
        ),
        ("kind: ad_spend\nplatform: sogou\ncolumns: {a: cost, b: cost}\n", "columns.b: maps to cost"),
        ("kind: ad_spend\nplatform: sogou\ncolums: {a: cost}\n", "colums: is not a known key"),
        ("kind: ad_spend\nplatform: sogou\n", "columns: is missing or empty"),
        ("- just a list\n", "is a list, not a mapping"),
    ],
)
def test_layout_files_are_validated_when_loaded(tmp_path: Path, content: str, message: str) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "broken.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(InputRejected) as caught:
        parse(VARIANTS / "sogou_campaign_202610.csv", layouts)
    assert "broken.yaml" in caught.value.reason
    assert message in caught.value.reason


def test_default_layouts_folder_is_xunpan_home(settings) -> None:
    settings.layouts.mkdir(parents=True, exist_ok=True)
    (settings.layouts / "sogou_custom.yaml").write_bytes((TAUGHT / "sogou_custom.yaml").read_bytes())
    parsed = parse_file(VARIANTS / "sogou_custom_202610.csv", today=TODAY)
    assert parsed.layout == "sogou_custom"


def test_google_ads_without_its_currency_column_is_refused_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "gads.csv", ["Day,Campaign,Impr.,Clicks,Cost", "2026-10-05,Search,100,2,3.00"])
    with pytest.raises(InputRejected) as caught:
        parse(path)
    assert "lacks required columns: Currency code" in caught.value.reason
    assert caught.value.problems[0].column == "Currency code"
