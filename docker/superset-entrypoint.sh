#!/usr/bin/env bash
# Entry point of xunpan's Superset image. superset/superset_config.py reads SUPERSET_SECRET_KEY,
# SUPERSET_DATABASE_URI, REDIS_HOST/REDIS_PORT/REDIS_PASSWORD and XUNPAN_HOME from the environment;
# this script builds SUPERSET_DATABASE_URI from the Postgres settings and Superset's own role and
# password (compose interpolates them from var/secrets.env), then runs the given command.
# Nothing secret is written to disk or printed.
set -euo pipefail

missing=()
for name in SUPERSET_SECRET_KEY REDIS_HOST REDIS_PORT REDIS_PASSWORD XUNPAN_HOME; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if [ -z "${SUPERSET_DATABASE_URI:-}" ]; then
  for name in POSTGRES_HOST POSTGRES_PORT SUPERSET_DB_USER SUPERSET_DB_PASSWORD SUPERSET_DB; do
    [ -n "${!name:-}" ] || missing+=("$name")
  done
fi
if ((${#missing[@]})); then
  echo "xunpan: not set: ${missing[*]}. Secrets come from var/secrets.env" \
       "(docker compose --env-file var/secrets.env); the rest from docker-compose.yml." >&2
  exit 64
fi

if [ -z "${SUPERSET_DATABASE_URI:-}" ]; then
  # Read from the environment, never from argv, so the password does not show up in `ps`.
  pg_password="$(python -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["SUPERSET_DB_PASSWORD"], safe=""))')"
  export SUPERSET_DATABASE_URI="postgresql+psycopg2://${SUPERSET_DB_USER}:${pg_password}@${POSTGRES_HOST}:${POSTGRES_PORT}/${SUPERSET_DB}"
fi

exec "$@"
