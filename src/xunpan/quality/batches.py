"""Reads the two batches the gate validates for each published model (see suites.py).

Rows: the rows nobody has checked yet. Every row the dashboards show passed the gate of the run
that published it, so only the partitions (company and day, or month: publish.partition_of) that
differ from the published serving file are read, the same comparison publish makes to decide what
to write. Every row is read when that comparison would not be sound: nothing is published, the
published table has other columns, or the row suite or the parameters it ran with (the channel
ids) have changed since (the published run's gate report holds a digest of both, `row_check_digest`).

History: the whole table aggregated in SQL, one row per company and month: its row count, its
newest date (freshness), the grain keys that occur more than once, and for the reconciled marts
the month's total with its difference from the staging total of the same company and month. On
fct_inquiries, the month of the latest day also carries that day's count against the trailing
28-day mean (volume). Its size grows with months, not rows.

Suite parameters carry what depends on the run: freshness bounds, channel ids, staging totals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from xunpan.publish import (
    attach_read_only,
    mark_changed_partitions,
    partition_of,
    relation_columns,
    table_checksum,
)
from xunpan.quality import suites
from xunpan.quality.contract import CANONICAL_CHANNELS, PUBLISHED_MODELS, PublishedModel
from xunpan.quality.reconciliation import AD_SPEND, ORDER_REVENUE, ReconciliationSource

log = logging.getLogger(__name__)

MARTS_SCHEMA = "marts"
PUBLISHED_ALIAS = "published"
# Duplicated grain keys named in the history batch's check column, per company and month.
_DUPLICATES_NAMED = 3


@dataclass(frozen=True)
class Published:
    """The serving file the dashboards show, and the row-check digest of each model whose published
    table is the one that digest's gate checked (same checksum)."""

    path: Path
    run_id: str
    digests: dict[str, str]


@dataclass
class ModelBatches:
    rows: pd.DataFrame
    history: pd.DataFrame
    # Why rows holds every row rather than the changed partitions; None when it holds only those.
    all_rows_because: str | None
    # digest of the row suite and the parameters its rows are checked with (row_check_digest), and
    # checksum of the table checked (publish.table_checksum), to match with what gets published
    digest: str
    checksum: str

    @property
    def table_rows(self) -> int:
        return int(self.history[suites.ROW_COUNT_COLUMN].sum())


@dataclass
class Batches:
    models: dict[str, ModelBatches]
    parameters: dict[str, Any]
    # Published models that are not in the warehouse at all.
    missing_models: list[str] = field(default_factory=list)
    # Reconciliation sources that could not be read (their check columns are NULL).
    missing_sources: list[str] = field(default_factory=list)


def _parameters_in(node: Any) -> set[str]:
    """The run parameters ({"$PARAMETER": name}) anywhere in a suite."""
    if isinstance(node, dict):
        found = {str(node["$PARAMETER"])} if "$PARAMETER" in node else set()
        return found.union(*(_parameters_in(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_parameters_in(v) for v in node))
    return set()


def row_check_digest(suite_file: Path, parameters: dict[str, Any]) -> str:
    """What a row's verdict depends on besides the row: its suite as committed, and the values of
    the run parameters that suite refers to (the channel ids today)."""
    text = suite_file.read_bytes()
    used = sorted(_parameters_in(json.loads(text)))
    digest = hashlib.sha256(text)
    digest.update(json.dumps({name: parameters.get(name) for name in used}, default=str).encode())
    return digest.hexdigest()


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = current_database()"
    ).fetchall()
    return {r[0] for r in rows}


def _reconciled(model: PublishedModel) -> tuple[ReconciliationSource, str, str] | None:
    """(source, measure, derived column) when the model's totals must match a staging total."""
    if "spend_variable_cny" in model.columns:
        return AD_SPEND, "spend_variable_cny", suites.SPEND_RECONCILIATION_COLUMN
    if model.name == "mart_product_margin":
        return ORDER_REVENUE, "revenue_cny", suites.REVENUE_RECONCILIATION_COLUMN
    return None


def _table(model: PublishedModel) -> str:
    return f'{MARTS_SCHEMA}."{model.name}"'


def _month(column: str) -> str:
    return f"cast(date_trunc('month', {column}) as date)"


def _same_month(left: str, right: str) -> str:
    # NULL-safe: rows without a company or a date are a company-month of their own, not dropped
    return (
        f"{left}.company_id is not distinct from {right}.company_id "
        f"and {left}.{suites.MONTH_COLUMN} is not distinct from {right}.{suites.MONTH_COLUMN}"
    )


