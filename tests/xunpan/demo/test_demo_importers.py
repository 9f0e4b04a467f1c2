"""The project's own importers accept every generated file, and the labels agree with the dbt seed."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from demo_readback import SMALL_END

from xunpan.config import Settings
from xunpan.demo.catalog import CHANNEL_OF_LABEL

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "dbt_project" / "seeds" / "channel_aliases.csv"


def test_register_labels_map_to_the_intended_channel_in_the_alias_seed() -> None:
    if not SEED.exists():
        pytest.skip("dbt channel alias seed not present in this checkout")
    with SEED.open(encoding="utf-8", newline="") as handle:
        aliases = {row["alias"].strip().lower(): row["channel_id"] for row in csv.DictReader(handle)}
    for label, channel in CHANNEL_OF_LABEL.items():
        assert aliases.get(label.lower(), "unknown") == channel, label
    for contract_label, channel in (
        ("阿里巴巴国际站", "alibaba_intl"),
        ("1688", "alibaba_1688"),
        ("中国制造网", "made_in_china"),
        ("SEO外包", "baidu_seo"),
        ("展会", "exhibition"),
    ):
        assert aliases[contract_label.lower()] == channel


def test_importers_accept_every_small_file(small_dir: Path, settings: Settings) -> None:
    landing = pytest.importorskip("xunpan.landing")
    paths = sorted(small_dir.iterdir())
    results = landing.import_files(settings, paths, today=SMALL_END + timedelta(days=1))
    rejected = [r.describe() for r in results if not r.accepted]
    assert not rejected, "\n".join(rejected)
    kinds = {r.file.name: r.kind for r in results}
    assert kinds["fx_rates.csv"] == "fx_rates" and kinds["orders_2026.xlsx"] == "orders"
    assert kinds[f"inquiry_register_{SMALL_END:%Y-%m}.xlsx"] == "inquiries"
    assert {r.kind for r in results} == {
        "ad_spend",
        "platform_traffic",
        "web_traffic",
        "inquiries",
        "orders",
        "product_costs",
        "channel_contracts",
        "fx_rates",
        "targets",
    }
    assert all(not r.unknown_columns for r in results)


def test_ingest_loads_everything_and_applies_the_restatement(small_dir: Path, settings: Settings) -> None:
    landing = pytest.importorskip("xunpan.landing")
    for path in small_dir.iterdir():
        (settings.inbox / path.name).write_bytes(path.read_bytes())
    report = landing.ingest_inbox(settings, today=SMALL_END + timedelta(days=1))
    assert not report.quarantined, report.summary()
    assert len(report.loaded) == len(list(small_dir.iterdir()))
    [replacement] = report.replacements
    assert replacement["file"] == "baidu_keyword_202512_restated.csv" and len(replacement["days"]) == 5
