"""The same dbt project builds on Apache Spark (dbt-spark session mode, PySpark local[2]) from the
same raw Parquet and gives the same mart totals as DuckDB, to the cent.

One `dbt build` in one Spark session (the JVM start and Spark's per-statement overhead dominate);
the marts are then read straight from the Parquet files of Spark's warehouse with DuckDB, so no
second JVM starts. Unit tests run on DuckDB and Postgres only (their fixtures are DuckDB SQL);
every model, seed and data test runs on Spark. The snapshot is disabled there (dbt_project.yml).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_homes import make_home

from xunpan.transform import dbt_build, dbt_env

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.fail(
            "java is needed for PySpark (Debian package openjdk-17-jre-headless; `.ci/run` installs it)"
        )
    settings, _ = make_home(tmp_path_factory.mktemp("spark"))
    # the same call `xunpan run` makes, with the target a deployment sets by XUNPAN_DBT_TARGET
    settings = settings.model_copy(update={"dbt_target": "spark"})
    result = dbt_build(settings)
    return settings, Path(dbt_env(settings)["XUNPAN_SPARK_DIR"]) / "warehouse", result


def totals(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]
) -> dict[str, object]:
    """Row count and the sum of every exact numeric column of one table."""
    exact = [name for name, dtype in columns if dtype.startswith(("DECIMAL", "INTEGER", "BIGINT", "HUGEINT"))]
    sums = ", ".join(f'sum("{name}")' for name in exact)
    row = con.execute(f"select count(*){', ' + sums if sums else ''} from {relation}").fetchone()
    return {"rows": row[0]} | {
        name: Decimal(str(value or 0)) for name, value in zip(exact, row[1:], strict=True)
    }


def test_build_on_spark_matches_duckdb(spark_build, built_acme):
    _, warehouse, result = spark_build
    assert result.ok and result.errored == 0 and result.skipped == 0
    assert result.passed >= 300, result.passed

    with duckdb.connect(str(built_acme.settings.warehouse), read_only=True) as duck:
        marts = [
            name
            for (name,) in duck.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert len(marts) >= 20, marts
        compared = 0
        with duckdb.connect() as spark_files:
            for mart in marts:
                columns = duck.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall()
                on_duckdb = totals(duck, f"marts.{mart}", columns)
                files = warehouse / "marts.db" / mart
                assert files.is_dir(), f"Spark built no table marts.{mart}"
                on_spark = totals(spark_files, f"read_parquet('{files}/*.parquet')", columns)
                assert on_spark == on_duckdb, mart
                compared += len(on_duckdb)
        assert compared > 150

    # the headline figures, named, so a failure says which money is off
    spend = f"read_parquet('{warehouse}/marts.db/mart_channel_cost_per_inquiry/*.parquet')"
    with duckdb.connect() as con:
        on_spark = con.execute(
            f"select sum(spend_variable_cny), sum(spend_fixed_cny), sum(inquiries_valid) from {spend}"
        ).fetchone()
    on_duckdb = built_acme.one(
        "select sum(spend_variable_cny), sum(spend_fixed_cny), sum(inquiries_valid) from marts.mart_channel_cost_per_inquiry"
    )
    assert on_spark == on_duckdb
    assert on_duckdb[0] > 0 and on_duckdb[2] > 0
