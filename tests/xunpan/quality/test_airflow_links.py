"""The audit task carries two extra links: the run's Data Docs page and the data-quality dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import OperatorSerialization

from xunpan.config import Settings
from xunpan.quality.airflow_links import DataDocsLink, QualityDashboardLink

REPO = Path(__file__).resolve().parents[3]


def test_the_audit_task_has_the_links_and_they_survive_serialisation() -> None:
    dag = DagBag(dag_folder=str(REPO / "dags")).dags["xunpan_daily"]
    audit = dag.get_task("audit")
    names = {link.name for link in audit.operator_extra_links}
    assert names == {"Data Docs", "数据质量 Data quality"}
    encoded = OperatorSerialization.serialize_operator(audit)
    assert encoded["_operator_extra_links"] == {
        "Data Docs": "_link_DataDocsLink",
        "数据质量 Data quality": "_link_QualityDashboardLink",
    }
    # Only the audit task has them.
    assert not any(t.operator_extra_links for t in dag.tasks if t.task_id != "audit")


def test_links_name_the_run_page_and_the_dashboard(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XUNPAN_SUPERSET_URL", "https://bi.example.cn/")
    ti_key = SimpleNamespace(run_id="scheduled__2026-03-10T22:00:00+00:00")
    assert DataDocsLink().get_link(None, ti_key=ti_key) == ""  # the gate has not run yet
    runs = settings.quality_dir / "runs"
    runs.mkdir(parents=True)
    page = "file:///srv/xunpan/quality/data_docs/validations/fct_inquiries/run/page.html"
    (runs / "scheduled__2026-03-10T22_00_00_00_00.json").write_text(
        json.dumps({"data_docs_page": page}), encoding="utf-8"
    )
    assert DataDocsLink().get_link(None, ti_key=ti_key) == page
    assert (
        QualityDashboardLink().get_link(None, ti_key=ti_key)
        == "https://bi.example.cn/superset/dashboard/data-quality/"
    )