def _history_sql(model: PublishedModel, relations: set[str], run_date: dt.date) -> str:
    """One row per company and month of the whole table, with the history suite's columns."""
    table = _table(model)
    freshness = model.freshness_column
    month = suites.MONTH_COLUMN
    keys = ", ".join(f'"{c}"' for c in model.grain)
    key_text = " || ' ' || ".join(
        f"'{c}=' || coalesce(cast(\"{c}\" as varchar), 'NULL')" for c in model.grain
    )
    aggregates = [f"count(*) as {suites.ROW_COUNT_COLUMN}"]
    # A monthly model's freshness column is the month itself: one column, not two.
    if freshness != month:
        aggregates.append(f"max({freshness}) as {freshness}")
    selected = ["months.*", f"duplicates.duplicate_keys as {suites.DUPLICATE_KEYS_COLUMN}"]
    ctes = [
        # A duplicated key is counted in the month of its first row.
        f"""duplicates as (
            select company_id, {month},
                   string_agg(key_text || ' (' || copies || 'x)', '; ' order by key_text)
                       filter (where rank <= {_DUPLICATES_NAMED})
                   || case when count(*) > {_DUPLICATES_NAMED}
                           then ' ... (' || count(*) || ' keys)' else '' end as duplicate_keys
            from (
                select company_id, {month}, key_text, copies,
                       row_number() over (partition by company_id, {month} order by key_text) as rank
                from (
                    select any_value(company_id) as company_id, min({_month(freshness)}) as {month},
                           {key_text} as key_text, count(*) as copies
                    from {table} group by {keys} having count(*) > 1
                )
            )
            group by 1, 2
        )""",
    ]
    joins = [f"left join duplicates on {_same_month('duplicates', 'months')}"]
    reconciled = _reconciled(model)
    if reconciled is not None:
        source, measure, column = reconciled
        aggregates.append(f"sum({measure}) as {measure}")
        if source.relation in relations:
            ctes.append(f"source_months as ({source.monthly_sql})")
            joins.append(f"left join source_months on {_same_month('source_months', 'months')}")
            selected.append(
                f"cast(months.{measure} - coalesce(source_months.total_cny, 0) as double) as {column}"
            )
        else:
            selected.append(f"cast(null as double) as {column}")
    if model.name == "fct_inquiries":
        ctes += [
            f"""daily as (
                select company_id, received_date, count(*) as inquiries
                from {table} where received_date <= date '{run_date.isoformat()}' group by 1, 2
            )""",
            """latest as (
                select company_id, max(received_date) as latest_date, min(received_date) as first_date
                from daily group by 1
            )""",
            f"""volume as (
                select latest.company_id, {_month("latest.latest_date")} as {month},
                       case when latest.first_date <= latest.latest_date - 28
                                 and sum(case when daily.received_date < latest.latest_date
                                              then daily.inquiries end) > 0
                            then sum(case when daily.received_date = latest.latest_date
                                          then daily.inquiries end)
                                 / (sum(case when daily.received_date < latest.latest_date
                                             then daily.inquiries end) / 28.0)
                       end as ratio
                from latest
                join daily
                    on daily.company_id is not distinct from latest.company_id
                    and daily.received_date between latest.latest_date - 28 and latest.latest_date
                group by latest.company_id, latest.latest_date, latest.first_date
            )""",
        ]
        joins.append(f"left join volume on {_same_month('volume', 'months')}")
        selected.append(f"volume.ratio as {suites.VOLUME_RATIO_COLUMN}")
    months = f"""months as (
            select company_id, {_month(freshness)} as {month}, {", ".join(aggregates)}
            from {table} group by 1, 2
        )"""
    return f"""
        with {", ".join([months, *ctes])}
        select {", ".join(selected)}
        from months
        {" ".join(joins)}
        order by months.company_id, months.{month}
    """


def _rows_frame(
    con: duckdb.DuckDBPyConnection,
    model: PublishedModel,
    published: Published | None,
    published_tables: dict[str, list[str]],
    digest: str,
    no_baseline: str,
) -> tuple[pd.DataFrame, str | None]:
    """The rows to check one by one, and why they are all rows (None: only the changed partitions)."""
    table = _table(model)
    if published is None:
        reason = no_baseline
    elif published.digests.get(model.name) != digest:
        reason = (
            f"the published rows are not known to be the ones run {published.run_id}'s gate checked "
            "with this row suite and these parameters (channel ids)"
        )
    elif model.name not in published_tables:
        reason = f"the published file has no {model.name}"
    else:
        columns = relation_columns(con, table)
        target = f'{PUBLISHED_ALIAS}.main."{model.name}"'
        if relation_columns(con, target) != columns:
            reason = f"the published {model.name} has other columns"
        else:
            in_changed = mark_changed_partitions(con, table, target, partition_of(columns))
            return con.sql(f"select * from {table} as t where {in_changed}").df(), None
    return con.sql(f"select * from {table}").df(), reason


