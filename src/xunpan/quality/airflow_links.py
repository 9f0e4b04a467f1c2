"""Airflow extra links on the audit task: the run's Data Docs page and the 数据质量 dashboard.

Airflow 3 computes an operator's extra links on the worker when the task ends (success or
failure, so a blocked run has them too), stores each as an XCom and shows it as a button on the
task instance; no plugin is needed. The DAG file attaches these two to its audit task.

The Data Docs page is a `file://` address: it opens in a browser on the machine that ran the
pipeline (the demo); the dashboard address is `XUNPAN_SUPERSET_URL`'s.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperatorLink

from xunpan.config import Settings


class DataDocsLink(BaseOperatorLink):
    """The Data Docs page of this run's gate: its first failure's or warning's page, else the index."""

    name = "Data Docs"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from xunpan.quality.gate import gate_report

        report = gate_report(Settings.from_env(), ti_key.run_id) or {}
        return str(report.get("data_docs_page") or "")


class QualityDashboardLink(BaseOperatorLink):
    """The 数据质量 Data quality dashboard in Superset."""

    name = "数据质量 Data quality"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from xunpan.quality.gate import DASHBOARD_SLUG

        return Settings.from_env().dashboard_url(DASHBOARD_SLUG)


def audit_links() -> tuple[BaseOperatorLink, ...]:
    return (DataDocsLink(), QualityDashboardLink())
