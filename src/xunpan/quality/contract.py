"""The published models as the data contract (section 3) states them: columns, grain, dates.

The suites are generated from this module, so a change to the contract is made here once and
`xunpan quality suites` rewrites the Great Expectations files from it.
"""

from __future__ import annotations

from dataclasses import dataclass

CANONICAL_CHANNELS: tuple[str, ...] = (
    "alibaba_intl",
    "alibaba_1688",
    "made_in_china",
    "hc360",
    "global_sources",
    "baidu_ppc",
    "baidu_seo",
    "so360_ppc",
    "sogou_ppc",
    "shenma_ppc",
    "google_ads",
    "google_seo",
    "website_direct",
    "wechat",
    "weibo",
    "douyin",
    "exhibition",
    "referral",
    "unknown",
)
CHANNEL_GROUPS: tuple[str, ...] = (
    "b2b_platform",
    "paid_search",
    "organic_search",
    "social",
    "website",
    "offline",
    "referral",
    "other",
)
STAGES: tuple[str, ...] = ("received", "intentional", "effective", "won")
# `unallocated` is the margin mart's row for channel cost of a month with no valid inquiry to
# allocate it to; it keeps the allocation adding back to the channel cost.
PRODUCT_CLASSES: tuple[str, ...] = ("flagship", "supporting", "unallocated")

# Stage counts of the funnel, widest first: each must be >= the next (won <= effective <= ...).
FUNNEL_CHAIN: tuple[str, ...] = (
    "inquiries_total",
    "inquiries_valid",
    "inquiries_intentional",
    "inquiries_effective",
    "inquiries_won",
)


@dataclass(frozen=True)
class PublishedModel:
    """One table of schema `marts` that the gate validates before it may be published."""

    name: str
    columns: tuple[str, ...]
    grain: tuple[str, ...]
    # The business date that says how fresh the model is, and whether it is a month start.
    freshness_column: str
    monthly: bool
    # Never negative: money that is a cost, spend or revenue, counts, durations.
    non_negative: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    # Ratios that must lie in [0, 1]; NULL (zero denominator) is allowed.
    rates: tuple[str, ...] = ()
    has_funnel: bool = False

    @property
    def required_not_null(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.grain + self.not_null))


_COUNTS = (
    "inquiries_total",
    "inquiries_valid",
    "inquiries_intentional",
    "inquiries_effective",
    "inquiries_won",
)
_COST_MEASURES = (
    "spend_variable_cny",
    "spend_fixed_cny",
    "spend_total_cny",
    "impressions",
    "clicks",
    *_COUNTS,
    "won_revenue_cny",
    "won_gross_profit_cny",
)

FCT_INQUIRIES = PublishedModel(
    name="fct_inquiries",
    columns=(
        "company_id",
        "inquiry_id",
        "received_at",
        "received_date",
        "channel_id",
        "channel_group",
        "is_paid",
        "contact_method",
        "country",
        "product_sku",
        "product_line",
        "stage_reached",
        "is_won",
        "is_lost",
        "is_open",
        "is_invalid",
        "lost_stage",
        "lost_reason",
        "intentional_at",
        "effective_at",
        "won_at",
        "lost_at",
        "days_to_intentional",
        "days_to_effective",
        "days_to_won",
        "won_revenue_cny",
        "won_gross_profit_cny",
        # the normalised id is inquiry_id (XP-003 = XP-3); this is the id as sales typed it
        "inquiry_id_as_written",
    ),
    grain=("company_id", "inquiry_id"),
    not_null=(
        "received_at",
        "received_date",
        "channel_id",
        "channel_group",
        "stage_reached",
        "is_won",
        "is_lost",
        "is_open",
        "is_invalid",
    ),
    freshness_column="received_date",
    monthly=False,
    non_negative=("days_to_intentional", "days_to_effective", "days_to_won", "won_revenue_cny"),
)

MART_INQUIRY_FUNNEL = PublishedModel(
    name="mart_inquiry_funnel",
    columns=(
        "company_id",
        "received_date",
        "channel_id",
        "channel_group",
        "is_paid",
        "product_line",
        "inquiries_total",
        "inquiries_invalid",
        "inquiries_valid",
        "inquiries_intentional",
        "inquiries_effective",
        "inquiries_won",
        "inquiries_lost",
        "inquiries_open",
        "won_revenue_cny",
        "sum_days_to_won",
        "is_last_complete_month",
        "is_last_complete_week",
    ),
    grain=("company_id", "received_date", "channel_id", "product_line"),
    not_null=("channel_group", *_COUNTS, "inquiries_lost", "is_last_complete_month", "is_last_complete_week"),
    freshness_column="received_date",
    monthly=False,
    non_negative=(
        *_COUNTS,
        "inquiries_invalid",
        "inquiries_lost",
        "inquiries_open",
        "won_revenue_cny",
        "sum_days_to_won",
    ),
    has_funnel=True,
)

