"""A rejected input file through the real DAG: the good data is still published, the file waits in
quarantine with its reason, and the run ends visibly failed at `report_rejected_files`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BAD = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "inputs" / "bad"


def test_a_quarantined_file_fails_the_last_task_after_publishing(pipeline_run, dag_runner) -> None:
    from xunpan.publish import current_publication, table_checksums
    from xunpan.status import collect_status

    settings = pipeline_run.settings
    before = current_publication(settings)
    sums_before = table_checksums(settings.serving_current)
    shutil.copy(BAD / "negative_cost.csv", settings.inbox / "negative_cost.csv")

    state, tasks = dag_runner(pipeline_run.business_date)

    assert state == "failed"
    assert tasks == {
        "companies": "success",
        "pull_apis": "success",
        "ingest": "success",
        "build": "success",
        "audit": "success",
        "publish": "success",
        "report_rejected_files": "failed",
    }
    reason = json.loads((settings.quarantine / "negative_cost.csv.reason.json").read_text(encoding="utf-8"))
    assert "negative_cost.csv" in json.dumps(reason, ensure_ascii=False)
    after = current_publication(settings)
    assert after["run_id"] != before["run_id"]  # the good files were published again
    sums_after = table_checksums(settings.serving_current)
    sums_before.pop("_xunpan_publish", None)
    sums_after.pop("_xunpan_publish", None)
    assert sums_after == sums_before  # and the rejected file changed nothing
    last = collect_status(settings)["runs"][-1]
    assert last["steps"]["ingest"] == "warning" and last["outcome"] == "warning"
