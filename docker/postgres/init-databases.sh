#!/usr/bin/env bash
# Run once by the official postgres image on an empty data directory
# (/docker-entrypoint-initdb.d): creates the metadata databases of Airflow and Superset, owned by
# the cluster's user. Their names come from AIRFLOW_DB and SUPERSET_DB in docker-compose.yml.
set -euo pipefail

for db in "${AIRFLOW_DB:?}" "${SUPERSET_DB:?}"; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set db="$db" --set owner="$POSTGRES_USER" <<'SQL'
create database :"db" owner :"owner";
SQL
done
