# syntax=docker/dockerfile:1
# xunpan's Airflow image, used by every Airflow service of docker-compose.yml.
#
# The official image already carries what the compose stack needs beyond the project lock: the
# Celery, Postgres, Redis and FAB providers with their drivers. On top of it go the locked Airflow
# environment (requirements/airflow.lock), the xunpan package, a separate dbt environment
# (requirements/dbt.lock; the DAG calls $XUNPAN_VENVS/dbt/bin/dbt) and the project files, laid
# out under $XUNPAN_REPO exactly as in the repository.
# Build context: the repository root (see airflow.Dockerfile.dockerignore for what is sent).
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

ENV XUNPAN_REPO=/opt/xunpan/src \
    XUNPAN_HOME=/opt/xunpan/home \
    XUNPAN_VENVS=/opt/xunpan/venvs

# XUNPAN_HOME is a named volume; Docker seeds a new volume with this directory's owner, so the
# airflow user can write the landing zone, warehouse and serving files from the first run on.
USER root
RUN mkdir -p /opt/xunpan/src /opt/xunpan/home /opt/xunpan/venvs \
    && chown -R airflow:0 /opt/xunpan
USER airflow

# Locked dependencies first, so editing the project does not reinstall them. `pip install` (not
# a sync) keeps the providers the official image ships next to the locked set.
COPY --chown=airflow:0 requirements/airflow.lock requirements/dbt.lock /opt/xunpan/src/requirements/
RUN pip install --no-cache-dir -r /opt/xunpan/src/requirements/airflow.lock

# dbt lives in its own environment (Airflow and dbt pin different versions of shared libraries).
# The official image sets PIP_USER=true, which a virtual environment refuses.
RUN python -m venv /opt/xunpan/venvs/dbt \
    && PIP_USER=false /opt/xunpan/venvs/dbt/bin/pip install --no-cache-dir \
        -r /opt/xunpan/src/requirements/dbt.lock

# The xunpan package, without dependencies: the lock is the single source of versions.
COPY --chown=airflow:0 pyproject.toml README.md /opt/xunpan/src/
COPY --chown=airflow:0 src /opt/xunpan/src/src
RUN pip install --no-cache-dir --no-deps /opt/xunpan/src

COPY --chown=airflow:0 dags /opt/xunpan/src/dags
COPY --chown=airflow:0 dbt_project /opt/xunpan/src/dbt_project
COPY --chown=airflow:0 expectations /opt/xunpan/src/expectations
COPY --chown=airflow:0 --chmod=755 docker/airflow-entrypoint.sh docker/airflow-env.sh docker/airflow-init.sh /opt/xunpan/src/docker/

# dumb-init stays PID 1 as in the official image; our script maps the generated secrets onto
# Airflow's settings and then runs the official /entrypoint.
ENTRYPOINT ["/usr/bin/dumb-init", "--", "/opt/xunpan/src/docker/airflow-entrypoint.sh"]
CMD []
