"""Fixtures for the dbt tests: a fresh XUNPAN_HOME with hand-made raw files, built once per module."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

# the helper modules beside this file (tests/ is not a package)
sys.path.insert(0, str(Path(__file__).parent))

from dataset import write_acme
from raw_fixtures import RawWriter

from xunpan.config import Settings
from xunpan.transform import DbtResult, dbt_build


def make_home(root: Path) -> tuple[Settings, RawWriter]:
    """A fresh installation folder with the `acme` raw files landed."""
    settings = Settings.from_env(root)
    settings.raw.mkdir(parents=True, exist_ok=True)
    writer = RawWriter(settings.raw)
    write_acme(writer)
    return settings, writer


def clone_home(source: Settings, root: Path) -> Settings:
    """Copy raw files and the built warehouse into another home, so a test can tamper freely."""
    target = Settings.from_env(root)
    shutil.copytree(source.raw, target.raw)
    target.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source.warehouse, target.warehouse)
    # dbt's partial-parse state, so the copy does not pay for a full parse again
    shutil.copytree(
        source.home / "dbt" / "target",
        target.home / "dbt" / "target",
        ignore=shutil.ignore_patterns("compiled", "run"),
    )
    return target


class Warehouse:
    """Read-only queries against a built warehouse."""

    def __init__(self, settings: Settings, build: DbtResult) -> None:
        self.settings = settings
        self.build = build

    def rows(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list[object] | None = None) -> tuple:
        rows = self.rows(sql, params)
        assert len(rows) == 1, f"expected one row, got {rows}"
        return rows[0]


@pytest.fixture(scope="session")
def built_acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """One `dbt build` (all models, seeds, snapshots, unit and data tests) of the acme data."""
    settings, _ = make_home(tmp_path_factory.mktemp("acme"))
    result = dbt_build(settings)
    yield Warehouse(settings, result)
