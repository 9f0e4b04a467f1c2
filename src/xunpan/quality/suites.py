"""Generates the Great Expectations file context in `expectations/` from the data contract.

Run `xunpan quality suites` after changing `contract.py` or this module, and commit the
result; `xunpan quality suites --check` exits non-zero when the committed files differ from what
the code generates.
Every id is a UUID derived from the object's name, so regenerating changes nothing unless an
expectation really changed, and a diff shows exactly that change.

Each published model has two suites (batches.py reads their batches):
  <model>            row by row, over the rows not yet checked: those of the days (partitions)
                     that differ from what is published, or every row when nothing published
                     is known to be checked
  <model>__history   the whole history in aggregate, one row per company and month computed in
                     SQL: not empty, fresh, one row per grain key, reconciled to the staging totals

Layout (committed):
  great_expectations.yml         stores, the pandas data source with one DataFrame asset per suite
  expectations/<suite>.json      the suites
  validation_definitions/<suite>.json, checkpoints/<suite>.json
Validation results and Data Docs go to ${XUNPAN_QUALITY_DIR}, which the gate sets to
`settings.quality_dir` under XUNPAN_HOME, so a run never writes into the checkout.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xunpan.quality.contract import (
    CHANNEL_GROUPS,
    FUNNEL_CHAIN,
    PRODUCT_CLASSES,
    PUBLISHED_MODELS,
    STAGES,
    PublishedModel,
)

# The history suite's name is the model's with this suffix.
HISTORY_SUFFIX = "__history"
# Columns of a history batch (see batches.py): besides company_id and MONTH_COLUMN, ROW_COUNT_COLUMN,
# the model's freshness column (its newest value in the month), the reconciled measure (the month's
# total) and the derived check__* columns.
MONTH_COLUMN = "month_start"
ROW_COUNT_COLUMN = "row_count"
DUPLICATE_KEYS_COLUMN = "check__duplicate_grain_keys"
SPEND_RECONCILIATION_COLUMN = "check__spend_variable_vs_staging_cny"
REVENUE_RECONCILIATION_COLUMN = "check__revenue_vs_staging_cny"
VOLUME_RATIO_COLUMN = "check__volume_ratio_vs_trailing_28d"

# Suite parameters the gate passes at run time (see batches.py).
PARAM_CHANNEL_IDS = "channel_ids"
PARAM_FRESHNESS_MIN_DATE = "freshness_min_date"
PARAM_FRESHNESS_MIN_MONTH = "freshness_min_month"
PARAM_AD_SPEND_TOTAL_MIN = "ad_spend_total_cny_min"
PARAM_AD_SPEND_TOTAL_MAX = "ad_spend_total_cny_max"
PARAM_ORDER_REVENUE_TOTAL_MIN = "order_revenue_total_cny_min"
PARAM_ORDER_REVENUE_TOTAL_MAX = "order_revenue_total_cny_max"

RECONCILIATION_TOLERANCE_CNY = 0.01
# The latest day's inquiries against the mean of the 28 days before it: outside this band warns.
VOLUME_RATIO_MIN = 0.25
VOLUME_RATIO_MAX = 4.0

WARNING = "warning"
DATASOURCE_NAME = "warehouse"
ROWS_BATCH_DEFINITION = "rows_not_yet_checked"
HISTORY_BATCH_DEFINITION = "whole_history_by_month"
GX_VERSION_PIN = "1.24.1"

_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/xunpan/xunpan/expectations")


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(parts)))


def _param(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def _expectation(
    suite: str, type_: str, severity: str | None = None, notes: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """One expectation as GX 1.x stores it, with an id derived from what it checks."""
    meta: dict[str, Any] = {}
    if severity == WARNING:
        meta["severity"] = WARNING
    if notes:
        meta["notes"] = notes
    identity = json.dumps({"type": type_, "kwargs": kwargs}, sort_keys=True)
    return {
        "id": stable_id("expectation", suite, identity),
        "kwargs": kwargs,
        "meta": meta,
        "severity": WARNING if severity == WARNING else "critical",
        "type": type_,
    }


def history_suite_name(model: PublishedModel) -> str:
    return model.name + HISTORY_SUFFIX


def build_expectations(model: PublishedModel) -> list[dict[str, Any]]:
    """The row suite of one published model, in a fixed order: what each row must satisfy."""
    s = model.name
    ex: list[dict[str, Any]] = [
        _expectation(
            s,
            "expect_table_columns_to_match_set",
            column_set=list(model.columns),
            exact_match=False,
            notes="Every column of the data contract is present.",
        ),
    ]
    ex += [_expectation(s, "expect_column_values_to_not_be_null", column=c) for c in model.required_not_null]

    if "channel_id" in model.columns:
        ex.append(
            _expectation(
                s,
                "expect_column_values_to_be_in_set",
                column="channel_id",
                value_set=_param(PARAM_CHANNEL_IDS),
                notes="Channel ids of dim_channels (the canonical channel seed).",
            )
        )
    if "channel_group" in model.columns:
        ex.append(
            _expectation(
                s, "expect_column_values_to_be_in_set", column="channel_group", value_set=list(CHANNEL_GROUPS)
            )
        )
    if "stage_reached" in model.columns:
        ex.append(
            _expectation(
                s, "expect_column_values_to_be_in_set", column="stage_reached", value_set=list(STAGES)
            )
        )
    if "product_class" in model.columns:
        ex.append(
            _expectation(
                s,
                "expect_column_values_to_be_in_set",
                column="product_class",
                value_set=list(PRODUCT_CLASSES),
            )
        )

    ex += [
        _expectation(s, "expect_column_values_to_be_between", column=c, min_value=0)
        for c in model.non_negative
    ]
    ex += [
        _expectation(s, "expect_column_values_to_be_between", column=c, min_value=0, max_value=1)
        for c in model.rates
    ]
    if "click_to_inquiry_rate" in model.columns:
        ex.append(
            _expectation(
                s,
                "expect_column_values_to_be_between",
                column="click_to_inquiry_rate",
                min_value=0,
                max_value=1,
                severity=WARNING,
                notes="Phone and chat inquiries attributed to a paid channel can outnumber its clicks.",
            )
        )

    if model.has_funnel:
        ex += [
            _expectation(
                s,
                "expect_column_pair_values_a_to_be_greater_than_b",
                column_A=wider,
                column_B=narrower,
                or_equal=True,
                notes="Funnel invariant: won <= effective <= intentional <= valid <= total.",
            )
            for wider, narrower in itertools.pairwise(FUNNEL_CHAIN)
        ]
    if model.name == "fct_inquiries":
        ex.append(
            _expectation(
                s,
                "expect_column_pair_values_to_be_in_set",
                column_A="stage_reached",
                column_B="is_won",
                value_pairs_set=[
                    ["received", False],
                    ["intentional", False],
                    ["effective", False],
                    ["won", True],
                ],
                notes="An inquiry is won exactly when its furthest stage is won.",
            )
        )

    return ex


def build_history_expectations(model: PublishedModel) -> list[dict[str, Any]]:
    """The history suite of one published model: the whole table, aggregated by company and month."""
    s = history_suite_name(model)
    ex: list[dict[str, Any]] = [
        _expectation(
            s,
            "expect_table_row_count_to_be_between",
            min_value=1,
            notes="The table is not empty: at least one company and month has rows.",
        ),
        _expectation(
            s,
            "expect_column_values_to_be_null",
            column=DUPLICATE_KEYS_COLUMN,
            notes=f"Grain over the whole history: one row per {' x '.join(model.grain)}; "
            "a value names keys that occur more than once.",
        ),
    ]
    freshness_param = PARAM_FRESHNESS_MIN_MONTH if model.monthly else PARAM_FRESHNESS_MIN_DATE
    ex.append(
        _expectation(
            s,
            "expect_column_max_to_be_between",
            column=model.freshness_column,
            min_value=_param(freshness_param),
            # Orders are few per month: a month without one yet is normal, so margin freshness warns.
            severity=WARNING if model.name == "mart_product_margin" else None,
            notes="Freshness: the latest date is within XUNPAN_FRESHNESS_DAYS of the run date.",
        )
    )
    if "spend_variable_cny" in model.columns:
        ex += _reconciliation(
            s,
            SPEND_RECONCILIATION_COLUMN,
            "spend_variable_cny",
            PARAM_AD_SPEND_TOTAL_MIN,
            PARAM_AD_SPEND_TOTAL_MAX,
            "imported ad spend",
        )
    if model.name == "mart_product_margin":
        ex += _reconciliation(
            s,
            REVENUE_RECONCILIATION_COLUMN,
            "revenue_cny",
            PARAM_ORDER_REVENUE_TOTAL_MIN,
            PARAM_ORDER_REVENUE_TOTAL_MAX,
            "imported order lines",
        )
    if model.name == "fct_inquiries":
        ex.append(
            _expectation(
                s,
                "expect_column_values_to_be_between",
                column=VOLUME_RATIO_COLUMN,
                min_value=VOLUME_RATIO_MIN,
                max_value=VOLUME_RATIO_MAX,
                severity=WARNING,
                notes="Volume: the latest day's inquiries against the daily mean of the trailing 28 days.",
            )
        )
    return ex


def _reconciliation(
    suite: str, check_column: str, measure: str, total_min: str, total_max: str, source: str
) -> list[dict[str, Any]]:
    note = f"Reconciliation: {measure} per company and month equals the {source}, to the cent."
    return [
        _expectation(
            suite,
            "expect_column_values_to_not_be_null",
            column=check_column,
            notes=f"{note} NULL means the staging totals could not be read.",
        ),
        _expectation(
            suite,
            "expect_column_values_to_be_between",
            column=check_column,
            min_value=-RECONCILIATION_TOLERANCE_CNY,
            max_value=RECONCILIATION_TOLERANCE_CNY,
            notes=note,
        ),
        _expectation(
            suite,
            "expect_column_sum_to_be_between",
            column=measure,
            min_value=_param(total_min),
            max_value=_param(total_max),
            notes=f"The whole table's {measure} equals the {source} (months missing "
            "from the mart show here).",
        ),
    ]


@dataclass(frozen=True)
class SuiteSpec:
    """One suite with its DataFrame asset, batch definition, validation definition and checkpoint."""

    name: str
    model: PublishedModel
    batch_definition: str
    expectations: list[dict[str, Any]]
    notes: str


def suite_specs(model: PublishedModel) -> tuple[SuiteSpec, SuiteSpec]:
    """The row suite and the history suite of one published model."""
    audit = f"Audit of marts.{model.name} before it is published (generated by xunpan.quality.suites; do not edit by hand)"
    return (
        SuiteSpec(
            model.name,
            model,
            ROWS_BATCH_DEFINITION,
            build_expectations(model),
            f"{audit}: every row of the days not yet published as they are now.",
        ),
        SuiteSpec(
            history_suite_name(model),
            model,
            HISTORY_BATCH_DEFINITION,
            build_history_expectations(model),
            f"{audit}: the whole table, aggregated in SQL by company and month.",
        ),
    )


def all_specs() -> list[SuiteSpec]:
    return [spec for model in PUBLISHED_MODELS for spec in suite_specs(model)]


def build_suite(spec: SuiteSpec) -> dict[str, Any]:
    return {
        "expectations": spec.expectations,
        "id": stable_id("suite", spec.name),
        "meta": {"great_expectations_version": GX_VERSION_PIN, "grain": list(spec.model.grain)},
        "name": spec.name,
        "notes": spec.notes,
    }


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"id": stable_id(kind, name), "name": name}


def build_validation_definition(spec: SuiteSpec) -> dict[str, Any]:
    return {
        "data": {
            "asset": _ref("asset", spec.name),
            "batch_definition": {
                "id": stable_id("batch_definition", spec.name),
                "name": spec.batch_definition,
            },
            "datasource": _ref("datasource", DATASOURCE_NAME),
        },
        "id": stable_id("validation_definition", spec.name),
        "name": spec.name,
        "suite": _ref("suite", spec.name),
    }


def build_checkpoint(spec: SuiteSpec) -> dict[str, Any]:
    # One checkpoint per suite: a DataFrame batch is passed at run time and GX gives every
    # validation definition of a checkpoint the same batch parameters. The gate builds the
    # Data Docs once after all checkpoints ran, so no action here.
    return {
        "actions": [],
        "id": stable_id("checkpoint", spec.name),
        "name": spec.name,
        "result_format": {"result_format": "SUMMARY", "partial_unexpected_count": 10},
        "validation_definitions": [_ref("validation_definition", spec.name)],
    }


def build_config_yaml() -> str:
    assets = "".join(
        f"""      {spec.name}:
        type: dataframe
        id: {stable_id("asset", spec.name)}
        batch_metadata: {{}}
        batch_definitions:
          {spec.batch_definition}:
            id: {stable_id("batch_definition", spec.name)}
            partitioner:
