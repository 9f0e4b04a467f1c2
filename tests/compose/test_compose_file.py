"""docker-compose.yml and the images it builds, checked without a Docker engine (see compose_check):
the Compose specification's schema for Compose's own rules, and the project's own checks."""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from compose_check import (
    CELERY_SETTINGS,
    REPO,
    SCHEMA_PATH,
    airflow_settings,
    check_compose,
    check_document,
    load_compose,
    secret_problems_in_text,
)

COMPOSE = REPO / "docker-compose.yml"
CELERY_TEST = REPO / "tests" / "dags" / "test_celery_executor.py"

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


@pytest.fixture(scope="module")
def raw() -> dict:
    return load_compose(COMPOSE)


def _check_variant(document: dict) -> list[str]:
    return [str(p) for p in check_document(document, REPO)]


# --- the real file -------------------------------------------------------------------------------


def test_vendored_schema_is_the_compose_specification():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    assert {"service", "healthcheck", "volume", "network"} <= set(schema["definitions"])
    notice = (SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert "Apache License 2.0" in notice and re.search(r"\b[0-9a-f]{40}\b", notice)


def test_compose_file_passes_every_check():
    problems = check_compose(COMPOSE)
    assert problems == [], "\n".join(map(str, problems))


def test_stack_has_the_services_of_the_production_shape(raw):
    assert set(raw["services"]) == SERVICES
    airflow = [name for name in SERVICES if name.startswith("airflow-")]
    for name in airflow:
        assert raw["services"][name]["build"]["dockerfile"] == "docker/airflow.Dockerfile", name
    for name in ("superset-init", "superset", "superset-worker"):
        assert raw["services"][name]["build"]["dockerfile"] == "docker/superset.Dockerfile", name


def test_airflow_runs_celery_on_redis_with_postgres_results(raw):
    services = raw["services"]
    assert services["airflow-worker"]["command"] == ["celery", "worker"]
    env = services["airflow-worker"]["environment"]
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["AIRFLOW_REDIS_DB"]) == ("redis", "6379", "10")
    assert (env["POSTGRES_HOST"], env["AIRFLOW_DB"]) == ("postgres", "airflow")
    settings = airflow_settings(services["airflow-worker"])
    assert settings["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert settings["AIRFLOW__CELERY__BROKER_URL"] == "redis://${redis_target}"
    assert settings["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql+psycopg2://${pg_target}"
    assert settings["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://${pg_target}"
    derived = (REPO / "docker/airflow-env.sh").read_text(encoding="utf-8")
    assert 'redis_target=":$(python -c "$_xunpan_quote" REDIS_PASSWORD)@${REDIS_HOST}' in derived
    assert ". /opt/xunpan/src/docker/airflow-env.sh" in (REPO / "docker/airflow-entrypoint.sh").read_text()


def test_the_celery_test_sets_the_same_airflow_settings():
    """The compose stack and tests/dags/test_celery_executor.py run the executor the same way."""
    tree = ast.parse(CELERY_TEST.read_text(encoding="utf-8"))
    constants = {  # module-level NAME = "text"
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }

    def text(value: ast.expr) -> str:
        """A setting's value as written, f-string parts and module constants spelled out."""
        if isinstance(value, ast.Constant):
            return str(value.value)
        if isinstance(value, ast.Name):
            return str(constants.get(value.id, ""))
        if isinstance(value, ast.JoinedStr):
            return "".join(
                text(part.value if isinstance(part, ast.FormattedValue) else part) for part in value.values
            )
        return ""

    settings = {
        key.value: text(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and str(key.value).startswith("AIRFLOW__")
    }
    for name, start in CELERY_SETTINGS.items():
        assert settings.get(name, "").startswith(start), (name, settings.get(name), start)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["services"]["airflow-worker"]["environment"].update(
                AIRFLOW__CORE__EXECUTOR="LocalExecutor"
            ),
            "services.airflow-worker.environment: AIRFLOW__CORE__EXECUTOR must start with 'CeleryExecutor', "
            "is 'LocalExecutor'",
        ),
        (
            lambda d: d["services"]["airflow-worker"].update(command=["scheduler"]),
            "services: no Airflow service runs `celery worker`",
        ),
        (
            lambda d: d["services"]["airflow-scheduler"]["environment"].update(REDIS_HOST="cache"),
            "services.airflow-scheduler.environment.REDIS_HOST: names no service of the redis image",
        ),
        (
            lambda d: d["services"]["superset"]["environment"].update(XUNPAN_SERVING_DAYS="7"),
            "services.superset.environment.XUNPAN_SERVING_DAYS: XUNPAN_SERVING_DAYS is not a setting of "
            "xunpan.config.Settings",
        ),
        (
            lambda d: d["services"]["superset"].update(
                ports=["127.0.0.1:${XUNPAN_SUPERSET_PORT:-8089}:8088"]
            ),
            "services.superset.ports[0]: XUNPAN_SUPERSET_PORT defaults to 8089 here but to 8088 in Settings",
        ),
    ],
)
def test_settings_that_drift_from_the_projects_fail(raw, change, expected):
    broken = copy.deepcopy(raw)
    change(broken)
    assert expected in _check_variant(broken)


def test_an_image_setting_a_variable_settings_does_not_know_fails(tmp_path, raw):
    (tmp_path / "app.Dockerfile").write_text(
        "FROM scratch\nENV XUNPAN_HOME=/home \\\n    XUNPAN_CACHE=/cache\n"
    )
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["build"] = {"context": str(tmp_path), "dockerfile": "app.Dockerfile"}
    assert _check_variant(broken) == [
        f"{tmp_path}/app.Dockerfile:3: XUNPAN_CACHE is not a setting of xunpan.config.Settings"
    ]


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
        in _check_variant(broken)
    )


