#!/usr/bin/env bash
# One-shot setup run by the airflow-init service before any other Airflow service starts:
# migrates the metadata database, creates the warehouse pool and the admin user, and lays out
# XUNPAN_HOME. Every step is idempotent, so `docker compose up` may run it again at any time.
set -euo pipefail

for name in AIRFLOW_ADMIN_USER AIRFLOW_ADMIN_PASSWORD; do
  if [ -z "${!name:-}" ]; then
    echo "xunpan: $name is not set; it comes from var/secrets.env (docker compose --env-file var/secrets.env)." >&2
    exit 64
  fi
done

airflow db migrate

# The pool name is the package's, so the DAG and this script cannot drift apart.
pool="$(python -c 'from xunpan.orchestration import WAREHOUSE_POOL; print(WAREHOUSE_POOL)')"
airflow pools set "$pool" 1 "One writer at a time on the DuckDB warehouse"

# `users create` leaves an existing user alone; `reset-password` then makes the password match the
# secrets file, so rotating it there and re-running this service is enough.
airflow users create --role Admin --username "$AIRFLOW_ADMIN_USER" --password "$AIRFLOW_ADMIN_PASSWORD" \
  --email "${AIRFLOW_ADMIN_EMAIL:-admin@example.invalid}" --firstname xunpan --lastname admin
airflow users reset-password --username "$AIRFLOW_ADMIN_USER" --password "$AIRFLOW_ADMIN_PASSWORD"

python -c 'from xunpan.config import Settings; Settings.from_env().ensure_dirs()'
echo "xunpan: Airflow metadata, pool '$pool', admin user and XUNPAN_HOME are ready."