"""
        for spec in all_specs()
    )
    return f"""# Great Expectations file context of xunpan: generated by `xunpan quality suites`.
# Suites, validation definitions and checkpoints are committed here; validation results and
# Data Docs go to ${{XUNPAN_QUALITY_DIR}} (settings.quality_dir under XUNPAN_HOME), set by the gate.
config_version: 4.0
analytics_enabled: false
data_context_id:
plugins_directory:
config_variables_file_path:
progress_bars:
  globally: false
  metric_calculations: false
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: expectations/
      suppress_store_backend_id: true
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: ${{XUNPAN_QUALITY_DIR}}/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: checkpoints/
      suppress_store_backend_id: true
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: validation_definitions/
      suppress_store_backend_id: true
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  local_site:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: ${{XUNPAN_QUALITY_DIR}}/data_docs/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
fluent_datasources:
  {DATASOURCE_NAME}:
    type: pandas
    id: {stable_id("datasource", DATASOURCE_NAME)}
    assets:
{assets}"""


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generated_files() -> dict[str, str]:
    """Relative path inside expectations/ -> file content."""
    files = {"great_expectations.yml": build_config_yaml()}
    for spec in all_specs():
        files[f"expectations/{spec.name}.json"] = _json(build_suite(spec))
        files[f"validation_definitions/{spec.name}.json"] = _json(build_validation_definition(spec))
        files[f"checkpoints/{spec.name}.json"] = _json(build_checkpoint(spec))
    return files


def differences(root: Path) -> list[str]:
    """Files under root that are missing or differ from what the code generates."""
    return [
        rel
        for rel, text in generated_files().items()
        if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text
    ]


def write(root: Path) -> list[str]:
    """Write the generated files under root; returns the ones that changed."""
    changed = differences(root)
    files = generated_files()
    for rel in changed:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel], encoding="utf-8")
    return changed
