"""The gate's column lists are the marts' dbt contracts, read from dbt's manifest."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from xunpan.errors import XunpanError
from xunpan.quality.contract import (
    FCT_INQUIRIES,
    PUBLISHED_MODELS,
    ContractColumn,
    published_contracts,
    read_contracts,
)


def _model(name: str, enforced: bool, columns: list[tuple[str, str]]) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "config": {"contract": {"enforced": enforced}},
        "columns": {c: {"name": c, "data_type": t} for c, t in columns},
    }


def test_read_contracts_keeps_enforced_models_and_their_column_order(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    nodes = {
        "model.x.b": _model("b", True, [("z", "date"), ("a", "decimal(18,2)")]),
        "model.x.free": _model("free", False, [("a", "text")]),
        "seed.x.s": {"resource_type": "seed", "name": "s", "config": {}, "columns": {}},
    }
    manifest.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    assert read_contracts(manifest) == {
        "b": (ContractColumn("z", "date"), ContractColumn("a", "decimal(18,2)"))
    }


def test_read_contracts_says_which_manifest_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(XunpanError, match=r"manifest\.json: cannot read dbt's manifest"):
        read_contracts(tmp_path / "manifest.json")


def test_published_models_take_their_columns_from_the_dbt_project() -> None:
    contracts = published_contracts()
    assert {m.name for m in PUBLISHED_MODELS} <= set(contracts)
    assert FCT_INQUIRIES.columns[:4] == ("company_id", "inquiry_id", "inquiry_id_as_written", "received_at")
    types = {c.name: c.data_type for c in contracts["mart_channel_cost_per_inquiry"]}
    assert types["spend_total_cny"] == "decimal(18,2)"
    assert types["date_day"] == "date"
    assert types["is_paid"] == "boolean"


def test_a_quality_rule_on_a_column_outside_the_dbt_contract_is_refused() -> None:
    renamed = dataclasses.replace(FCT_INQUIRIES, non_negative=("days_to_won", "revenue_cny"))
    with pytest.raises(XunpanError, match=r"fct_inquiries: the quality contract names \['revenue_cny'\]"):
        _ = renamed.columns
    missing = dataclasses.replace(FCT_INQUIRIES, name="mart_not_in_dbt")
    with pytest.raises(XunpanError, match="mart_not_in_dbt: dbt's manifest holds no enforced contract"):
        _ = missing.columns
