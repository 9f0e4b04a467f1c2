# Sourced (not run) by docker/airflow-entrypoint.sh and by the Airflow healthchecks, which run
# outside the entrypoint: turns Airflow's own secrets (compose interpolates them from
# var/secrets.env) and the Postgres/Redis service names into Airflow's settings.
# Secrets stay in the environment: nothing is written to airflow.cfg, printed or put on a command line.
# POSIX sh, because compose healthchecks (CMD-SHELL) source it with /bin/sh.

missing=""
for name in POSTGRES_HOST POSTGRES_PORT AIRFLOW_DB AIRFLOW_DB_USER AIRFLOW_DB_PASSWORD \
            REDIS_HOST REDIS_PORT AIRFLOW_REDIS_DB REDIS_PASSWORD \
            AIRFLOW_FERNET_KEY AIRFLOW_JWT_SECRET AIRFLOW_API_SECRET_KEY; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || missing="$missing $name"
done
unset value
if [ -n "$missing" ]; then
  echo "xunpan: not set:$missing. Secrets come from var/secrets.env" \
       "(docker compose --env-file var/secrets.env); the rest from docker-compose.yml." >&2
  return 64 2>/dev/null || exit 64
fi

# The generated passwords are URL-safe today; quote them anyway so a hand-set one cannot break a
# URL. Read from the environment, never from argv, so they do not show up in `ps`.
_xunpan_quote='import os, sys, urllib.parse; print(urllib.parse.quote(os.environ[sys.argv[1]], safe=""))'
pg_target="${AIRFLOW_DB_USER}:$(python -c "$_xunpan_quote" AIRFLOW_DB_PASSWORD)@${POSTGRES_HOST}:${POSTGRES_PORT}/${AIRFLOW_DB}"
redis_target=":$(python -c "$_xunpan_quote" REDIS_PASSWORD)@${REDIS_HOST}:${REDIS_PORT}/${AIRFLOW_REDIS_DB}"

export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://${pg_target}"
export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql+psycopg2://${pg_target}"
export AIRFLOW__CELERY__BROKER_URL="redis://${redis_target}"
export AIRFLOW__CORE__FERNET_KEY="${AIRFLOW_FERNET_KEY}"
export AIRFLOW__API_AUTH__JWT_SECRET="${AIRFLOW_JWT_SECRET}"
export AIRFLOW__API__SECRET_KEY="${AIRFLOW_API_SECRET_KEY}"
unset pg_target redis_target _xunpan_quote
