"""Reads each published model from the warehouse into the DataFrame the gate validates.

Besides the model's own columns, a batch carries derived `check__*` columns for the checks GX
cannot express on one DataFrame: the difference between the mart's monthly total and the
staging total of the same company and month (reconciliation), and on the latest day's rows of
fct_inquiries their count against the trailing 28-day mean (volume). Suite parameters carry what
depends on the run: the run date's freshness bounds, the channel ids and the staging totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from xunpan.quality import suites
from xunpan.quality.contract import CANONICAL_CHANNELS, PUBLISHED_MODELS, PublishedModel
from xunpan.quality.reconciliation import AD_SPEND, ORDER_REVENUE, ReconciliationSource

MARTS_SCHEMA = "marts"


@dataclass
class Batches:
    frames: dict[str, pd.DataFrame]
    parameters: dict[str, Any]
    # Published models that are not in the warehouse at all.
    missing_models: list[str] = field(default_factory=list)
    # Reconciliation sources that could not be read (their check columns are NULL).
    missing_sources: list[str] = field(default_factory=list)


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def _reconciled(model: PublishedModel) -> tuple[ReconciliationSource, str, str] | None:
    """(source, measure, derived column) when the model's totals must match a staging total."""
    if "spend_variable_cny" in model.columns:
        return AD_SPEND, "spend_variable_cny", suites.SPEND_RECONCILIATION_COLUMN
    if model.name == "mart_product_margin":
        return ORDER_REVENUE, "revenue_cny", suites.REVENUE_RECONCILIATION_COLUMN
    return None


def _model_sql(model: PublishedModel, relations: set[str], run_date: dt.date) -> str:
    table = f'{MARTS_SCHEMA}."{model.name}"'
    reconciled = _reconciled(model)
    if reconciled is not None:
        source, measure, column = reconciled
        month = f"cast(date_trunc('month', {model.freshness_column}) as date)"
        if source.relation not in relations:
            return f"select m.*, cast(null as double) as {column} from {table} as m"
        return f"""
            with mart_months as (
                select company_id, {month} as month_start, sum({measure}) as total_cny
                from {table} group by 1, 2
            ),
            source_months as ({source.monthly_sql}),
            differences as (
                select mart_months.company_id, mart_months.month_start,
                       cast(mart_months.total_cny - coalesce(source_months.total_cny, 0) as double)
                           as difference_cny
                from mart_months
                left join source_months using (company_id, month_start)
            )
            select m.*, differences.difference_cny as {column}
            from {table} as m
            left join differences
                on differences.company_id = m.company_id
                and differences.month_start = cast(date_trunc('month', m.{model.freshness_column}) as date)
        """
    if model.name == "fct_inquiries":
        return f"""
            with daily as (
                select company_id, received_date, count(*) as inquiries
                from {table} where received_date <= date '{run_date.isoformat()}' group by 1, 2
            ),
            latest as (
                select company_id, max(received_date) as latest_date, min(received_date) as first_date
                from daily group by 1
            ),
            volume as (
                select latest.company_id, latest.latest_date,
                       sum(case when daily.received_date = latest.latest_date then daily.inquiries end)
                           as latest_inquiries,
                       sum(case when daily.received_date < latest.latest_date then daily.inquiries end)
                           / 28.0 as trailing_mean,
                       latest.first_date <= latest.latest_date - 28 as has_history
                from latest
                join daily
                    on daily.company_id = latest.company_id
                    and daily.received_date between latest.latest_date - 28 and latest.latest_date
                group by latest.company_id, latest.latest_date, latest.first_date
            )
            select m.*,
                   case when volume.has_history and volume.trailing_mean > 0
                        then volume.latest_inquiries / volume.trailing_mean end
                       as {suites.VOLUME_RATIO_COLUMN}
            from {table} as m
            left join volume
                on volume.company_id = m.company_id and volume.latest_date = m.received_date
        """
    return f"select * from {table}"


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


def read_batches(warehouse: Path, run_date: dt.date, freshness_days: int) -> Batches:
    """Open the warehouse read-only and build every published model's batch and the parameters."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = _relations(con)
        frames: dict[str, pd.DataFrame] = {}
        missing_models: list[str] = []
        for model in PUBLISHED_MODELS:
            if f"{MARTS_SCHEMA}.{model.name}" not in relations:
                missing_models.append(model.name)
                continue
            frames[model.name] = con.sql(_model_sql(model, relations, run_date)).df()
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
        missing_sources = [
            f"{s.relation} ({s.name})" for s in (AD_SPEND, ORDER_REVENUE) if s.relation not in relations
        ]
    finally:
        con.close()
    return Batches(frames, parameters, missing_models, missing_sources)
