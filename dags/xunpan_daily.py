"""
### xunpan_daily — ingest, build, audit and publish the inquiry warehouse once a day

Runs at 06:00 Asia/Shanghai for the business day that just ended (the 2026-11-23 run loads
2026-11-22); `xunpan run --date D` runs it once for day D.

0. **companies** — the companies of this run: `XUNPAN_COMPANY_ID`, `XUNPAN_COMPANIES`, and every
   `inbox/<company>/` with files waiting. The next two steps are mapped over them (one task instance
   per company), so one company's broken connection or failed load never holds back the others.
1. **pull_apis** — pulls the company's report APIs that have an Airflow connection (`baidu_tongji`,
   `baidu_search`), with a look-back window because platforms restate recent days.
2. **ingest** — loads the company's new inbox files into the raw Parquet landing zone; bad files go
   to `quarantine/` with a reason file, the others still load.
3. **build** — one `dbt build` (staging -> intermediate -> marts, with all dbt tests) on the
   warehouse file, once every company's ingest has finished and at least one succeeded. Only one
   writer may hold DuckDB, hence the one-slot `xunpan_warehouse` pool. The incremental tables
   rebuild only the days with new files; the build is a full refresh when the run's param
   `full_refresh` is true (trigger with config `{"full_refresh": true}`, or `xunpan run
   --full-refresh`) and by itself when the dbt project or its settings changed since the last build.
4. **audit** — the Great Expectations checkpoints over every published model (the days that changed
   row by row, the whole history in aggregate); a failure stops the run here, alerts, and leaves
   yesterday's figures untouched (only the quality tables are republished beside them, so the
   数据质量 Data quality dashboard shows the failure). Its log names the run's Data Docs page and
   the dashboard.
5. **publish** — copies the marts into a new serving file and switches Superset to it atomically.
6. **report_rejected_files** — fails visibly when this run quarantined input files, after the good
   files were published; when a company's pull or ingest failed it is not run (upstream failed), so
   the run ends failed after the other companies' data was published.

Alerts: every task has the one failure callback `xunpan.pipeline.alert_failed_task` (default_args).
It fires once, when a task has failed for good (retries call no callback), and tasks skipped because
an upstream failed never fire it, so a failed run sends one alert, at whichever step it failed.

Owns: everything under `XUNPAN_HOME` (raw, warehouse, serving, quality). Logic lives in
`xunpan.pipeline`; this file only wires it.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task, task_group
from airflow.timetables.trigger import CronTriggerTimetable

from xunpan.config import BUSINESS_TZ
from xunpan.pipeline import alert_failed_task

WAREHOUSE_POOL = "xunpan_warehouse"
# The mapped pull and ingest task instances are labelled with their company (UI, logs, alerts).
COMPANY_LABEL = "{{ task.op_kwargs['company'] }}"


@dag(
    dag_id="xunpan_daily",
    schedule=CronTriggerTimetable("0 6 * * *", timezone=BUSINESS_TZ.key),
    start_date=pendulum.datetime(2026, 1, 1, tz=BUSINESS_TZ.key),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=20),
        "on_failure_callback": alert_failed_task,
    },
    tags=["xunpan", "warehouse"],
    doc_md=__doc__,
    params={
        "full_refresh": Param(
            False,
            type="boolean",
            title="Full refresh",
            description="Rebuild every day of the incremental tables (a backfill, after a change of "
            "code or seeds); otherwise only the days with new files are rebuilt.",
        )
    },
)
def xunpan_daily():
    @task(multiple_outputs=False)
    def companies() -> list[str]:
        from xunpan.config import Settings
        from xunpan.pipeline import companies_to_run

        return companies_to_run(Settings.from_env())

    # Pull and ingest write the raw landing zone, not the warehouse, so they stay out of the one-slot
    # pool; landing's own lock orders their manifest writes.
    @task(multiple_outputs=False, map_index_template=COMPANY_LABEL)
    def pull_apis(company: str, **context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import business_date_for, step_pull

        return step_pull(
            Settings.from_env(), business_date_for(context["logical_date"]), context["run_id"], company
        )

    @task(multiple_outputs=False, map_index_template=COMPANY_LABEL)
    def ingest(company: str, pulled: dict, **context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import step_ingest

        return step_ingest(Settings.from_env(), context["run_id"], company)

    # Mapped as a group so that ingest[i] waits for pull_apis[i] only, not every company's pull.
    @task_group(group_id="company", prefix_group_id=False)
    def company_steps(company: str):
        # By keyword: the company label (COMPANY_LABEL) reads it from op_kwargs.
        return ingest(company=company, pulled=pull_apis(company=company))

    # The companies whose ingest failed keep their last published data; the others go on.
    @task(pool=WAREHOUSE_POOL, multiple_outputs=False, trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def build(**context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import business_date_for, step_build

        return step_build(
            Settings.from_env(),
            context["run_id"],
            business_date_for(context["logical_date"]),
            full_refresh=bool(context["params"].get("full_refresh")),
        )

    @task(retries=0, multiple_outputs=False)
    def audit(built: dict, **context) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

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

    @task(pool=WAREHOUSE_POOL, multiple_outputs=False)
    def publish(audited: dict, **context) -> dict:
        from xunpan.config import Settings
        from xunpan.pipeline import step_publish

        return step_publish(Settings.from_env(), context["run_id"])

    @task(retries=0)
    def report_rejected_files(**context) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from xunpan.config import Settings
        from xunpan.pipeline import quarantined_in_run

        rejected = quarantined_in_run(Settings.from_env(), context["run_id"])
        if rejected:
            names = ", ".join(str(item.get("file", item)) for item in rejected)
            raise AirflowFailException(
                f"{len(rejected)} input file(s) were quarantined (see `xunpan inbox`): {names}"
            )

    ingested = company_steps.expand(company=companies())
    built = build()
    ingested >> built
    audited = audit(built)
    # Buttons on the audit task: this run's Data Docs page and the data-quality dashboard.
    from xunpan.quality.airflow_links import audit_links

    audited.operator.operator_extra_links = audit_links()
    published = publish(audited)
    [ingested, published] >> report_rejected_files()


xunpan_daily()
