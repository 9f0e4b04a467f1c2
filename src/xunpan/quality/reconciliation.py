"""The SQL that reads the totals the marts must reconcile with, kept in one place.

Each source gives CNY per company and month from the rows the importers landed, before any
mart logic ran (the dbt model that converts them at the day's rate is the earliest layer with
CNY amounts). Adapt the relation and column names here when the dbt project renames them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReconciliationSource:
    """A staging-side total that a mart measure must equal per company and month."""

    name: str
    relation: str  # schema.table in the warehouse
    monthly_sql: str  # -> company_id, month_start (DATE), total_cny (DECIMAL)


AD_SPEND = ReconciliationSource(
    name="imported ad spend",
    relation="intermediate.int_ad_spend_converted",
    monthly_sql="""
        -- Spend is reported up to each company's data-through date (capped at the run's
        -- business date), so only that part must reconcile.
        select spend.company_id, cast(date_trunc('month', spend.spend_date) as date) as month_start,
               sum(spend.spend_cny) as total_cny
        from intermediate.int_ad_spend_converted as spend
        join intermediate.int_company_reporting_periods as periods
          on periods.company_id = spend.company_id and spend.spend_date <= periods.data_through_date
        group by 1, 2
    """,
)

ORDER_REVENUE = ReconciliationSource(
    name="imported order lines",
    relation="intermediate.int_order_lines_costed",
    monthly_sql="""
        select company_id, cast(date_trunc('month', order_date) as date) as month_start,
               sum(revenue_cny) as total_cny
        from intermediate.int_order_lines_costed
        group by 1, 2
    """,
)
