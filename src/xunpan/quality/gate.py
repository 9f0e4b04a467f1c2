"""The audit step of write-audit-publish: Great Expectations checkpoints over every published model.

`run_quality_gate` reads each model from the warehouse (read-only) as two batches (batches.py):
the rows not yet checked, those of the days that differ from what is published, validated row by
row; and the whole history aggregated in SQL by company and month. It runs both checkpoints from
the committed file context in `expectations/`, builds the Data Docs under `settings.quality_dir`
and returns what failed. Validation grows with the changed days and the number of months; what
grows with the history's rows is DuckDB's scans (the partition comparison and the aggregates). Expectations whose meta says `severity: warning` only warn; any other
failure blocks publishing. The caller decides what to do with a failed result (the DAG raises
`QualityGateFailed` through `GateResult.raise_for_failure()`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.files import write_json_atomic
from xunpan.publish import current_publication, current_serving_file, safe_run_id
from xunpan.quality import history, suites
from xunpan.quality.batches import Published, read_batches
from xunpan.quality.contract import PUBLISHED_MODELS
from xunpan.quality.freshness import calendar_freshness_days
from xunpan.quality.offline_docs import make_gx_site_offline
from xunpan.quality.reconciliation import inquiry_gap_validations, relation_exists

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.data_context import FileDataContext

log = logging.getLogger(__name__)

# superset/assets/dashboards/data_quality.yaml
DASHBOARD_SLUG = "data-quality"
_DETAIL_SAMPLES = 5


class QualityGateFailed(XunpanError):
    """Blocking expectations failed: the run must stop before publish."""


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    expectation_type: str
    column: str | None
    details: str
    docs_page: str | None = None

    def describe(self) -> str:
        where = f"({self.column})" if self.column else ""
        return f"{self.suite}: {self.expectation_type}{where}: {self.details}"

    def __str__(self) -> str:
        return self.describe()


@dataclass
class GateResult:
    run_id: str
    run_date: dt.date
    success: bool
    failures: list[FailedExpectation]
    warnings: list[FailedExpectation]
    data_docs_index: Path
    report: Path
    evaluated: int = 0
    # Rows of each model's table, and how many of them were checked row by row (the rest are
    # published as they are and passed then); `checked_against` is that published run's id, and
    # `all_rows_because` says why a model's rows were all checked (None: only the changed days).
    row_counts: dict[str, int] = field(default_factory=dict)
    rows_checked: dict[str, int] = field(default_factory=dict)
    checked_against: str | None = None
    all_rows_because: dict[str, str | None] = field(default_factory=dict)
    # The Data Docs page to open first for this run (its first failure's or warning's validation
    # page, else the index), and the data-quality dashboard.
    data_docs_page: str | None = None
    dashboard_url: str | None = None

    def summary(self) -> str:
        state = "passed" if self.success else "FAILED"
        lines = [
            f"Quality gate {state} for run {self.run_id} (business date {self.run_date.isoformat()}): "
            f"{self.evaluated} expectations, {len(self.failures)} blocking failure(s), "
            f"{len(self.warnings)} warning(s)."
        ]
        if self.row_counts:
            scope = [f"the days that differ from run {self.checked_against}"] if self.checked_against else []
            by_reason: dict[str, list[str]] = {}
            for name, reason in sorted(self.all_rows_because.items()):
                if reason:
                    by_reason.setdefault(reason, []).append(name)
            scope += [f"every row of {', '.join(names)}: {reason}" for reason, names in by_reason.items()]
            lines.append(
                f"Rows checked one by one: {sum(self.rows_checked.values()):,} of "
                f"{sum(self.row_counts.values()):,} ({'; '.join(scope)}); every row in aggregate."
            )
        if self.failures:
            lines.append("Blocking failures:")
            lines += [f"  - {f.describe()}" for f in self.failures]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {w.describe()}" for w in self.warnings]
        lines.append(f"Data Docs: {self.data_docs_index}")
        if self.data_docs_page:
            lines.append(f"Data Docs page of this run: {self.data_docs_page}")
        if self.dashboard_url:
            lines.append(f"数据质量 Data quality dashboard: {self.dashboard_url}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for XCom, the run report and `xunpan status`)."""
        return {
            "run_id": self.run_id,
            "run_date": self.run_date.isoformat(),
            "success": self.success,
            "evaluated": self.evaluated,
            "failures": [asdict(f) for f in self.failures],
            "warnings": [asdict(w) for w in self.warnings],
            "data_docs_index": str(self.data_docs_index),
            "report": str(self.report),
            "row_counts": self.row_counts,
            "rows_checked": self.rows_checked,
            "checked_against": self.checked_against,
            "all_rows_because": self.all_rows_because,
            "data_docs_page": self.data_docs_page,
            "dashboard_url": self.dashboard_url,
        }

    def raise_for_failure(self) -> None:
        if not self.success:
            raise QualityGateFailed(self.summary())


