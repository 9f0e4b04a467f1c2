"""The published models as the data contract (section 3) states them: columns, grain, dates.

The columns, their order and their types are dbt's: every mart declares an enforced model
contract in its yml (dbt_project/models/marts/**), so dbt refuses to build a mart whose SQL does
not produce exactly those columns and types. They are read here from dbt's manifest, never typed
again. What dbt does not state (grain, freshness, sign, rates, the funnel) is stated below.

The suites are generated from this module, so a change to the contract is made here (or in the
marts' yml) once and `xunpan quality suites` rewrites the Great Expectations files from it.
"""

from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.transform import dbt_command, dbt_env, dbt_target_path, with_settings_vars

MANIFEST_NAME = "manifest.json"
# Where a contract is declared: the models' yml (and the project file's model configs).
_PROJECT_GLOBS = ("dbt_project.yml", "models/**/*.yml")


@dataclass(frozen=True)
class ContractColumn:
    name: str
    # As the yml spells it for the target dbt parsed against (e.g. decimal(18,2), text).
    data_type: str


def read_contracts(manifest: Path) -> dict[str, tuple[ContractColumn, ...]]:
    """Every model whose dbt contract is enforced -> its columns in table order, from a manifest."""
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError) as exc:
        raise XunpanError(f"{manifest}: cannot read dbt's manifest ({exc}); run `dbt parse`") from exc
    return {
        node["name"]: tuple(
            ContractColumn(c["name"], c.get("data_type") or "") for c in node["columns"].values()
        )
        for node in nodes.values()
        if node.get("resource_type") == "model" and node.get("config", {}).get("contract", {}).get("enforced")
    }


def manifest_file(settings: Settings) -> Path:
    """The manifest every dbt parse, build or docs run of this installation writes."""
    return dbt_target_path(settings) / MANIFEST_NAME


def _older_than_project(manifest: Path, project_dir: Path) -> bool:
    written = manifest.stat().st_mtime
    return any(p.stat().st_mtime > written for g in _PROJECT_GLOBS for p in project_dir.glob(g))


def _dbt_parse(settings: Settings) -> None:
    # The build's vars, so dbt keeps its partial-parse state for the next build.
    argv = dbt_command(settings, *with_settings_vars(settings, ["parse"]))
    done = subprocess.run(
        argv, cwd=settings.dbt_project_dir, env=dbt_env(settings), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise XunpanError(
            f"dbt parse failed (exit code {done.returncode}), so the contract is unknown:\n{tail}"
        )


def dbt_contracts(settings: Settings) -> dict[str, tuple[ContractColumn, ...]]:
    """The enforced contracts of settings' dbt project, as its current manifest states them.

    The manifest of the last dbt build is used as it is; `dbt parse` writes it first when there
    is none or when a model or yml of the project changed after it.
    """
    manifest = manifest_file(settings)
    if not manifest.is_file() or _older_than_project(manifest, settings.dbt_project_dir):
        _dbt_parse(settings)
    return read_contracts(manifest)


@functools.cache
def published_contracts() -> dict[str, tuple[ContractColumn, ...]]:
    """dbt_contracts of the environment's settings, read once per process (the gate, a command)."""
    return dbt_contracts(Settings.from_env())


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

    @property
    def columns(self) -> tuple[str, ...]:
        """The model's columns in table order: its dbt contract (manifest), checked against the rest."""
        contract = published_contracts().get(self.name)
        if contract is None:
            raise XunpanError(
                f"{self.name}: dbt's manifest holds no enforced contract for it; declare "
                "`config: {contract: {enforced: true}}` and every column's data_type in its yml"
            )
        columns = tuple(c.name for c in contract)
        named = (*self.grain, self.freshness_column, *self.non_negative, *self.not_null, *self.rates)
        unknown = sorted(set(named) - set(columns))
        if unknown:
            raise XunpanError(f"{self.name}: the quality contract names {unknown}, not in its dbt contract")
        return columns


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
