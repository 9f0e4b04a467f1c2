"""Fixtures for the dbt tests: a fresh XUNPAN_HOME with hand-made raw files, built once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dbt_homes import Warehouse, make_home

from xunpan.transform import dbt_build


@pytest.fixture(scope="session")
def built_acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """One `dbt build` (all models, seeds, snapshots, unit and data tests) of the acme data."""
    settings, _ = make_home(tmp_path_factory.mktemp("acme"))
    result = dbt_build(settings)
    yield Warehouse(settings, result)
