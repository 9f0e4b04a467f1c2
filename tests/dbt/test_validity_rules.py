"""Changing an invalid-inquiry rule and re-running changes the counts, and nothing else (issue 11).

The acme data is built once with the shipped rules (`built_acme`), then again from a copy of the
dbt project whose seed `invalid_inquiry_rules` an analyst has edited:
- a keyword rule on the company "Buyer Q8": Q8 (Google Ads, still 新询盘) becomes invalid;
- a keyword rule on the company "Buyer Q3": Q3 is won, so the rule is overridden (stays valid);
- the register_invalid rule switched off: Q5, which only the register calls 无效, becomes valid.
By hand: invalid inquiries {Q5} before, {Q8} after. Every published table that does not count
valid inquiries is identical; in the ones that do, only the validity columns and what is divided
by them differ, and spend, revenue and the allocated marketing cost add up to the same totals.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_homes import clone_home

from xunpan.transform import dbt_env, dbt_target_path, run_dbt

pytestmark = pytest.mark.slow

# The columns a rule may change in fct_inquiries: validity and what follows from it.
FCT_VALIDITY_COLUMNS = {
    "is_invalid",
    "is_open",
    "is_lost",
    "lost_stage",
    "lost_reason",
    "lost_at",
    "invalid_rule_id",
    "invalid_rule_label_zh",
    "invalid_rule_label_en",
    "validity_basis",
}


def validity_lineage(settings) -> set[str]:
    """Published models downstream of int_inquiry_validity (from dbt's manifest): what may change."""
    manifest = json.loads((dbt_target_path(settings) / "manifest.json").read_text(encoding="utf-8"))
    children = manifest["child_map"]
    seen: set[str] = set()
    todo = ["model.xunpan.int_inquiry_validity"]
    while todo:
        for child in children.get(todo.pop(), []):
            if child.startswith("model.") and child not in seen:
                seen.add(child)
                todo.append(child)
    return {manifest["nodes"][node]["alias"] for node in seen}


def edited_project(source: Path, target: Path) -> Path:
    """A copy of the dbt project with the analyst's edits to invalid_inquiry_rules.csv."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    seed = target / "seeds" / "invalid_inquiry_rules.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row in rows:
        if row["rule_id"] == "register_invalid":
            row["is_active"] = "false"
    template = {name: "" for name in fields}
    for rule_id, company in (("test_buyer_q8", "Buyer Q8"), ("test_buyer_q3", "Buyer Q3")):
        rows.append(
            template
            | {
                "rule_id": rule_id,
                "priority": "5",
                "rule_type": "keyword",
                "field": "customer_company",
                "pattern": company,
                "is_active": "true",
                "label_zh": "测试规则",
                "label_en": "Test rule",
            }
        )
    with seed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


def tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'marts' "
            "order by table_name",
            [catalog],
        ).fetchall()
    ]


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_catalog = 'before' "
            "and table_schema = 'marts' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def differing_rows(con: duckdb.DuckDBPyConnection, table: str, kept: list[str]) -> int:
    select = ", ".join(f'"{c}"' for c in kept)
    return con.execute(
        f"select count(*) from ((select {select} from before.marts.{table} except all "
        f"select {select} from after.marts.{table}) union all (select {select} from after.marts.{table} "
        f"except all select {select} from before.marts.{table}))"
    ).fetchone()[0]


@pytest.fixture(scope="module")
def rebuilt(built_acme, tmp_path_factory):
    """The acme warehouses before and after the rule edit (attached as `before`, `after`), and the
    published models downstream of the validity rules."""
    root = tmp_path_factory.mktemp("validity")
    settings = clone_home(built_acme.settings, root / "home")
    project = edited_project(built_acme.settings.dbt_project_dir, root / "dbt_project")
    env = dbt_env(settings) | {"DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project)}
    run_dbt(settings, "build", env=env)
    con = duckdb.connect()
    con.execute(f"attach '{built_acme.settings.warehouse}' as before (read_only)")
    con.execute(f"attach '{settings.warehouse}' as after (read_only)")
    yield con, validity_lineage(settings)
    con.close()


def test_the_rule_edit_moves_exactly_the_hand_computed_inquiries(rebuilt):
    con, _ = rebuilt

    def invalid(catalog: str) -> list[tuple]:
        return con.execute(
            f"select inquiry_id, invalid_rule_id, validity_basis from {catalog}.marts.fct_inquiries "
            "where is_invalid order by inquiry_id"
        ).fetchall()

    assert invalid("before") == [("Q5", "register_invalid", "register_only")]
    assert invalid("after") == [("Q8", "test_buyer_q8", "rule")]
    # Q3 is won: the rule fires but is overridden, and Q5 is the register's 无效 no rule applies to
    flagged = con.execute(
        "select inquiry_id, validity_basis, rule_id, is_invalid from after.marts.mart_invalid_inquiries "
        "order by inquiry_id"
    ).fetchall()
    assert flagged == [
        ("Q3", "overridden_by_progress", "test_buyer_q3", False),
        ("Q5", "register_ignored", "register_invalid", False),
        ("Q8", "rule", "test_buyer_q8", True),
    ]
    funnel = "select sum(inquiries_total), sum(inquiries_invalid), sum(inquiries_valid) from {}.marts.mart_inquiry_funnel"
    assert con.execute(funnel.format("before")).fetchone() == (10, 1, 9)
    assert con.execute(funnel.format("after")).fetchone() == (10, 1, 9)
    # Q8's channel loses a valid inquiry, Q5's gains one
    by_channel = (
        "select channel_id, sum(inquiries_valid) from {}.marts.mart_inquiry_funnel "
        "where channel_id in ('google_ads', 'baidu_seo') group by channel_id order by channel_id"
    )
    before = dict(con.execute(by_channel.format("before")).fetchall())
    after = dict(con.execute(by_channel.format("after")).fetchall())
    assert after["google_ads"] == before["google_ads"] - 1
    assert after["baidu_seo"] == before["baidu_seo"] + 1


def test_nothing_but_validity_changes(rebuilt):
    con, lineage = rebuilt
    names = tables(con, "before")
    assert names == tables(con, "after")
    # the marts that count valid inquiries follow the rules (they descend from int_inquiry_validity)
    assert {
        "fct_inquiries",
        "mart_inquiry_funnel",
        "mart_inquiry_funnel_monthly",
        "mart_channel_cost_per_inquiry",
        "mart_channel_cost_per_inquiry_monthly",
        "mart_product_margin",
        "mart_invalid_inquiries",
    } <= lineage
    # every published table outside that lineage is identical, row for row
    changed = {
        table for table in names if table not in lineage and differing_rows(con, table, columns(con, table))
    }
    assert changed == set(), f"a rule edit changed tables that do not depend on validity: {changed}"
    # in fct_inquiries only the validity columns change, and only for Q3 (basis), Q5 and Q8
    kept = [c for c in columns(con, "fct_inquiries") if c not in FCT_VALIDITY_COLUMNS]
    assert differing_rows(con, "fct_inquiries", kept) == 0
    assert differing_rows(con, "fct_inquiries", columns(con, "fct_inquiries")) == 2 * 3


def test_money_reconciles_the_same_after_a_rule_edit(rebuilt):
    con, _ = rebuilt
    checks = {
        "spend": "select sum(spend_total_cny) from {}.marts.mart_channel_cost_per_inquiry",
        "won revenue": "select sum(won_revenue_cny) from {}.marts.fct_inquiries",
        "margin revenue": "select sum(revenue_cny) from {}.marts.mart_product_margin",
        "allocated cost by month": (
            "select list(total order by month_start) from (select month_start, sum(allocated_marketing_cost_cny) "
            "as total from {}.marts.mart_product_margin group by month_start)"
        ),
    }
    for name, sql in checks.items():
        before, after = (
            con.execute(sql.format("before")).fetchone(),
            con.execute(sql.format("after")).fetchone(),
        )
        assert before == after, name
        assert before[0] is not None, name
