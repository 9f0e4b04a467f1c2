"""
### xunpan_daily — ingest, build, audit and publish the inquiry warehouse once a day

Runs at 06:00 Asia/Shanghai for the business day that just ended (the 2026-11-23 run loads
2026-11-22); `xunpan run --date D` runs it once for day D.

0. **pull_apis** — pulls the report APIs that have an Airflow connection (`baidu_tongji`,
   `baidu_search`), with a look-back window because platforms restate recent days.
1. **ingest** — loads every new file of the inbox into the raw Parquet landing zone; bad files go
   to `quarantine/` with a reason file, the others still load.
2. **build** — one `dbt build` (staging -> intermediate -> marts, with all dbt tests) on the
   warehouse file. Only one writer may hold DuckDB, hence the one-slot `xunpan_warehouse` pool.
3. **audit** — the Great Expectations checkpoint over every published model; a failure stops
   the run here, alerts, and leaves yesterday's figures untouched (only the quality tables are
   republished beside them, so the 数据质量 Data quality dashboard shows the failure). Its log
   names the run's Data Docs page and the dashboard.
4. **publish** — copies the marts into a new serving file and switches Superset to it atomically.
5. **report_rejected_files** — fails visibly when this run quarantined input files, after the good
   files were published.

Owns: everything under `XUNPAN_HOME` (raw, warehouse, serving, quality). Logic lives in
`xunpan.pipeline`; this file only wires it.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

WAREHOUSE_POOL = "xunpan_warehouse"


def _alert_on_failure(context) -> None:
    from xunpan.config import Settings
    from xunpan.notify import notify_failure

    ti = context["ti"]
    notify_failure(
        Settings.from_env(),
        f"xunpan: run failed at {ti.task_id} ({context['dag_run'].run_id})",
        str(context.get("exception") or "see the task log"),
    )


@dag(
    dag_id="xunpan_daily",
    schedule=CronTriggerTimetable("0 6 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=20),
    },
    tags=["xunpan", "warehouse"],
    doc_md=__doc__,
)
def xunpan_daily():
    @task(pool=WAREHOUSE_POOL)
    def pull_apis(**context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import business_date_for, step_pull

        return step_pull(Settings.from_env(), business_date_for(context["logical_date"]), context["run_id"])

    @task(pool=WAREHOUSE_POOL)
    def ingest(pulled: dict, **context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import step_ingest

        return step_ingest(Settings.from_env(), context["run_id"])

    @task(pool=WAREHOUSE_POOL)
    def build(ingested: dict, **context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import business_date_for, step_build

        return step_build(Settings.from_env(), context["run_id"], business_date_for(context["logical_date"]))

    @task(retries=0, on_failure_callback=_alert_on_failure)
    def audit(built: dict, **context) -> dict:
        from airflow.exceptions import AirflowFailException

        from xunpan.config import Settings
        from xunpan.pipeline import GateFailed, business_date_for, step_audit

        settings = Settings.from_env()
        try:
            return step_audit(settings, business_date_for(context["logical_date"]), context["run_id"])
        except GateFailed as exc:
            from xunpan.publish import publish_quality_refresh

            # The marts stay the last good ones; the data-quality dashboard shows why (xunpan.publish).
            publish_quality_refresh(settings, context["run_id"])
            # Retrying cannot fix bad data; fail at once so the alert goes out now.
            raise AirflowFailException(str(exc)) from exc

    @task(pool=WAREHOUSE_POOL)
    def publish(audited: dict, **context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import step_publish

        return step_publish(Settings.from_env(), context["run_id"])

    @task(retries=0)
    def report_rejected_files(ingested: dict, published: dict) -> None:
        from airflow.exceptions import AirflowFailException

        rejected = ingested.get("quarantined") or []
        if rejected:
            names = ", ".join(str(item.get("file", item)) for item in rejected)
            raise AirflowFailException(
                f"{len(rejected)} input file(s) were quarantined (see `xunpan inbox`): {names}"
            )

    ingested = ingest(pull_apis())
    audited = audit(build(ingested))
    # Buttons on the audit task: this run's Data Docs page and the data-quality dashboard.
    from xunpan.quality.airflow_links import audit_links

    audited.operator.operator_extra_links = audit_links()
    published = publish(audited)
    report_rejected_files(ingested, published)


xunpan_daily()
