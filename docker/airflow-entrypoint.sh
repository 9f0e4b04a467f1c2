#!/usr/bin/env bash
# Entry point of xunpan's Airflow image. Turns the generated secrets (the compose env_file) and the
# Postgres/Redis service names into Airflow's own settings, then runs the official /entrypoint,
# which waits for the database and starts the given Airflow command.
# Secrets stay in this process's environment: nothing is written to airflow.cfg or printed.
set -euo pipefail

missing=()
for name in POSTGRES_HOST POSTGRES_PORT POSTGRES_USER POSTGRES_PASSWORD AIRFLOW_DB \
            AIRFLOW_FERNET_KEY AIRFLOW_JWT_SECRET AIRFLOW_API_SECRET_KEY; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if ((${#missing[@]})); then
  echo "xunpan: not set: ${missing[*]}. Secrets come from the env file named by XUNPAN_SECRETS_FILE" \
       "(default ./var/secrets.env); the rest from docker-compose.yml." >&2
  exit 64
fi

# The generated password is URL-safe today; quote it anyway so a hand-set one cannot break the URL.
# Read from the environment, never from argv, so it does not show up in `ps`.
pg_password="$(python -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["POSTGRES_PASSWORD"], safe=""))')"
pg_target="${POSTGRES_USER}:${pg_password}@${POSTGRES_HOST}:${POSTGRES_PORT}/${AIRFLOW_DB}"

export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://${pg_target}"
export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql://${pg_target}"
export AIRFLOW__CORE__FERNET_KEY="${AIRFLOW_FERNET_KEY}"
export AIRFLOW__API_AUTH__JWT_SECRET="${AIRFLOW_JWT_SECRET}"
export AIRFLOW__API__SECRET_KEY="${AIRFLOW_API_SECRET_KEY}"

exec /entrypoint "$@"