def _total_bounds(
    con: duckdb.DuckDBPyConnection, source: ReconciliationSource, relations: set[str]
) -> tuple[float | None, float | None]:
    if source.relation not in relations:
        return None, None
    total = con.execute(f"select coalesce(sum(total_cny), 0) from ({source.monthly_sql})").fetchone()[0]
    tolerance = suites.RECONCILIATION_TOLERANCE_CNY
    return float(total) - tolerance, float(total) + tolerance


def _channel_ids(con: duckdb.DuckDBPyConnection, relations: set[str]) -> list[str]:
    if f"{MARTS_SCHEMA}.dim_channels" in relations:
        ids = [
            r[0]
            for r in con.execute(
                f"select distinct channel_id from {MARTS_SCHEMA}.dim_channels where channel_id is not null "
                "order by 1"
            ).fetchall()
        ]
        if ids:
            return ids
    return list(CANONICAL_CHANNELS)


def freshness_bounds(run_date: dt.date, freshness_days: int) -> tuple[dt.datetime, dt.datetime]:
    """Earliest acceptable latest date for daily models, and latest month start for monthly ones."""
    earliest = run_date - dt.timedelta(days=freshness_days)
    as_datetime = dt.datetime(earliest.year, earliest.month, earliest.day)
    return as_datetime, as_datetime.replace(day=1)


def read_batches(
    warehouse: Path,
    run_date: dt.date,
    freshness_days: int,
    suites_dir: Path,
    published: Published | None = None,
) -> Batches:
    """Open the warehouse read-only and build every published model's two batches and the parameters.

    `suites_dir` holds the committed suites (expectations/expectations); `published` is what the
    dashboards show now, if anything.
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")  # as publish's checksums are taken
        published_tables: dict[str, list[str]] = {}
        no_baseline = "nothing is published yet"
        if published is not None:
            try:
                published_tables = attach_read_only(con, published.path, PUBLISHED_ALIAS, "main")
            except duckdb.Error as exc:
                no_baseline = f"the published file {published.path.name} cannot be read ({exc})"
                published = None
        relations = _relations(con)
        spend_min, spend_max = _total_bounds(con, AD_SPEND, relations)
        revenue_min, revenue_max = _total_bounds(con, ORDER_REVENUE, relations)
        min_date, min_month = freshness_bounds(run_date, freshness_days)
        parameters = {
            suites.PARAM_CHANNEL_IDS: _channel_ids(con, relations),
            suites.PARAM_FRESHNESS_MIN_DATE: min_date,
            suites.PARAM_FRESHNESS_MIN_MONTH: min_month,
            suites.PARAM_AD_SPEND_TOTAL_MIN: spend_min,
            suites.PARAM_AD_SPEND_TOTAL_MAX: spend_max,
            suites.PARAM_ORDER_REVENUE_TOTAL_MIN: revenue_min,
            suites.PARAM_ORDER_REVENUE_TOTAL_MAX: revenue_max,
        }
        models: dict[str, ModelBatches] = {}
        missing_models: list[str] = []
        for model in PUBLISHED_MODELS:
            if f"{MARTS_SCHEMA}.{model.name}" not in relations:
                missing_models.append(model.name)
                continue
            digest = row_check_digest(suites_dir / f"{model.name}.json", parameters)
            rows, reason = _rows_frame(con, model, published, published_tables, digest, no_baseline)
            batches = ModelBatches(
                rows,
                con.sql(_history_sql(model, relations, run_date)).df(),
                reason,
                digest,
                table_checksum(con, _table(model)),
            )
            models[model.name] = batches
            log.info(
                "%s: %d of %d rows to check row by row (%s)",
                model.name,
                len(rows),
                batches.table_rows,
                reason or f"the partitions that differ from the published run {published.run_id}",
            )
        missing_sources = [
            f"{s.relation} ({s.name})" for s in (AD_SPEND, ORDER_REVENUE) if s.relation not in relations
        ]
    finally:
        con.close()
    return Batches(models, parameters, missing_models, missing_sources)
