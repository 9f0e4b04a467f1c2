"""Per-company serving files: what a company's analysts open in SQL Lab holds only that company."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.publish import company_serving_current, publish, serving_companies


def write_two_companies(warehouse: Path, beta_inquiries: int = 2) -> None:
    """acme: 3 inquiries, spend 100.00 + 50.25; beta: `beta_inquiries` inquiries, spend 7.00; one shared dim."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            """create or replace table marts.fct_inquiries as
               select 'acme' as company_id, 'A-' || i as inquiry_id from range(3) r(i)
               union all
               select 'beta', 'B-' || i from range(?) r(i)""",
            [beta_inquiries],
        )
        con.execute(
            """create or replace table marts.mart_channel_cost_per_inquiry as
               select * from (values ('acme', 'baidu_ppc', 100.00::decimal(18,2)),
                                     ('acme', 'alibaba_intl', 50.25::decimal(18,2)),
                                     ('beta', 'baidu_ppc', 7.00::decimal(18,2)))
                   t(company_id, channel_id, spend_total_cny)"""
        )
        con.execute(
            """create or replace table marts.dim_channels as
               select * from (values ('baidu_ppc', '百度竞价'), ('alibaba_intl', '阿里巴巴国际站'))
                   t(channel_id, channel_name_zh)"""
        )
    finally:
        con.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_company_gets_a_file_with_only_its_rows_and_the_shared_tables(settings: Settings) -> None:
    write_two_companies(settings.warehouse)

    result = publish(settings, "run-1")

    assert sorted(result.companies) == ["acme", "beta"]
    acme = company_serving_current(settings.serving_dir, "acme")
    beta = company_serving_current(settings.serving_dir, "beta")
    assert acme == settings.serving_dir / "companies" / "acme" / "current.duckdb"
    assert acme.is_symlink() and acme.resolve() == result.companies["acme"]
    # Same file name as the all-company publish, inside the company's folder.
    assert result.companies["acme"].name == result.path.name
    assert _rows(acme, "select distinct company_id from fct_inquiries") == [("acme",)]
    assert _rows(acme, "select count(*), sum(spend_total_cny) from mart_channel_cost_per_inquiry")[0] == (
        2,
        pytest.approx(150.25),
    )
    assert _rows(beta, "select distinct company_id from fct_inquiries") == [("beta",)]
    assert _rows(beta, "select count(*) from fct_inquiries") == [(2,)]
    assert _rows(beta, "select sum(spend_total_cny) from mart_channel_cost_per_inquiry")[0][0] == 7
    # A table without company_id (a shared dimension) is copied whole into every company file.
    for path in (acme, beta):
        assert _rows(path, "select count(*) from dim_channels") == [(2,)]
    # The all-company file keeps everybody.
    assert _rows(settings.serving_current, "select count(*) from fct_inquiries") == [(5,)]


def test_a_new_publish_switches_every_company_file(settings: Settings) -> None:
    write_two_companies(settings.warehouse, beta_inquiries=2)
    first = publish(settings, "run-1")
    write_two_companies(settings.warehouse, beta_inquiries=4)

    second = publish(settings, "run-2")

    beta = company_serving_current(settings.serving_dir, "beta")
    assert beta.resolve() == second.companies["beta"] != first.companies["beta"]
    assert _rows(beta, "select count(*) from fct_inquiries") == [(4,)]
    # The previous company file stays (retention keeps 5), unchanged, for readers that hold it.
    assert _rows(first.companies["beta"], "select count(*) from fct_inquiries") == [(2,)]


def test_company_files_follow_retention(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings.model_copy(update={"serving_keep": 2})
    write_two_companies(settings.warehouse)
    results = [publish(settings, f"run-{i}") for i in range(4)]

    folder = settings.serving_dir / "companies" / "acme"
    kept = sorted(p.name for p in folder.glob("serving-*.duckdb"))
    assert kept == sorted(r.companies["acme"].name for r in results[-2:])


def test_a_company_id_that_cannot_name_a_folder_is_refused(settings: Settings) -> None:
    write_two_companies(settings.warehouse)
    con = duckdb.connect(str(settings.warehouse))
    con.execute("insert into marts.fct_inquiries values ('../etc', 'X-1')")
    con.close()

    with pytest.raises(XunpanError, match=r"company_id value\(s\) \['../etc'\]"):
        publish(settings, "run-1")
    assert not settings.serving_current.exists()
    assert not (settings.serving_dir / "etc").exists()


def test_serving_companies_lists_every_company_with_rows(settings: Settings) -> None:
    write_two_companies(settings.warehouse)
    result = publish(settings, "run-1")
    assert serving_companies(result.path) == ["acme", "beta"]
