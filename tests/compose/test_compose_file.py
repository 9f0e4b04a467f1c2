"""docker-compose.yml and the images it builds, checked without a Docker engine (see compose_check)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
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
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
    entrypoint = (REPO / "docker/airflow-entrypoint.sh").read_text(encoding="utf-8")
    assert 'AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql://' in entrypoint
    assert 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://' in entrypoint
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


def test_every_service_that_needs_secrets_reads_the_generated_file(raw):
    for name in SERVICES - {"redis"}:
        assert raw["services"][name]["env_file"] == ["${XUNPAN_SECRETS_FILE:-./var/secrets.env}"], name
    assert "env_file" not in raw["services"]["redis"]


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
        "DATABASE_URL": "postgresql://xunpan:${POSTGRES_PASSWORD}@postgres/airflow",
    }
    env = {"REDIS_PASSWORD": "from-the-shell", "POSTGRES_PASSWORD": "from-the-shell"}
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
    # POSTGRES_PASSWORD is read by the postgres image itself and by both entrypoints.
    assert scripts.count('os.environ["POSTGRES_PASSWORD"]') == 2
    for service in raw["services"].values():
        assert not SECRETS_THE_STACK_READS & set(service.get("environment") or {})


def test_generated_secrets_file_holds_every_key_the_stack_reads(settings):
    from xunpan.secrets import ensure_secrets, read_env_file

    ensure_secrets(settings)
    generated = set(read_env_file(settings.secrets_file))
    missing = sorted(SECRETS_THE_STACK_READS - generated)
    assert not missing, (
        f"{settings.secrets_file.name} lacks {', '.join(missing)}: docker-compose.yml reads it as its env_file "
        "(xunpan.secrets must generate these keys)"
    )


def test_docker_folder_has_no_literal_secrets():
    problems = []
    for path in sorted((REPO / "docker").rglob("*")):
        if path.is_file():
            problems += secret_problems_in_text(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert problems == [], "\n".join(map(str, problems))
