"""Two client companies in one serving database, for the row-level security tests.

Built from serving_data.py's hand-made database (all its figures stay those of one company):
  - acme: every row of serving_data.py, its company_id set to 'acme';
  - beta: a copy of acme's Baidu PPC rows only (tables with channel_id), of acme's P-200 rows
    (tables with product_sku but no channel_id), and of every row elsewhere (and of every row of
    a table where that selection is empty).
So beta's totals differ from acme's and are known by hand: 5 inquiries (Q04 Q08 Q09 Q16 Q17),
4 valid, PPC spend 4,000.00, while acme keeps serving_data's 20 inquiries and 16,300.00.
Tables without company_id (shared dimensions) are left as they are.

Published like the pipeline does: the all-company file, then one file per company
(xunpan.publish.write_company_files), each behind an atomically switched current.duckdb.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from serving_data import build_serving_db

from xunpan.publish import write_company_files

COMPANIES = ("acme", "beta")
BETA_INQUIRIES = {"inquiries_total": 5, "inquiries_valid": 4, "spend_total_cny": 4000.00}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Tables whose datasets show the B2B platforms only (the whole-path funnel reads exposures, clicks
# and visitors from the platforms' back-offices), so that both companies have rows in them.
B2B_ONLY_TABLES = {"mart_channel_traffic_funnel"}


def split_companies(path: Path) -> Path:
    """Turn serving_data's one company into acme and beta, in place."""
    con = duckdb.connect(str(path))
    try:
        tables = con.execute(
            "select table_name, list(column_name) from information_schema.columns "
            "where table_schema = 'main' and table_catalog = current_database() "
            "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE') "
            "group by table_name order by table_name"
        ).fetchall()
        for table, columns in tables:
            if "company_id" not in columns:
                continue
            name = _quote(table)
            con.execute(f"update main.{name} set company_id = 'acme'")
            if table in B2B_ONLY_TABLES:
                # A B2B-only table has no PPC rows: beta also keeps an Alibaba.com store there.
                where = "where channel_id in ('baidu_ppc', 'alibaba_intl')"
            elif "channel_id" in columns:
                where = "where channel_id = 'baidu_ppc'"
            elif "product_sku" in columns:
                where = "where product_sku = 'P-200'"
            else:
                where = ""
            con.execute(
                f"insert into main.{name} select * replace ('beta' as company_id) from main.{name} {where}"
            )
            if not con.execute(f"select count(*) from main.{name} where company_id = 'beta'").fetchone()[0]:
                # No PPC rows in this table (fixed fees only, say): beta gets all of acme's rows,
                # so that every table holds both companies.
                con.execute(
                    f"insert into main.{name} select * replace ('beta' as company_id) from main.{name}"
                )
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def publish_two_companies(serving_dir: Path, name: str) -> Path:
    """Build, split and publish <serving_dir>/<name>.duckdb with its per-company files."""
    serving_dir.mkdir(parents=True, exist_ok=True)
    path = build_serving_db(serving_dir / f"{name}.duckdb")
    split_companies(path)
    write_company_files(serving_dir, path)
    return publish_existing(serving_dir, path)


def publish_existing(serving_dir: Path, path: Path) -> Path:
    """Point current.duckdb at an existing file (as serving_data.publish does after building)."""
    link = serving_dir / "current.duckdb"
    tmp_link = serving_dir / f".current.{path.stem}.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(path.name, tmp_link)
    os.replace(tmp_link, link)
    return path


def totals(path: Path, sql: str, company: str | None) -> list[tuple]:
    """Run `sql` (with {where} for the company condition) directly on a serving file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        where = f"where company_id = '{company}'" if company else ""
        return con.execute(sql.format(where=where)).fetchall()
    finally:
        con.close()