def test_unknown_service_key_fails_schema_validation(raw):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["restart_policy"] = "always"
    assert any(
        line.startswith("services.redis: does not match the Compose specification")
        and "restart_policy" in line
        for line in _check_variant(broken)
    )


def test_missing_files_of_the_repository_fail(raw):
    broken = copy.deepcopy(raw)
    postgres = broken["services"]["postgres"]
    postgres["volumes"] = [
        *postgres["volumes"],
        "./docker/postgres/tuning.conf:/etc/postgresql/tuning.conf:ro",
    ]
    broken["services"]["superset"]["build"] = {"context": ".", "dockerfile": "docker/superset-web.Dockerfile"}
    broken["services"]["superset-init"]["command"] = ["/opt/xunpan/src/docker/superset-setup.sh"]
    lines = _check_variant(broken)
    assert "services.postgres.volumes[2]: bind-mounted ./docker/postgres/tuning.conf does not exist" in lines
    assert (
        f"services.superset.build.dockerfile: {REPO}/docker/superset-web.Dockerfile does not exist" in lines
    )
    assert (
        "services.superset-init.command[0]: /opt/xunpan/src/docker/superset-setup.sh is not in the "
        "repository (docker/superset-setup.sh)" in lines
    )


def test_a_dockerfile_copy_of_a_missing_source_fails(tmp_path, raw):
    (tmp_path / "app.Dockerfile").write_text("FROM scratch\nCOPY --chown=1:1 present missing /x/\n")
    (tmp_path / "present").write_text("")
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["build"] = {"context": str(tmp_path), "dockerfile": "app.Dockerfile"}
    assert f"{tmp_path}/app.Dockerfile:2: COPY source missing does not exist" in _check_variant(broken)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"POSTGRES_PASSWORD": "correct-horse"},
            "services.redis.environment.POSTGRES_PASSWORD: a literal secret",
        ),
        (
            {"SUPERSET_SECRET_KEY": "changeme"},
            "services.redis.environment.SUPERSET_SECRET_KEY: a literal secret",
        ),
        (
            {"DATABASE_URL": "postgresql://xunpan:s3cret@postgres/airflow"},
            "services.redis.environment.DATABASE_URL: a URL with a literal password",
        ),
    ],
)
def test_literal_secrets_fail(raw, value, expected):
    broken = copy.deepcopy(raw)
    broken["services"]["redis"]["environment"] = value
    assert any(line.startswith(expected) for line in _check_variant(broken)), _check_variant(broken)


def test_dependency_conditions_are_checked(raw):
    broken = copy.deepcopy(raw)
    del broken["services"]["redis"]["healthcheck"]
    broken["services"]["superset-init"]["restart"] = "unless-stopped"
    broken["services"]["superset"]["depends_on"] = {"cache": {"condition": "service_started"}}
    lines = _check_variant(broken)
    assert (
        "services.airflow-apiserver.depends_on.redis: waits for redis to be healthy, which has no healthcheck"
        in lines
    )
    assert (
        "services.superset-worker.depends_on.superset-init: waits for superset-init to finish, but it restarts"
        in lines
    )
    assert "services.superset.depends_on.cache: no service named 'cache'" in lines


def test_broken_yaml_file_is_reported(tmp_path):
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n  web:\n    image: [unclosed\n", encoding="utf-8")
    [problem] = check_compose(path)
    assert "not valid YAML" in problem.message


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
