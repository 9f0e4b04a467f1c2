# syntax=docker/dockerfile:1
# xunpan's Superset image, used by superset-init, superset and superset-worker.
#
# The official image plus the project's locked Superset environment (requirements/superset.lock:
# duckdb-engine for the serving database, the Postgres driver for the metadata database, redis
# and celery for cache and workers), superset/superset_config.py and the dashboards as code
# (superset/assets) with the package source that sets them up, laid out under $XUNPAN_REPO as in
# the repository.
# Build context: the repository root (see superset.Dockerfile.dockerignore for what is sent).
ARG SUPERSET_IMAGE=apache/superset:6.1.0
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.8
FROM ${UV_IMAGE} AS uv

FROM ${SUPERSET_IMAGE}

ENV XUNPAN_REPO=/opt/xunpan/src \
    XUNPAN_HOME=/opt/xunpan/home \
    SUPERSET_CONFIG_PATH=/opt/xunpan/src/superset/superset_config.py

USER root
# uv installs into the interpreter that runs `superset` (the image's virtual environment, first
# on PATH); `uv pip install` keeps whatever the image has beyond the lock.
COPY --from=uv /uv /usr/local/bin/uv
COPY requirements/superset.lock /opt/xunpan/src/requirements/superset.lock
RUN uv pip install --no-cache --python "$(command -v python)" \
        -r /opt/xunpan/src/requirements/superset.lock
# XUNPAN_HOME is the named volume Airflow writes; Docker seeds a new volume from whichever
# container mounts it first, so give the mount point the Airflow image's owner (airflow, uid 50000)
# here too. Superset mounts it read-only.
RUN install -d -o 50000 -g 0 -m 0775 /opt/xunpan/home

COPY superset /opt/xunpan/src/superset
# superset-init renders superset/assets with the package's own code (xunpan.dashboards.assets) and
# runs its bootstrap inside this environment: the source is copied, not installed.
COPY src/xunpan /opt/xunpan/src/src/xunpan
COPY --chmod=755 docker/superset-entrypoint.sh docker/superset-init.sh /opt/xunpan/src/docker/
USER superset

ENTRYPOINT ["/opt/xunpan/src/docker/superset-entrypoint.sh"]
CMD ["gunicorn", "--bind", "0.0.0.0:8088", "--worker-class", "gthread", "--workers", "2", "--threads", "8", \
     "--timeout", "120", "--limit-request-line", "0", "--limit-request-field_size", "0", \
     "superset.app:create_app()"]
