#!/usr/bin/env bash
# Entry point of xunpan's Airflow image: derives Airflow's settings from its own secrets
# (docker/airflow-env.sh, shared with the healthchecks), then runs the official /entrypoint,
# which waits for the database and starts the given Airflow command.
set -euo pipefail

# shellcheck source=docker/airflow-env.sh
. /opt/xunpan/src/docker/airflow-env.sh

exec /entrypoint "$@"