def open_context(settings: Settings) -> FileDataContext:
    """The committed file context, with results and Data Docs sent to settings.quality_dir."""
    import great_expectations as gx

    root = settings.expectations_dir.resolve()
    if not (root / "great_expectations.yml").is_file():
        # get_context would quietly scaffold a new, empty context into the checkout.
        raise XunpanError(
            f"{root}: no great_expectations.yml; expected the committed GX file context "
            "(regenerate it with `xunpan quality suites`)"
        )
    settings.quality_dir.mkdir(parents=True, exist_ok=True)
    return gx.get_context(
        mode="file",
        context_root_dir=str(root),
        runtime_environment={"XUNPAN_QUALITY_DIR": str(settings.quality_dir)},
    )


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(map(str, kwargs["column_list"]))
    return None


def _short(value: Any, limit: int = 8) -> str:
    if isinstance(value, list | tuple | set) and len(value) > limit:
        return f"[{', '.join(map(str, list(value)[:limit]))}, ... ({len(value)} values)]"
    return str(value)


def _details(result: ExpectationValidationResult) -> str:
    config = result.expectation_config
    kwargs = config.kwargs
    parts: list[str] = []
    exception = result.exception_info or {}
    if exception.get("raised_exception"):
        parts.append(f"could not be evaluated: {exception.get('exception_message')}")
    outcome = result.result or {}
    if "observed_value" in outcome:
        parts.append(f"observed {_short(outcome['observed_value'])}")
    if outcome.get("unexpected_count"):
        sample = outcome.get("partial_unexpected_list") or []
        parts.append(
            f"{outcome['unexpected_count']} of {outcome.get('element_count')} rows unexpected, "
            f"e.g. {_short(sample[:_DETAIL_SAMPLES])}"
        )
    expected = {
        k: _short(v)
        for k, v in kwargs.items()
        if k in ("min_value", "max_value", "value_set", "value_pairs_set", "or_equal", "column_set")
        and v is not None
    }
    if expected:
        parts.append("expected " + ", ".join(f"{k}={v}" for k, v in expected.items()))
    notes = (config.meta or {}).get("notes")
    if notes:
        parts.append(str(notes))
    return "; ".join(parts) or "failed"


def _is_warning(result: ExpectationValidationResult) -> bool:
    config = result.expectation_config
    return (config.meta or {}).get("severity") == suites.WARNING


FX_USAGE_RELATION = ("intermediate", "int_fx_rate_usage")


def stale_fx_warnings(warehouse: Path, max_age_days: int) -> list[FailedExpectation]:
    """One warning per currency and rate that was used more than max_age_days after its date.

    Rates are global (docs/raw-landing.md); int_fx_rate_usage records which rate every
    foreign-currency amount used. A stale rate still converts (the figures stay reconciled) but
    the owner should load newer rates, so it warns and never blocks publishing.
    """
    import duckdb

    schema, table = FX_USAGE_RELATION
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not relation_exists(con, FX_USAGE_RELATION):
            return []
        rows = con.execute(
            f"""
            select currency, rate_date, min(used_on), max(used_on), count(distinct used_on),
                   max(rate_age_days), string_agg(distinct amount_kind, ', ' order by amount_kind)
            from {schema}.{table}
            where rate_age_days > ?
            group by currency, rate_date
            order by currency, rate_date
            """,
            [max_age_days],
        ).fetchall()
    warnings = []
    for currency, rate_date, first_day, last_day, days, oldest, kinds in rows:
        span = f"on {first_day}" if days == 1 else f"on {days} days from {first_day} to {last_day}"
        warnings.append(
            FailedExpectation(
                suite="fx_rates",
                expectation_type="fx_rate_max_age",
                column="currency",
                details=(
                    f"{currency} 汇率过期: the {currency} rate of {rate_date} is used {span} "
                    f"({kinds}), up to {oldest} days after its date; the limit is {max_age_days} days "
                    "(XUNPAN_FX_MAX_AGE_DAYS). Load a newer rate for those days."
                ),
            )
        )
    return warnings


