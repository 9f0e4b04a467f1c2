"""The SQL that reads the totals the marts must reconcile with, kept in one place.

Also the platform-vs-register inquiry check (the end of this module): a channel-week whose gap
exceeds a threshold makes the gate warn, in its Data Docs and in `xunpan status`.

Each source gives CNY per company and month from the rows the importers landed, before any
mart logic ran (the dbt model that converts them at the day's rate is the earliest layer with
CNY amounts). Adapt the relation and column names here when the dbt project renames them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context import FileDataContext
    from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

    from xunpan.config import Settings


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


# --- Platform vs register: channel-week inquiry gaps (a warning, never a block) ---------------

INQUIRY_GAP_SUITE = "inquiry_reconciliation"
INQUIRY_GAP_COLUMN = "check__gap_over_threshold"
INQUIRY_GAP_RELATION = ("marts", "mart_inquiry_reconciliation")
# The warning looks at the last few settled ISO weeks: older weeks warned in earlier runs.
INQUIRY_GAP_WEEKS = 4

INQUIRY_GAP_WEEKS_SQL = """
    -- One row per company x channel x complete ISO week whose days are all settled (the register
    -- can hold their inquiries); only days the platform reported count on both sides.
    with days as (
        select company_id, channel_id, date_day, inquiries_platform, inquiries_registered,
               is_settled, cast(date_trunc('week', date_day) as date) as week_start
        from marts.mart_inquiry_reconciliation
    ),
    weeks as (
        select company_id, channel_id, week_start,
               cast(week_start + interval 6 day as date) as week_end,
               count(distinct date_day) as days,
               bool_and(is_settled) as settled,
               sum(inquiries_platform) as inquiries_platform,
               sum(case when inquiries_platform is not null then inquiries_registered end)
                   as inquiries_registered
        from days
        group by company_id, channel_id, week_start
    ),
    recent as (
        select weeks.*,
               row_number() over (partition by company_id, channel_id order by week_start desc) as recency
        from weeks
        where days = 7 and settled and inquiries_platform is not null
    )
    select company_id, channel_id, week_start, week_end, inquiries_platform, inquiries_registered,
           inquiries_platform - inquiries_registered as inquiry_gap,
           case when inquiries_platform > 0
                then cast(inquiries_platform - inquiries_registered as double) / inquiries_platform
           end as inquiry_gap_share
    from recent
    where recency <= ?
    order by company_id, channel_id, week_start
"""


def inquiry_gap_weeks(warehouse: Path, weeks: int = INQUIRY_GAP_WEEKS) -> pd.DataFrame | None:
    """The last `weeks` settled channel-weeks of mart_inquiry_reconciliation; None without the mart."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not relation_exists(con, INQUIRY_GAP_RELATION):
            return None
        return con.execute(INQUIRY_GAP_WEEKS_SQL, [weeks]).df()


def relation_exists(con: duckdb.DuckDBPyConnection, relation: tuple[str, str]) -> bool:
    """Whether (schema, name) is a table or view of the connected warehouse.

    The gate's warning checks read models a smaller dbt selection may not have built; they warn
    about what is there and skip what is not.
    """
    schema, table = relation
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def label_gaps(frame: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Adds INQUIRY_GAP_COLUMN: a sentence naming company, channel, week and gap where |share| > threshold."""

    def label(row: Any) -> str | None:
        share = row.inquiry_gap_share
        if share is None or share != share or abs(share) <= threshold:  # NaN: platform reported 0
            return None
        return (
            f"{row.company_id} {row.channel_id} {row.week_start:%Y-%m-%d}..{row.week_end:%m-%d}: "
            f"平台 platform {int(row.inquiries_platform)}, 登记 register {int(row.inquiries_registered)}, "
            f"差 gap {int(row.inquiry_gap)} ({share:.1%})"
        )

    labelled = frame.copy()
    labelled[INQUIRY_GAP_COLUMN] = [label(row) for row in frame.itertuples()] if len(frame) else []
    return labelled


def inquiry_gap_validations(
    context: FileDataContext, settings: Settings, run_id: RunIdentifier
) -> list[tuple[ValidationResultIdentifier, ExpectationSuiteValidationResult]]:
    """Validates the recent channel-week gaps and stores the result in the gate's context.

    The result is stored like a checkpoint's, so the Data Docs the gate builds next show it; the
    expectation carries severity "warning", so the gate lists a week whose gap share exceeds
    `threshold` (XUNPAN_RECONCILIATION_GAP_THRESHOLD) as a warning and never blocks publishing.
    The check runs in an ephemeral GX context: nothing is written into the committed one.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    threshold = settings.reconciliation_gap_threshold
    weeks = inquiry_gap_weeks(settings.warehouse)
    if weeks is None:
        return []
    frame = label_gaps(weeks, threshold)
    scratch = gx.get_context(mode="ephemeral")
    batch = (
        scratch.data_sources.add_pandas(INQUIRY_GAP_SUITE)
        .add_dataframe_asset("mart_inquiry_reconciliation_weeks")
        .add_batch_definition_whole_dataframe("last_settled_weeks")
    )
    suite = scratch.suites.add(
        gx.ExpectationSuite(
            name=INQUIRY_GAP_SUITE,
            expectations=[
                gx.expectations.ExpectColumnValuesToBeNull(
                    column=INQUIRY_GAP_COLUMN,
                    meta={
                        "severity": "warning",
                        "notes": (
                            "平台与登记询盘差异 Platform-reported vs registered inquiries per company, "
                            f"B2B channel and ISO week (the last {INQUIRY_GAP_WEEKS} settled weeks): "
                            f"a gap above {threshold:.0%} of the platform's count "
                            "(XUNPAN_RECONCILIATION_GAP_THRESHOLD) means inquiries nobody recorded "
                            "(or recorded under another channel). See mart_inquiry_reconciliation."
                        ),
                    },
                )
            ],
        )
    )
    definition = scratch.validation_definitions.add(
        gx.ValidationDefinition(name=INQUIRY_GAP_SUITE, data=batch, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20},
        run_id=run_id,
    )
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=INQUIRY_GAP_SUITE),
        run_id=run_id,
        batch_identifier=f"{INQUIRY_GAP_SUITE}-last_settled_weeks",
    )
    context.validation_results_store.set(key, result)
    return [(key, result)]
