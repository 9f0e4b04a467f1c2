#!/usr/bin/env bash
# Run once by the official postgres image on an empty data directory
# (/docker-entrypoint-initdb.d): creates one login role and one database per application, each
# role owning only its own database, so Airflow cannot read Superset's metadata (its users and
# their password hashes, the encrypted database URIs) and Superset cannot read Airflow's
# (connections, variables). Names come from docker-compose.yml, passwords from var/secrets.env.
# Passwords reach psql through its environment (\getenv), never on a command line.
set -euo pipefail

create_app_database() {
  local db="$1" role="$2" password="$3"
  XUNPAN_ROLE_PASSWORD="$password" psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set db="$db" --set role="$role" <<'SQL'
\getenv password XUNPAN_ROLE_PASSWORD
create role :"role" login password :'password';
create database :"db" owner :"role";
revoke all on database :"db" from public;
SQL
}

create_app_database "${AIRFLOW_DB:?}" "${AIRFLOW_DB_USER:?}" "${AIRFLOW_DB_PASSWORD:?}"
create_app_database "${SUPERSET_DB:?}" "${SUPERSET_DB_USER:?}" "${SUPERSET_DB_PASSWORD:?}"