MART_INQUIRY_FUNNEL_MONTHLY = PublishedModel(
    name="mart_inquiry_funnel_monthly",
    columns=(
        "company_id",
        "month_start",
        "inquiries_total",
        "inquiries_invalid",
        "inquiries_valid",
        "inquiries_intentional",
        "inquiries_effective",
        "inquiries_won",
        "inquiries_lost",
        "inquiries_open",
        "won_revenue_cny",
        "sum_days_to_won",
        "intentional_rate",
        "effective_rate",
        "win_rate",
        "overall_conversion_rate",
        "invalid_rate",
        "avg_days_to_won",
        "open_share",
        "is_cohort_mature",
        "is_last_complete_month",
    ),
    grain=("company_id", "month_start"),
    not_null=(*_COUNTS, "is_cohort_mature", "is_last_complete_month"),
    freshness_column="month_start",
    monthly=True,
    non_negative=(
        *_COUNTS,
        "inquiries_invalid",
        "inquiries_lost",
        "inquiries_open",
        "won_revenue_cny",
        "sum_days_to_won",
        "avg_days_to_won",
    ),
    rates=(
        "intentional_rate",
        "effective_rate",
        "win_rate",
        "overall_conversion_rate",
        "invalid_rate",
        "open_share",
    ),
    has_funnel=True,
)

# Issue 8: costed revenue and the flag behind a NULL (unknown) gross profit.
_COST_COVERAGE = ("won_revenue_costed_cny", "inquiries_won_uncosted")

MART_CHANNEL_COST_PER_INQUIRY = PublishedModel(
    name="mart_channel_cost_per_inquiry",
    columns=(
        "company_id",
        "date_day",
        "channel_id",
        "channel_group",
        "is_paid",
        *_COST_MEASURES,
        *_COST_COVERAGE,
        "is_last_complete_month",
        "is_last_complete_week",
    ),
    grain=("company_id", "date_day", "channel_id"),
    not_null=(
        "channel_group",
        "spend_variable_cny",
        "spend_fixed_cny",
        "spend_total_cny",
        *_COUNTS,
        *_COST_COVERAGE,
        "is_last_complete_month",
        "is_last_complete_week",
    ),
    freshness_column="date_day",
    monthly=False,
    # won_gross_profit_cny may be negative, and NULL when some won revenue has no known cost
    non_negative=(*(c for c in _COST_MEASURES if c != "won_gross_profit_cny"), *_COST_COVERAGE),
    has_funnel=True,
)

MART_CHANNEL_COST_PER_INQUIRY_MONTHLY = PublishedModel(
    name="mart_channel_cost_per_inquiry_monthly",
    columns=(
        "company_id",
        "month_start",
        "channel_id",
        "channel_group",
        "is_paid",
        *_COST_MEASURES,
        "cost_per_inquiry_cny",
        "cost_per_intentional_cny",
        "cost_per_effective_cny",
        "cost_per_won_cny",
        "roas",
        "roi",
        "click_to_inquiry_rate",
        "inquiry_share",
        *_COST_COVERAGE,
        "cost_coverage",
        "is_last_complete_month",
    ),
    grain=("company_id", "month_start", "channel_id"),
    not_null=(
        "channel_group",
        "spend_variable_cny",
        "spend_fixed_cny",
        "spend_total_cny",
        *_COUNTS,
        *_COST_COVERAGE,
        "is_last_complete_month",
    ),
    freshness_column="month_start",
    monthly=True,
    non_negative=(
        *(c for c in _COST_MEASURES if c != "won_gross_profit_cny"),
        *_COST_COVERAGE,
        "cost_per_inquiry_cny",
        "cost_per_intentional_cny",
        "cost_per_effective_cny",
        "cost_per_won_cny",
        "roas",
    ),
    rates=("inquiry_share", "cost_coverage"),
    has_funnel=True,
)

MART_PRODUCT_MARGIN = PublishedModel(
    name="mart_product_margin",
    columns=(
        "company_id",
        "month_start",
        "product_sku",
        "product_name",
        "product_line",
        "units",
        "revenue_cny",
        "material_cost_cny",
        "labor_cost_cny",
        "loss_cost_cny",
        "process_cost_cny",
        "cogs_cny",
        "gross_profit_cny",
        "inquiries_valid",
        "inquiries_won",
        "allocated_marketing_cost_cny",
        "contribution_cny",
        "product_class",
        "revenue_costed_cny",
        "cost_coverage",
        "order_lines_uncosted",
        "is_last_complete_month",
    ),
    grain=("company_id", "month_start", "product_sku"),
    # gross_profit_cny and contribution_cny are NULL (unknown) when revenue has no valid cost card
    not_null=(
        "product_class",
        "revenue_cny",
        "cogs_cny",
        "revenue_costed_cny",
        "order_lines_uncosted",
        "is_last_complete_month",
    ),
    freshness_column="month_start",
    monthly=True,
    rates=("cost_coverage",),
    non_negative=(
        "units",
        "revenue_cny",
        "revenue_costed_cny",
        "order_lines_uncosted",
        "material_cost_cny",
        "labor_cost_cny",
        "loss_cost_cny",
        "process_cost_cny",
        "cogs_cny",
        "inquiries_valid",
        "inquiries_won",
        "allocated_marketing_cost_cny",
    ),
)

PUBLISHED_MODELS: tuple[PublishedModel, ...] = (
    FCT_INQUIRIES,
    MART_INQUIRY_FUNNEL,
    MART_INQUIRY_FUNNEL_MONTHLY,
    MART_CHANNEL_COST_PER_INQUIRY,
    MART_CHANNEL_COST_PER_INQUIRY_MONTHLY,
    MART_PRODUCT_MARGIN,
)

MODELS_BY_NAME: dict[str, PublishedModel] = {m.name: m for m in PUBLISHED_MODELS}
