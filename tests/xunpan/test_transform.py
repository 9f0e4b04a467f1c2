"""When the daily build must rebuild every day of the incremental tables (xunpan.transform)."""

from __future__ import annotations

from pathlib import Path

from xunpan.config import Settings
from xunpan.transform import build_inputs, build_record_path, full_refresh_reason, record_build_inputs


def _project(repo: Path) -> Path:
    project = repo / "dbt_project"
    for name, text in {
        "dbt_project.yml": "name: xunpan\n",
        "models/staging/stg_a.sql": "select 1 as a\n",
        "macros/incremental.sql": "{% macro m() %}1{% endmacro %}\n",
        "seeds/register_stage_labels.csv": "label,stage\n有意向,intentional\n",
        "data-tests/reconcile.sql": "select 1 where false\n",
        "docs/metrics.md": "# metrics\n",
    }.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


def test_a_changed_model_seed_or_setting_asks_for_a_full_refresh(settings: Settings, tmp_path: Path) -> None:
    project = _project(tmp_path / "repo")
    built = settings.model_copy(update={"repo": tmp_path / "repo"})

    # No warehouse yet: the first build builds every table whole anyway.
    assert full_refresh_reason(built) is None
    # A warehouse nobody recorded (built before this check existed, or copied without its record).
    built.warehouse.parent.mkdir(parents=True, exist_ok=True)
    built.warehouse.write_bytes(b"")
    assert full_refresh_reason(built) == "there is no record of the dbt project the warehouse was built with"

    record_build_inputs(built, build_inputs(built))
    assert build_record_path(built).parent == built.warehouse.parent
    assert full_refresh_reason(built) is None
    # Data tests and docs check or describe the rows; they do not change them. Nor does an
    # editor's swap file.
    (project / "data-tests" / "reconcile.sql").write_text("select 2 where false\n", encoding="utf-8")
    (project / "docs" / "metrics.md").write_text("# metrics, reworded\n", encoding="utf-8")
    (project / "models" / "staging" / ".stg_a.sql.swp").write_bytes(b"\0")
    assert full_refresh_reason(built) is None

    # A new stage label changes which stage old inquiries reached.
    seed = project / "seeds" / "register_stage_labels.csv"
    seed.write_text(seed.read_text(encoding="utf-8") + "已成交,won\n", encoding="utf-8")
    (project / "models" / "staging" / "stg_b.sql").write_text("select 2 as b\n", encoding="utf-8")
    reason = full_refresh_reason(built)
    assert reason is not None
    assert reason.startswith(
        "the dbt project changed (models/staging/stg_b.sql, seeds/register_stage_labels.csv) since the build of "
    )

    record_build_inputs(built, build_inputs(built))
    lagged = built.model_copy(update={"inquiry_recording_lag_days": built.inquiry_recording_lag_days + 1})
    reason = full_refresh_reason(lagged)
    assert reason is not None and "dbt vars from Settings changed" in reason
    assert "inquiry_recording_lag_days" in reason

    # Another target keeps its tables elsewhere, built by whatever built them.
    on_postgres = built.model_copy(update={"dbt_target": "postgres"})
    reason = full_refresh_reason(on_postgres)
    assert reason is not None and "the dbt target changed (duckdb -> postgres 127.0.0.1:" in reason

    # An unreadable record is no record.
    for text in ("{", "[]"):
        build_record_path(built).write_text(text, encoding="utf-8")
        assert "cannot be read" in (full_refresh_reason(built) or "")
    # The warehouse is gone: the next build is a first build, whatever the record says.
    built.warehouse.unlink()
    assert full_refresh_reason(built) is None