def prune_quality_results(
    settings: Settings, keep: int, current: str | None = None, published: str | None = None
) -> list[str]:
    """Delete validation results and Data Docs pages of all but the newest `keep` runs.

    `current` (the run about to be validated) is never counted nor deleted; nor is `published`
    (the run whose marts the dashboards show: its report says how they were checked).
    """
    validations = settings.quality_dir / "validations"
    docs = settings.quality_dir / "data_docs" / "validations"
    newest: dict[str, float] = {}
    for run_dir in validations.glob("*/*"):
        if run_dir.is_dir() and run_dir.name not in (current, published):
            newest[run_dir.name] = max(newest.get(run_dir.name, 0.0), run_dir.stat().st_mtime)
    ordered = sorted(newest, key=lambda name: newest[name], reverse=True)
    pruned = ordered[keep:]
    for run_name in pruned:
        for base in (validations, docs):
            for run_dir in base.glob(f"*/{run_name}"):
                shutil.rmtree(run_dir, ignore_errors=True)
        (settings.quality_dir / "runs" / f"{run_name}.json").unlink(missing_ok=True)
    return pruned


def run_quality_gate(settings: Settings, run_date: dt.date, run_id: str) -> GateResult:
    """Validate every published model of the warehouse; never publishes, never raises on bad data.

    Raises XunpanError only when the gate itself cannot run (no warehouse, no GX context).
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    if not settings.warehouse.is_file():
        raise XunpanError(
            f"{settings.warehouse}: the warehouse does not exist; expected the dbt build "
            "to have written it before the quality gate"
        )
    run_name = safe_run_id(run_id)
    context = open_context(settings)
    # Public holidays (the trade calendar) do not count against the allowed gap: a Spring
    # Festival shutdown is not stale data (xunpan.quality.freshness).
    allowed = calendar_freshness_days(settings.dbt_project_dir / "seeds", run_date, settings.freshness_days)
    published = published_baseline(settings)
    batches = read_batches(
        settings.warehouse, run_date, allowed, settings.expectations_dir / "expectations", published
    )
    gx_run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))

    # Make room for this run first, so the Data Docs are built once and list only kept runs.
    keep = settings.quality_keep
    pruned = prune_quality_results(
        settings,
        max(keep - 1, 0),
        current=run_name,
        published=safe_run_id(published.run_id) if published else None,
    )
    if pruned:
        log.info("pruned the quality results of %d old run(s)", len(pruned))

    failures: list[FailedExpectation] = [
        FailedExpectation(
            suite=name,
            expectation_type="table_exists",
            column=None,
            details=f"marts.{name} is not in the warehouse {settings.warehouse}",
        )
        for name in batches.missing_models
    ]
    warnings: list[FailedExpectation] = []
    evaluated = 0
    results: list[tuple[Any, Any]] = []
    for model in PUBLISHED_MODELS:
        model_batches = batches.models.get(model.name)
        if model_batches is None:
            continue
        rows_suite, history_suite = suites.suite_specs(model)
        for spec, frame in ((rows_suite, model_batches.rows), (history_suite, model_batches.history)):
            outcome = context.checkpoints.get(spec.name).run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=batches.parameters,
                run_id=gx_run_id,
            )
            results += list(outcome.run_results.items())
    results += inquiry_gap_validations(context, settings, gx_run_id)  # platform vs register, warns only

    # Only this run's pages and the suites' are rendered; the kept runs' pages do not change.
    context.build_data_docs(
        resource_identifiers=[key for key, _ in results]
        + [ExpectationSuiteIdentifier(name=spec.name) for spec in suites.all_specs()]
    )
    # GX writes CDN addresses into every page; rewrite them to the vendored copies (offline_docs.py).
    make_gx_site_offline(settings.quality_dir / "data_docs", settings.repo)

    records: list[history.ExpectationRecord] = []
    for key, validation in results:
        suite = validation.suite_name
        page = _docs_page(context, key)
        for result in validation.results:
            evaluated += 1
            records.append(
                history.expectation_record(
                    result, suite, suites.WARNING if _is_warning(result) else "blocking", page
                )
            )
            if result.success:
                continue
            failed = FailedExpectation(
                suite=suite,
                expectation_type=result.expectation_config.type,
                column=_column_of(result.expectation_config.kwargs),
                details=_details(result),
                docs_page=page,
            )
            (warnings if _is_warning(result) else failures).append(failed)

    warnings += stale_fx_warnings(settings.warehouse, settings.fx_max_age_days)

    index = settings.quality_dir / "data_docs" / "index.html"
    report = settings.quality_dir / "runs" / f"{run_name}.json"
    finished_at = dt.datetime.now(dt.UTC)
    # Checks outside GX (FX age, and any hook that appends to the lists) go into the history too.
    from_gx = {(r.suite, r.expectation_type, r.column_name) for r in records if r.outcome != "passed"}
    records += [
        history.ExpectationRecord(
            suite=f.suite,
            expectation_type=f.expectation_type,
            column_name=f.column,
            severity=severity,
            outcome=outcome,
            notes=f.details[:500],
            data_docs_page=f.docs_page,
        )
        for items, severity, outcome in (
            (failures, "blocking", "failed"),
            (warnings, suites.WARNING, "warned"),
        )
        for f in items
        if (f.suite, f.expectation_type, f.column) not in from_gx
    ]
    first_page = next((f.docs_page for f in failures + warnings if f.docs_page), None)
    run_page = first_page or index.resolve().as_uri()
    history.record_gate_run(
        settings,
        run_id=run_id,
        business_date=run_date,
        finished_at=finished_at,
        expectations=records,
        evaluated=evaluated,
        data_docs_page=run_page,
        freshness_limit_days=settings.freshness_days,
        companies={
            str(company)
            for model_batches in batches.models.values()
            for company in model_batches.history["company_id"].dropna().unique()
        },
    )
    gate = GateResult(
        run_id=run_id,
        run_date=run_date,
        success=not failures,
        failures=failures,
        warnings=warnings,
        data_docs_index=index,
        report=report,
        evaluated=evaluated,
        row_counts={name: b.table_rows for name, b in batches.models.items()},
        rows_checked={name: len(b.rows) for name, b in batches.models.items()},
        checked_against=published.run_id if published else None,
        all_rows_because={name: b.all_rows_because for name, b in batches.models.items()},
        data_docs_page=run_page,
        dashboard_url=settings.dashboard_url(DASHBOARD_SLUG),
    )
    payload = {
        **gate.as_dict(),
        "finished_at": finished_at.isoformat(),
        "missing_reconciliation_sources": batches.missing_sources,
        # What the next run compares the published rows' checks with (batches.row_check_digest).
        "row_check_digests": {name: b.digest for name, b in batches.models.items()},
        "checked_checksums": {name: b.checksum for name, b in batches.models.items()},
    }
    write_json_atomic(report, payload)
    write_json_atomic(settings.quality_dir / "latest.json", payload)
    log.info("%s", gate.summary())
    return gate


def published_baseline(settings: Settings) -> Published | None:
    """What the dashboards show now, with the row-check digests of the gate that let it through.

    A model's digest counts only when its published table is exactly the table that gate checked
    (the checksum the gate recorded equals the publish manifest's): a warehouse changed between a
    run's gate and its publish, a publish without a gate, or a report that is gone or predates
    this leave the model without one, and all its rows are checked again.
    """
    publication = current_publication(settings)
    path = current_serving_file(settings)
    if publication is None or path is None or not publication.get("run_id"):
        return None
    run_id = str(publication["run_id"])
    report = gate_report(settings, run_id) or {}
    if not report.get("success"):
        return Published(path, run_id, {})
    published_tables = publication.get("tables") or {}
    checked = report.get("checked_checksums") or {}
    digests = {
        name: digest
        for name, digest in (report.get("row_check_digests") or {}).items()
        if checked.get(name) and checked.get(name) == (published_tables.get(name) or {}).get("checksum")
    }
    return Published(path, run_id, digests)


def _docs_page(context: FileDataContext, key: Any) -> str | None:
    """The Data Docs page of one validation result (a file:// URL), if the site has it."""
    try:
        sites = context.get_docs_sites_urls(resource_identifier=key, only_if_exists=True)
    except Exception:  # the page is a convenience; the index always exists
        log.debug("no Data Docs page for %s", key, exc_info=True)
        return None
    for site in sites:
        if site.get("site_url"):
            return str(site["site_url"])
    return None


def last_gate(settings: Settings) -> dict[str, Any] | None:
    """The report of the most recent gate run in this XUNPAN_HOME (for `xunpan status`)."""
    path = settings.quality_dir / "latest.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def gate_report(settings: Settings, run_id: str) -> dict[str, Any] | None:
    """The report of the gate run `run_id` (for the audit task's extra links), if it ran."""
    path = settings.quality_dir / "runs" / f"{safe_run_id(run_id)}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
