"""Installation folders for the dbt tests: a fresh home with the acme raw files, a copy of a built
one to tamper with, and read-only queries against its warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dataset import write_acme
from raw_fixtures import RawWriter

from xunpan.config import Settings
from xunpan.transform import DbtResult


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
