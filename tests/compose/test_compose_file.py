"""docker-compose.yml and the images it builds, checked without a Docker engine (see compose_check)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from compose_check import (
    REPO,
    SCHEMA_PATH,
    Problem,
    check_compose,
    check_document,
    interpolate,
    is_ignored,
    load_compose,
    parse_dockerfile,
    secret_problems_in_text,
)

COMPOSE = REPO / "docker-compose.yml"

# Paths the stack needs that other parts of the project provide. Until they exist, their absence
# is reported as a warning instead of a failure; any other missing path fails.
EXPECTED_FROM_OTHERS = {
    "requirements/airflow.lock",
    "requirements/dbt.lock",
    "requirements/superset.lock",
    "pyproject.toml",
    "README.md",
    "src",
    "src/xunpan",
    "dags",
    "dbt_project",
    "expectations",
    "superset",
    "superset/superset_config.py",
    "superset/assets",
}

SERVICES = {
    "postgres",
    "redis",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "superset-init",
    "superset",
    "superset-worker",
}


def _real_problems(problems: list[Problem]) -> list[Problem]:
    pending = [p for p in problems if p.missing in EXPECTED_FROM_OTHERS]
    if pending:
        warnings.warn(
            "not created yet by the rest of the project: " + ", ".join(sorted({p.missing for p in pending})),
            stacklevel=2,
        )
    return [p for p in problems if p not in pending]


@pytest.fixture(scope="module")
def raw() -> dict:
    return load_compose(COMPOSE)


def _check_variant(document: dict) -> list[str]:
    return [str(p) for p in check_document(document, REPO, REPO)]


# --- the real file -------------------------------------------------------------------------------


def test_vendored_schema_is_the_compose_specification():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    assert {"service", "healthcheck", "volume", "network"} <= set(schema["definitions"])
    notice = (SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert "Apache License 2.0" in notice and re.search(r"\b[0-9a-f]{40}\b", notice)


def test_compose_file_passes_every_check():
    problems = _real_problems(check_compose(COMPOSE))
    assert problems == [], "\n".join(map(str, problems))


def test_stack_has_the_services_of_the_production_shape(raw):
    assert set(raw["services"]) == SERVICES
    airflow = [name for name in SERVICES if name.startswith("airflow-")]
    for name in airflow:
        assert raw["services"][name]["build"]["dockerfile"] == "docker/airflow.Dockerfile", name
    for name in ("superset-init", "superset", "superset-worker"):
        assert raw["services"][name]["build"]["dockerfile"] == "docker/superset.Dockerfile", name


def test_airflow_runs_celery_on_redis_with_postgres_results(raw):
    env = raw["services"]["airflow-worker"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["AIRFLOW_REDIS_DB"]) == ("redis", "6379", "10")
    derived = (REPO / "docker/airflow-env.sh").read_text(encoding="utf-8")
    assert 'AIRFLOW__CELERY__BROKER_URL="redis://${redis_target}"' in derived
    assert 'redis_target=":$(python -c "$_xunpan_quote" REDIS_PASSWORD)@${REDIS_HOST}' in derived
    assert 'AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql://' in derived
    assert 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://' in derived
    assert ". /opt/xunpan/src/docker/airflow-env.sh" in (REPO / "docker/airflow-entrypoint.sh").read_text()
    assert raw["services"]["airflow-worker"]["command"] == ["celery", "worker"]


def test_xunpan_home_is_shared_and_read_only_for_superset(raw):
    services = raw["services"]
    for name in SERVICES:
        mounts = [v for v in services[name].get("volumes", []) if v.split(":")[0] == "xunpan-home"]
        if name.startswith("airflow-"):
            assert mounts == ["xunpan-home:/opt/xunpan/home"], name
            assert services[name]["environment"]["XUNPAN_HOME"] == "/opt/xunpan/home"
        elif name.startswith("superset"):
            assert mounts == ["xunpan-home:/opt/xunpan/home:ro"], name
            assert services[name]["environment"]["XUNPAN_HOME"] == "/opt/xunpan/home"
        else:
            assert mounts == [], name


def test_each_service_names_exactly_its_own_secrets(raw):
    """No service reads the whole secrets file; each lists the variables of its allow-list entry."""
    from compose_check import SERVICE_SECRETS, received_secrets, secrets_file_keys

    assert set(SERVICE_SECRETS) == SERVICES
    for name in SERVICES:
        service = raw["services"][name]
        assert "env_file" not in service, name
        assert set(received_secrets(service, secrets_file_keys())) == SERVICE_SECRETS[name], name
    airflow = {n for n in SERVICES if n.startswith("airflow-")}
    superset = {n for n in SERVICES if n.startswith("superset")}
    for name in airflow:
        assert (
            not {"SUPERSET_SECRET_KEY", "SUPERSET_DB_PASSWORD", "POSTGRES_PASSWORD"} & SERVICE_SECRETS[name]
        )
    for name in superset:
        assert (
            not {"AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY"} & SERVICE_SECRETS[name]
        )
        assert (
            "AIRFLOW_DB_PASSWORD" not in SERVICE_SECRETS[name]
            and "POSTGRES_PASSWORD" not in SERVICE_SECRETS[name]
        )


def test_redis_requires_a_password_given_on_stdin(raw):
    redis = raw["services"]["redis"]
    script = redis["command"][-1]
    assert redis["command"][:2] == ["sh", "-c"]
    assert "exec docker-entrypoint.sh redis-server - <<EOF" in script
    assert "requirepass $${REDIS_PASSWORD}" in script
    assert "REDISCLI_AUTH" in redis["healthcheck"]["test"][1]
    superset_entrypoint = (REPO / "docker/superset-entrypoint.sh").read_text(encoding="utf-8")
    assert "REDIS_PASSWORD" in superset_entrypoint


def test_postgres_creates_one_role_per_application():
    script = (REPO / "docker/postgres/init-databases.sh").read_text(encoding="utf-8")
    assert 'create_app_database "${AIRFLOW_DB:?}" "${AIRFLOW_DB_USER:?}" "${AIRFLOW_DB_PASSWORD:?}"' in script
    assert (
        'create_app_database "${SUPERSET_DB:?}" "${SUPERSET_DB_USER:?}" "${SUPERSET_DB_PASSWORD:?}"' in script
    )
    assert """create role :"role" login password :'password';""" in script
    assert 'revoke all on database :"db" from public;' in script
    superset = (REPO / "docker/superset-entrypoint.sh").read_text(encoding="utf-8")
    assert "${SUPERSET_DB_USER}:${pg_password}@" in superset


# --- the allow-list fails a service that receives a secret it does not need -----------------------


@pytest.mark.parametrize(
    ("service", "variable", "expected"),
    [
        ("airflow-worker", "SUPERSET_SECRET_KEY", "hands SUPERSET_SECRET_KEY to airflow-worker"),
        ("airflow-scheduler", "AIRFLOW_ADMIN_PASSWORD", "hands AIRFLOW_ADMIN_PASSWORD to airflow-scheduler"),
        ("superset", "AIRFLOW_FERNET_KEY", "hands AIRFLOW_FERNET_KEY to superset"),
        ("superset-worker", "AIRFLOW_JWT_SECRET", "hands AIRFLOW_JWT_SECRET to superset-worker"),
        ("superset", "POSTGRES_PASSWORD", "hands POSTGRES_PASSWORD to superset"),
        ("redis", "AIRFLOW_DB_PASSWORD", "hands AIRFLOW_DB_PASSWORD to redis"),
    ],
)
def test_a_secret_handed_to_the_wrong_service_fails(raw, service, variable, expected):
    broken = copy.deepcopy(raw)
    broken["services"][service]["environment"] = {
        **broken["services"][service].get("environment", {}),
        variable: f"${{{variable}:?from the secrets file}}",
    }
    lines = _check_variant(broken)
    assert any(line.startswith(f"services.{service}.environment.{variable}: {expected}") for line in lines), (
        lines
    )


def test_a_secret_inside_a_url_or_command_counts_as_received(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["superset"]["environment"]["EXTRA_URL"] = (
        "postgresql://airflow:${AIRFLOW_DB_PASSWORD}@postgres/a"
    )
    broken["services"]["airflow-triggerer"]["command"] = ["triggerer", "--key", "${SUPERSET_SECRET_KEY}"]
    lines = _check_variant(broken)
    assert any(
        line.startswith("services.superset.environment.EXTRA_URL: hands AIRFLOW_DB_PASSWORD to superset")
        for line in lines
    ), lines
    assert any(
        line.startswith(
            "services.airflow-triggerer.command[2]: hands SUPERSET_SECRET_KEY to airflow-triggerer"
        )
        for line in lines
    ), lines


def test_the_whole_secrets_file_as_env_file_fails(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["airflow-apiserver"]["env_file"] = ["${XUNPAN_SECRETS_FILE:-./var/secrets.env}"]
    lines = [line for line in _check_variant(broken) if "(the whole secrets file)" in line]
    assert {line.split(" hands ")[1].split(" ")[0] for line in lines} >= {
        "SUPERSET_SECRET_KEY",
        "SUPERSET_ADMIN_PASSWORD",
        "POSTGRES_PASSWORD",
        "SUPERSET_DB_PASSWORD",
    }


def test_a_compose_secret_entry_counts_as_received(raw):
    broken = copy.deepcopy(raw)
    broken["secrets"] = {"airflow_fernet_key": {"environment": "AIRFLOW_FERNET_KEY"}}
    broken["services"]["superset"]["secrets"] = ["airflow_fernet_key"]
    assert any(
        line.startswith("services.superset.secrets[0]: hands AIRFLOW_FERNET_KEY to superset")
        for line in _check_variant(broken)
    )


def test_a_broken_copy_on_disk_fails_the_command_line_checker(tmp_path, raw):
    broken = copy.deepcopy(raw)
    broken["services"]["airflow-worker"]["environment"]["SUPERSET_SECRET_KEY"] = "${SUPERSET_SECRET_KEY}"
    target = tmp_path / "docker-compose.yml"
    target.write_text(yaml.safe_dump(broken), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REPO / "tests/compose/compose_check.py"), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "services.airflow-worker.environment.SUPERSET_SECRET_KEY: hands SUPERSET_SECRET_KEY" in done.stdout


def test_generated_secrets_file_is_git_ignored():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "-q", "var/secrets.env"], cwd=REPO, capture_output=True, check=False
    )
    assert done.returncode == 0, "var/secrets.env (XUNPAN_HOME default) must be git-ignored"


def test_dependencies_start_in_order(raw):
    services = raw["services"]
    for name in SERVICES - {"postgres", "redis", "airflow-init", "superset-init"}:
        depends = services[name]["depends_on"]
        init = "airflow-init" if name.startswith("airflow-") else "superset-init"
        assert depends[init] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"] == {"condition": "service_healthy"}


def test_dockerfiles_install_from_the_lock_files():
    airflow = (REPO / "docker/airflow.Dockerfile").read_text(encoding="utf-8")
    superset = (REPO / "docker/superset.Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG AIRFLOW_IMAGE=apache/airflow:3\.3\.2-python3\.11$", airflow, re.M)
    assert re.search(r"^ARG SUPERSET_IMAGE=apache/superset:6\.1\.0$", superset, re.M)
    assert "-r /opt/xunpan/src/requirements/airflow.lock" in airflow
    assert "/opt/xunpan/venvs/dbt/bin/pip install" in airflow and "requirements/dbt.lock" in airflow
    assert "pip install --no-cache-dir --no-deps /opt/xunpan/src" in airflow
    assert "-r /opt/xunpan/src/requirements/superset.lock" in superset


def test_dockerfile_copies_map_the_repository_layout():
    parsed = parse_dockerfile(REPO / "docker/airflow.Dockerfile", REPO, REPO)
    copies = {str(source): str(target) for _, source, target in parsed.copies}
    assert copies["dags"] == "/opt/xunpan/src/dags"
    assert copies["requirements/dbt.lock"] == "/opt/xunpan/src/requirements/dbt.lock"
    assert copies["docker/airflow-init.sh"] == "/opt/xunpan/src/docker/airflow-init.sh"
    assert copies["pyproject.toml"] == "/opt/xunpan/src/pyproject.toml"


def test_superset_lock_has_what_the_compose_stack_needs():
    lock = (REPO / "requirements/superset.lock").read_text(encoding="utf-8")
    pinned = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    needs = {
        "redis": "Superset's cache and Celery broker are Redis",
        "celery": "superset-worker runs Celery",
        "gunicorn": "the superset service runs gunicorn",
    }
    missing = [f"{name} ({why})" for name, why in needs.items() if name not in pinned]
    if not pinned & {"psycopg2-binary", "psycopg2", "psycopg"}:
        missing.append(
            "psycopg2-binary (Superset's metadata database is Postgres in the compose stack and the "
            "official image does not ship a Postgres driver: add it to requirements/superset.in and re-lock)"
        )
    assert not missing, "requirements/superset.lock lacks: " + "; ".join(missing)


# --- the checker catches broken definitions ------------------------------------------------------


def test_ports_given_as_a_word_fail_schema_validation(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["superset"]["ports"] = "eighty"
    assert (
        "services.superset.ports: does not match the Compose specification: 'eighty' is not of type 'array'"
        in (_check_variant(broken))
    )


def test_a_port_that_is_not_a_number_fails(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["airflow-apiserver"]["ports"] = ["127.0.0.1:eighty:8080"]
    assert any(
        line.startswith("services.airflow-apiserver.ports[0]: '127.0.0.1:eighty:8080' is not a port mapping")
        for line in _check_variant(broken)
    )


def test_unknown_service_key_fails_schema_validation(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["restart_policy"] = "always"
    assert (
        "services.redis: does not match the Compose specification: unknown key(s) 'restart_policy' "
        "(not a Compose key nor an x- extension)" in _check_variant(broken)
    )


def test_command_pointing_to_a_missing_script_fails(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["superset-init"]["command"] = ["/opt/xunpan/src/docker/superset-setup.sh"]
    problems = check_document(broken, REPO, REPO)
    [problem] = [p for p in problems if p.where == "services.superset-init.command"]
    assert problem.missing == "docker/superset-setup.sh"
    assert (
        "no COPY or bind mount provides it (and docker/superset-setup.sh does not exist)" in problem.message
    )


def test_paths_inside_a_script_the_command_runs_are_checked(tmp_path):
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "init.sh").write_text('#!/bin/sh\npython "$XUNPAN_REPO/tools/setup.py"\n')
    (tmp_path / "docker" / "app.Dockerfile").write_text(
        "FROM python:3.11-slim\nENV XUNPAN_REPO=/opt/xunpan/src\n"
        "COPY docker/init.sh /opt/xunpan/src/docker/init.sh\n"
    )
    compose = {
        "services": {
            "init": {
                "build": {"context": ".", "dockerfile": "docker/app.Dockerfile"},
                "command": ["/opt/xunpan/src/docker/init.sh"],
                "restart": "no",
            }
        }
    }
    assert [str(p) for p in check_document(compose, tmp_path, tmp_path)] == [
        "services.init.command -> docker/init.sh: /opt/xunpan/src/tools/setup.py lies in the image's copy of "
        "the repository but no COPY or bind mount provides it (and tools/setup.py does not exist)"
    ]


def test_environment_path_into_a_copied_folder_is_checked(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["superset"]["environment"] = dict(broken["services"]["superset"]["environment"])
    broken["services"]["superset"]["environment"]["SUPERSET_CONFIG_PATH"] = (
        "/opt/xunpan/src/superset/config.py"
    )
    assert any(
        line.startswith(
            "services.superset.environment.SUPERSET_CONFIG_PATH: /opt/xunpan/src/superset/config.py refers to "
            "superset/config.py (copied by docker/superset.Dockerfile:"
        )
        for line in _check_variant(broken)
    )


def test_missing_bind_mount_env_file_and_dockerfile_fail(raw):
    broken = copy.deepcopy(raw)
    postgres = broken["services"]["postgres"]
    postgres["volumes"] = [
        *postgres["volumes"],
        "./docker/postgres/tuning.conf:/etc/postgresql/tuning.conf:ro",
    ]
    postgres["env_file"] = ["./docker/postgres.env"]
    broken["services"]["superset"]["build"] = {"context": ".", "dockerfile": "docker/superset-web.Dockerfile"}
    lines = _check_variant(broken)
    assert (
        "services.postgres.volumes[2]: bind-mounted host path ./docker/postgres/tuning.conf does not exist "
        "in the repository" in lines
    )
    assert (
        "services.postgres.env_file[0]: env_file ./docker/postgres.env does not exist in the repository"
        in lines
    )
    assert (
        "services.superset.build.dockerfile: docker/superset-web.Dockerfile does not exist in the build context"
        in lines
    )


def test_secrets_file_outside_xunpan_home_fails(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["env_file"] = ["./secrets.env"]
    lines = _check_variant(broken)
    assert (
        "services.redis.env_file[0]: the generated secrets file ./secrets.env must lie under the XUNPAN_HOME "
        "default ./var" in lines
    )
    assert any(
        line.startswith("services.redis.env_file[0]: the secrets file path must be configurable")
        for line in lines
    )


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        (
            "environment",
            {"POSTGRES_PASSWORD": "correct-horse"},
            "a secret-named variable has a literal value",
        ),
        ("environment", {"SUPERSET_SECRET_KEY": "${SUPERSET_SECRET_KEY:-changeme}"}, "has a literal default"),
        ("environment", {"DATABASE_URL": "postgresql://xunpan:s3cret@postgres/airflow"}, "literal password"),
        ("environment", {"GREETING": "Zm9vYmFyYmF6cXV4UXVVeDEyMzQ1Njc4OTA"}, "long random-looking literal"),
        ("command", ["superset", "fab", "create-admin", "--password", "admin"], "literal --password value"),
    ],
)
def test_literal_secrets_fail(raw, where, value, expected):
    broken = copy.deepcopy(raw)
    service = broken["services"]["redis"]
    service[where] = value
    assert any(
        line.startswith(f"services.redis.{where}") and expected in line for line in _check_variant(broken)
    )


def test_secrets_from_variables_pass(raw):
    fine = copy.deepcopy(raw)
    fine["services"]["redis"]["environment"] = {
        "REDIS_PASSWORD": "${REDIS_PASSWORD:?generate the secrets file first}",
        "REDIS_URL": "redis://:${REDIS_PASSWORD}@redis:6379/0",
    }
    from compose_check import secrets_file_keys

    env = dict.fromkeys(secrets_file_keys(), "from-the-shell")
    assert _real_problems(check_document(fine, REPO, REPO, env)) == []


def test_dependency_conditions_are_checked(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["healthcheck"] = {"disable": True}
    broken["services"]["superset-init"]["restart"] = "unless-stopped"
    broken["services"]["superset"]["depends_on"] = {"cache": {"condition": "service_started"}}
    lines = _check_variant(broken)
    assert (
        "services.airflow-apiserver.depends_on.redis: waits for 'redis' to be healthy, but 'redis' declares no "
        "healthcheck" in lines
    )
    assert any(
        line.startswith(
            "services.superset-worker.depends_on.superset-init: waits for 'superset-init' to "
            "complete, but 'superset-init' restarts"
        )
        for line in lines
    )
    assert (
        "services.superset.depends_on.cache: depends on 'cache', which is not a service of this file" in lines
    )
    assert "services.redis: a long-running service needs a healthcheck" in lines


def test_undeclared_named_volume_fails(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["volumes"] = ["redis-data:/data"]
    assert "services.redis.volumes[0]: named volume 'redis-data' is not declared under top-level volumes" in (
        _check_variant(broken)
    )


def test_broken_yaml_file_is_reported(tmp_path):
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n  web:\n    image: [unclosed\n", encoding="utf-8")
    [problem] = check_compose(path)
    assert "is not valid YAML" in problem.message


def test_written_copy_with_a_broken_service_fails(tmp_path, raw):
    """The whole path a user takes: a file on disk, loaded, interpolated and checked."""
    broken = copy.deepcopy(raw)
    broken["services"]["superset-worker"]["ports"] = "eighty"
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    lines = [str(p) for p in check_compose(path, repo=REPO)]
    assert any(
        line.startswith("services.superset-worker.ports: does not match the Compose specification")
        for line in lines
    )


# --- Dockerfiles ---------------------------------------------------------------------------------


def _context(tmp_path: Path, dockerfile: str, ignore: str | None = None) -> Path:
    (tmp_path / "docker").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print('hi')\n", encoding="utf-8")
    (tmp_path / "run.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    path = tmp_path / "docker" / "app.Dockerfile"
    path.write_text(dockerfile, encoding="utf-8")
    if ignore is not None:
        (tmp_path / "docker" / "app.Dockerfile.dockerignore").write_text(ignore, encoding="utf-8")
    return path


def test_dockerfile_copy_of_a_missing_source_fails(tmp_path):
    dockerfile = _context(
        tmp_path,
        "FROM python:3.11-slim AS base\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv\n"
        "COPY --chown=app:0 src run.sh \\\n"
        "     requirements/app.lock /opt/app/\n"
        'COPY ["missing dir", "/opt/app/other"]\n',
    )
    parsed = parse_dockerfile(dockerfile, tmp_path, tmp_path)
    lines = [str(p) for p in parsed.problems]
    assert lines == [
        "docker/app.Dockerfile:3: COPY source requirements/app.lock does not exist in the build context .",
        "docker/app.Dockerfile:5: COPY source missing dir does not exist in the build context .",
    ]
    assert {str(s): str(t) for _, s, t in parsed.copies}["run.sh"] == "/opt/app/run.sh"


def test_dockerfile_run_using_a_file_not_yet_copied_fails(tmp_path):
    dockerfile = _context(
        tmp_path,
        "FROM python:3.11-slim\n"
        "RUN pip install -r /opt/xunpan/src/requirements/app.lock\n"
        "COPY src /opt/xunpan/src/src\n"
        "RUN python /opt/xunpan/src/src/app.py && pip install /opt/xunpan/src\n",
    )
    lines = [str(p) for p in parse_dockerfile(dockerfile, tmp_path, tmp_path).problems]
    assert lines == [
        "docker/app.Dockerfile:2 RUN: /opt/xunpan/src/requirements/app.lock lies in the image's copy of the "
        "repository but no COPY or bind mount provides it (and requirements/app.lock does not exist)"
    ]


def test_dockerfile_copy_excluded_by_its_dockerignore_fails(tmp_path):
    dockerfile = _context(tmp_path, "FROM scratch\nCOPY src /opt/app/src\nCOPY run.sh /run.sh\n", "*\n!src\n")
    lines = [str(p) for p in parse_dockerfile(dockerfile, tmp_path, tmp_path).problems]
    assert lines == [
        "docker/app.Dockerfile:3: COPY source run.sh is excluded from the build context by the .dockerignore "
        "file, so the build would fail"
    ]


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("src/xunpan/config.py", False),
        ("src/xunpan/__pycache__/config.cpython-311.pyc", True),
        (".venvs/airflow/bin/python", True),
        ("var/secrets.env", True),
        ("dbt_project/models/x.sql", False),
        ("dbt_project/target/manifest.json", True),
        ("requirements/airflow.lock", False),
        ("requirements/superset.lock", True),
    ],
)
def test_airflow_dockerignore_sends_only_what_the_image_copies(path, ignored):
    patterns = [
        (line.startswith("!"), line.lstrip("!"))
        for line in (REPO / "docker/airflow.Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert is_ignored(path, patterns) is ignored


# --- interpolation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${XUNPAN_SECRETS_FILE:-./var/secrets.env}", {}, "./var/secrets.env"),
        ("${XUNPAN_SECRETS_FILE:-./var/secrets.env}", {"XUNPAN_SECRETS_FILE": "/etc/x.env"}, "/etc/x.env"),
        ("${A:-x}", {"A": ""}, "x"),
        ("${A-x}", {"A": ""}, ""),
        ("${A:+on}", {"A": "1"}, "on"),
        ("celery@$${HOSTNAME}", {}, "celery@${HOSTNAME}"),
        ("$PORT/tcp", {"PORT": "80"}, "80/tcp"),
    ],
)
def test_interpolation_follows_compose(text, env, expected):
    assert interpolate(text, env) == expected


def test_required_variable_without_value_is_a_problem(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["image"] = "redis:${REDIS_TAG:?set REDIS_TAG}"
    assert "services.redis.image: variable REDIS_TAG is required: set REDIS_TAG" in _check_variant(broken)


# --- what the stack expects from the rest of the project -----------------------------------------

# Keys of the generated secrets file that the compose stack reads (docker/*.sh and the postgres image).
SECRETS_THE_STACK_READS = {
    "POSTGRES_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "SUPERSET_DB_PASSWORD",
    "REDIS_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_ADMIN_USER",
    "AIRFLOW_ADMIN_PASSWORD",
    "SUPERSET_SECRET_KEY",
    "SUPERSET_ADMIN_USER",
    "SUPERSET_ADMIN_PASSWORD",
}


def test_scripts_read_the_secrets_the_stack_expects(raw):
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "docker").rglob("*.sh")))
    for name in SECRETS_THE_STACK_READS - {"POSTGRES_PASSWORD"}:
        assert re.search(rf"\b{name}\b", scripts), f"{name} is read by no docker/ script"
    # POSTGRES_PASSWORD is the superuser's, read by the postgres image only; the applications log
    # in with their own roles.
    assert "POSTGRES_PASSWORD" not in scripts
    # Every secret reaches the containers by interpolation from the secrets file, never as a literal.
    for service in raw["services"].values():
        for name in SECRETS_THE_STACK_READS & set(service.get("environment") or {}):
            assert service["environment"][name].startswith(f"${{{name}:?"), name


def test_generated_secrets_file_holds_every_key_the_stack_reads(settings):
    from xunpan.secrets import ensure_secrets, read_env_file

    ensure_secrets(settings)
    generated = set(read_env_file(settings.secrets_file))
    missing = sorted(SECRETS_THE_STACK_READS - generated)
    assert not missing, (
        f"{settings.secrets_file.name} lacks {', '.join(missing)}: docker compose reads it with --env-file "
        "(xunpan.secrets must generate these keys)"
    )


def test_docker_folder_has_no_literal_secrets():
    problems = []
    for path in sorted((REPO / "docker").rglob("*")):
        if path.is_file():
            problems += secret_problems_in_text(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert problems == [], "\n".join(map(str, problems))
