"""The same dbt project compiles and builds on PostgreSQL (no DuckDB-only SQL) and agrees."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_homes import make_home
from raw_fixtures import KINDS, METADATA

from xunpan.config import Settings
from xunpan.transform import dbt_env, raw_column_type, run_dbt

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def psql(*args: str, database: str = "postgres") -> str:
    command = [
        shutil.which("psql") or "psql",
        "-h",
        PG["host"],
        "-p",
        PG["port"],
        "-U",
        PG["user"],
        "-d",
        database,
        "-v",
        "ON_ERROR_STOP=1",
        "-qAt",
        *args,
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def load_raw_into_postgres(settings: Settings, database: str, work: Path) -> None:
    """The landing files as tables of schema `raw`, as a Postgres deployment would hold them."""
    psql("-c", "create schema raw", database=database)
    for kind, columns in KINDS.items():
        names = [name for name, _ in columns + METADATA]
        ddl = ", ".join(
            f'"{name}" {raw_column_type(dtype, "postgres")}' for name, dtype in columns + METADATA
        )
        psql("-c", f"create table raw.{kind} ({ddl})", database=database)
        csv = work / f"{kind}.csv"
        with duckdb.connect() as con:
            con.execute(
                f"copy (select {', '.join(names)} from read_parquet("
                f"'{settings.raw}/{kind}/*.parquet', union_by_name = true)) "
                f"to '{csv}' (header, delimiter ',')"
            )
        psql("-c", f"\\copy raw.{kind} ({', '.join(names)}) from '{csv}' csv header", database=database)


@pytest.fixture(scope="module")
def postgres_home(tmp_path_factory):
    if shutil.which("psql") is None:
        pytest.fail("psql is needed to create the test database (Debian package postgresql-client)")
    database = f"xunpan_compile_test_{uuid.uuid4().hex[:8]}"
    psql("-c", f"create database {database}")
    try:
        settings, _ = make_home(tmp_path_factory.mktemp("postgres"))
        load_raw_into_postgres(settings, database, settings.home)
        env = dbt_env(settings) | {
            "XUNPAN_PG_HOST": PG["host"],
            "XUNPAN_PG_PORT": PG["port"],
            "XUNPAN_PG_USER": PG["user"],
            "XUNPAN_PG_DATABASE": database,
        }
        yield settings, env, database
    finally:
        psql("-c", f"drop database if exists {database} with (force)")


def test_compile_for_postgres(postgres_home):
    settings, env, _ = postgres_home
    result = run_dbt(settings, "compile", "--target", "postgres", env=env)
    assert result.ok and result.passed >= 34
    compiled = settings.home / "dbt" / "target" / "compiled" / "xunpan" / "models"
    sql = "\n".join(p.read_text() for p in compiled.rglob("*.sql"))
    assert '"raw"."ad_spend"' in sql
    assert "read_parquet" not in sql


def test_build_on_postgres_matches_duckdb(postgres_home, built_acme):
    settings, env, database = postgres_home
    result = run_dbt(settings, "build", "--target", "postgres", env=env)
    assert result.ok and result.errored == 0 and result.passed >= 150
    checks = {
        "mart_channel_cost_per_inquiry": "select count(*), sum(spend_variable_cny), sum(spend_fixed_cny), sum(inquiries_valid), "
        "sum(won_revenue_cny) from marts.mart_channel_cost_per_inquiry",
        "mart_inquiry_funnel": "select count(*), sum(inquiries_total), sum(inquiries_intentional), sum(inquiries_won), "
        "sum(sum_days_to_won) from marts.mart_inquiry_funnel",
        "mart_product_margin": "select count(*), sum(revenue_cny), sum(cogs_cny), sum(allocated_marketing_cost_cny), "
        "sum(case when product_class = 'flagship' then 1 else 0 end) from marts.mart_product_margin",
        "fct_inquiries": "select count(*), sum(days_to_won), sum(won_revenue_cny), "
        "sum(case when is_open then 1 else 0 end), max(won_at) from marts.fct_inquiries",
        "mart_channel_cost_per_inquiry_monthly": "select count(*), round(cast(sum(cost_per_inquiry_cny) as numeric(18, 6)), 4), "
        "sum(case when cost_per_inquiry_cny is null then 1 else 0 end) "
        "from marts.mart_channel_cost_per_inquiry_monthly",
    }
    for model, sql in checks.items():
        on_postgres = psql("-F", "|", "-c", sql, database=database).strip().split("|")
        on_duckdb = built_acme.one(sql)
        assert len(on_postgres) == len(on_duckdb), model
        for pg_value, duck_value in zip(on_postgres, on_duckdb, strict=True):
            if isinstance(duck_value, (Decimal, int, float)):
                assert Decimal(pg_value) == Decimal(str(duck_value)), (model, sql)
            else:
                assert pg_value == str(duck_value), (model, sql)
