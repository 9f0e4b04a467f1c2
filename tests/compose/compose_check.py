"""The project's own checks of docker-compose.yml, for machines without a Docker engine.

Compose's own rules are left to the Compose specification's JSON schema (compose-spec.json
beside this file, validated with jsonschema): no Compose v2 binary can be installed from the
package registries this project uses (Debian and PyPI only carry the retired Python v1). What the
schema cannot know is checked here, by `check_compose(path)`, which returns a list of `Problem`s:

- cross-references: `depends_on` names services that exist, `service_healthy` targets declare a
  healthcheck and `service_completed_successfully` targets are one-shot (`restart: "no"`);
- the repository: every build context, Dockerfile, Dockerfile COPY source and bind-mounted host
  path exists, and every path under the images' copy of the repository (/opt/xunpan/src) that a
  service names exists in the repository;
- the same settings as everywhere else: every XUNPAN_ variable that the file or its images' ENV
  name is a field of `xunpan.config.Settings`, with Settings' default where the file gives one;
  Airflow runs the CeleryExecutor with a Celery worker service, Redis as broker and Postgres for
  metadata and task results, under the AIRFLOW__ names of CELERY_SETTINGS (the ones
  tests/dags/test_celery_executor.py sets on the development and CI machines);
- secrets: none is written in the file, and each service receives only the secrets of its entry
  in SERVICE_SECRETS (the allow-list below).

Run `python tests/compose/compose_check.py [docker-compose.yml]` to print the problems.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

HERE = Path(__file__).resolve().parent
SCHEMA_PATH = HERE / "compose-spec.json"
REPO = HERE.parents[1]
# Where the images keep their copy of the repository (XUNPAN_REPO inside the containers).
CONTAINER_REPO = "/opt/xunpan/src"
SECRETS_FILE_NAME = "secrets.env"

# The Airflow settings that make the CeleryExecutor, with how each value starts. The compose stack
# sets them in docker-compose.yml or derives them in docker/airflow-env.sh; the Celery test sets the
# same names on the local Redis and Postgres.
CELERY_SETTINGS: dict[str, str] = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://",
    "AIRFLOW__CELERY__BROKER_URL": "redis://",
    "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql+psycopg2://",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://",
}
AIRFLOW_ENV_SCRIPT = REPO / "docker" / "airflow-env.sh"

# Which service may receive which variable of the generated secrets file (xunpan.secrets). Airflow
# never gets Superset's SECRET_KEY or admin login, Superset never gets the Fernet key, the JWT or
# API secret; each reaches Postgres as its own role; only the one-shot init services get the admin
# logins; Redis gets its password and nothing else.
_AIRFLOW = frozenset(
    {
        "AIRFLOW_DB_PASSWORD",
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
        "REDIS_PASSWORD",
    }
)
_SUPERSET = frozenset({"SUPERSET_SECRET_KEY", "SUPERSET_DB_PASSWORD", "REDIS_PASSWORD"})
SERVICE_SECRETS: dict[str, frozenset[str]] = {
    "postgres": frozenset({"POSTGRES_PASSWORD", "AIRFLOW_DB_PASSWORD", "SUPERSET_DB_PASSWORD"}),
    "redis": frozenset({"REDIS_PASSWORD"}),
    "airflow-init": _AIRFLOW | {"AIRFLOW_ADMIN_USER", "AIRFLOW_ADMIN_PASSWORD"},
    "airflow-apiserver": _AIRFLOW,
    "airflow-scheduler": _AIRFLOW,
    "airflow-dag-processor": _AIRFLOW,
    "airflow-triggerer": _AIRFLOW,
    "airflow-worker": _AIRFLOW,
    "superset-init": _SUPERSET | {"SUPERSET_ADMIN_USER", "SUPERSET_ADMIN_PASSWORD"},
    "superset": _SUPERSET,
    "superset-worker": _SUPERSET,
}


def secrets_file_keys() -> frozenset[str]:
    """Every key xunpan.secrets writes into var/secrets.env (the package is installed where tests run)."""
    from xunpan.secrets import _GENERATORS

    return frozenset(_GENERATORS)


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located by a dotted path into the compose file (or a Dockerfile:line)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def load_compose(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string of a definition (keys of an environment mapping included), with its location."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{where}.{key}", str(key)
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{where}[{i}]")
    elif node is not None:
        yield where, str(node)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {str(k): "" if v is None else str(v) for k, v in environment.items()}


# --- the schema ------------------------------------------------------------------------------------


@functools.cache
def _validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def schema_problems(document: Any) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(document):
        # For oneOf/anyOf failures the alternative that got furthest says the most.
        while error.context and (deeper := best_match(error.context)) is not None:
            error = deeper
        where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        problems.append(Problem(where, f"does not match the Compose specification: {error.message}"))
    return problems


# --- cross-references and the repository -----------------------------------------------------------


def dependency_problems(services: dict[str, Any]) -> list[Problem]:
    problems = []
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        conditions = (
            {d: "service_started" for d in depends}
            if isinstance(depends, list)
            else {d: (spec or {}).get("condition", "service_started") for d, spec in depends.items()}
        )
        for target, condition in conditions.items():
            where = f"services.{name}.depends_on.{target}"
            if target not in services:
                problems.append(Problem(where, f"no service named {target!r}"))
            elif condition == "service_healthy" and "healthcheck" not in services[target]:
                problems.append(Problem(where, f"waits for {target} to be healthy, which has no healthcheck"))
            elif condition == "service_completed_successfully" and services[target].get("restart") != "no":
                problems.append(Problem(where, f"waits for {target} to finish, but it restarts"))
    return problems


def _copy_sources(dockerfile: Path) -> Iterator[tuple[int, str]]:
    """(line, source) of each COPY/ADD from the build context (multi-stage `--from` copies skipped)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        arguments = [w for w in words[1:] if not w.startswith("--")]
        if any(w.startswith("--from") for w in words[1:]):
            continue
        for source in arguments[:-1]:
            yield number, source


def repository_problems(services: dict[str, Any], compose_dir: Path) -> list[Problem]:
    problems = []
    for name, service in services.items():
        where = f"services.{name}"
        build = service.get("build")
        if isinstance(build, dict):
            context = compose_dir / build.get("context", ".")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not context.is_dir():
                problems.append(Problem(f"{where}.build.context", f"{context} is not a folder"))
            elif not dockerfile.is_file():
                problems.append(Problem(f"{where}.build.dockerfile", f"{dockerfile} does not exist"))
            else:
                label = dockerfile.relative_to(REPO) if dockerfile.is_relative_to(REPO) else dockerfile
                for line, source in _copy_sources(dockerfile):
                    if not list(context.glob(source.lstrip("/"))):
                        problems.append(Problem(f"{label}:{line}", f"COPY source {source} does not exist"))
        for i, volume in enumerate(_as_list(service.get("volumes"))):
            source = volume.split(":")[0] if isinstance(volume, str) else (volume.get("source") or "")
            if source.startswith((".", "/")) and not (compose_dir / source).exists():
                problems.append(Problem(f"{where}.volumes[{i}]", f"bind-mounted {source} does not exist"))
        for location, text in _strings(service, where):
            for path in re.findall(rf"{re.escape(CONTAINER_REPO)}/[\w./-]+", text):
                relative = path.removeprefix(CONTAINER_REPO + "/").rstrip("/.")
                if not (REPO / relative).exists():
                    problems.append(Problem(location, f"{path} is not in the repository ({relative})"))
    return problems


# --- the same settings -----------------------------------------------------------------------------

_XUNPAN_REFERENCE = re.compile(r"\$\{(XUNPAN_[A-Z0-9_]+)(?::?-([^}]*))?\}")


def settings_problems(document: dict[str, Any]) -> list[Problem]:
    """XUNPAN_ variables are Settings fields (with its defaults); Airflow runs the CeleryExecutor."""
    from xunpan.config import Settings, env_name

    fields = {env_name(name): info for name, info in Settings.model_fields.items()}
    problems = []
    for where, text in _strings(document, ""):
        where = where.lstrip(".")
        for name in re.findall(r"\bXUNPAN_[A-Z0-9_]+", text):
            if name not in fields:
                problems.append(Problem(where, f"{name} is not a setting of xunpan.config.Settings"))
        for name, default in _XUNPAN_REFERENCE.findall(text):
            info = fields.get(name)
            if info is not None and default and str(info.default) != default:
                problems.append(
                    Problem(where, f"{name} defaults to {default} here but to {info.default} in Settings")
                )
    # The images set some of them too (ENV), for every container that does not override them.
    for dockerfile in sorted({_dockerfile(s) for s in document["services"].values()} - {None}):
        label = dockerfile.relative_to(REPO) if dockerfile.is_relative_to(REPO) else dockerfile
        for number, line in enumerate(dockerfile.read_text(encoding="utf-8").splitlines(), start=1):
            for name in re.findall(r"\b(XUNPAN_[A-Z0-9_]+)=", line):
                if name not in fields:
                    problems.append(
                        Problem(f"{label}:{number}", f"{name} is not a setting of xunpan.config.Settings")
                    )
    return problems + celery_problems(document["services"])


def _dockerfile(service: dict[str, Any]) -> Path | None:
    build = service.get("build")
    if not isinstance(build, dict):
        return None
    path = REPO / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
    return path if path.is_file() else None


def airflow_settings(service: dict[str, Any]) -> dict[str, str]:
    """AIRFLOW__ settings of a service: its environment, then what docker/airflow-env.sh exports."""
    settings = {k: v for k, v in _environment(service).items() if k.startswith("AIRFLOW__")}
    for name, value in re.findall(r'^export (AIRFLOW__\w+)="([^"]*)"', AIRFLOW_ENV_SCRIPT.read_text(), re.M):
        settings.setdefault(name, value)
    return settings


def celery_problems(services: dict[str, Any]) -> list[Problem]:
    airflow = {
        n: s for n, s in services.items() if "airflow" in str((s.get("build") or {}).get("dockerfile"))
    }
    workers = [n for n, s in airflow.items() if _as_list(s.get("command"))[:2] == ["celery", "worker"]]
    problems = [] if workers else [Problem("services", "no Airflow service runs `celery worker`")]
    for name, service in airflow.items():
        settings, env = airflow_settings(service), _environment(service)
        for setting, start in CELERY_SETTINGS.items():
            value = settings.get(setting, "")
            if not value.startswith(start):
                problems.append(
                    Problem(
                        f"services.{name}.environment", f"{setting} must start with {start!r}, is {value!r}"
                    )
                )
        for variable, image in (("POSTGRES_HOST", "postgres"), ("REDIS_HOST", "redis")):
            target = services.get(env.get(variable, ""), {})
            if not str(target.get("image", "")).startswith(image):
                problems.append(
                    Problem(
                        f"services.{name}.environment.{variable}", f"names no service of the {image} image"
                    )
                )
    return problems


# --- secrets ---------------------------------------------------------------------------------------

_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|(?:^|_)KEY$")
_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[?-][^}]*)?\}$")
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<password>[^@\s/]+)@", re.I)


def secret_problems_in_text(text: str, where: str) -> list[Problem]:
    """A URL carrying a literal password (a $variable is fine)."""
    return [
        Problem(where, "a URL with a literal password; take it from a variable")
        for match in _URL_PASSWORD.finditer(text)
        if not match.group("password").startswith("$")
    ]


def literal_secret_problems(services: dict[str, Any]) -> list[Problem]:
    problems = []
    for name, service in services.items():
        for variable, value in _environment(service).items():
            if _SECRET_NAME.search(variable) and not _REFERENCE.match(value):
                problems.append(
                    Problem(f"services.{name}.environment.{variable}", "a literal secret; use ${VARIABLE}")
                )
        for where, text in _strings(service, f"services.{name}"):
            problems += secret_problems_in_text(text, where)
    return problems


def received_secrets(service: dict[str, Any], keys: frozenset[str], where: str = "") -> dict[str, str]:
    """Each secret the service receives, with where: a reference, a `secrets:` entry, the whole file."""
    received: dict[str, str] = {}
    for i, env_file in enumerate(_as_list(service.get("env_file"))):
        path = env_file if isinstance(env_file, str) else env_file.get("path", "")
        if path.rstrip("}").endswith(SECRETS_FILE_NAME):
            for key in keys:
                received.setdefault(key, f"{where}.env_file[{i}] (the whole secrets file)")
    for location, text in _strings({k: v for k, v in service.items() if k != "secrets"}, where):
        for key in re.findall(r"\$\$?\{?([A-Za-z_][A-Za-z0-9_]*)", text):
            if key in keys:
                received.setdefault(key, location)
    return received


def secret_scope_problems(document: dict[str, Any]) -> list[Problem]:
    keys = secrets_file_keys()
    top_secrets = document.get("secrets") or {}
    problems = []
    for name, service in document["services"].items():
        allowed = SERVICE_SECRETS.get(name)
        if allowed is None:
            problems.append(
                Problem(f"services.{name}", "not in SERVICE_SECRETS: say which secrets it may get")
            )
            continue
        received = received_secrets(service, keys, f"services.{name}")
        for i, entry in enumerate(_as_list(service.get("secrets"))):
            source = entry if isinstance(entry, str) else entry.get("source", "")
            key = (top_secrets.get(source) or {}).get("environment")
            if key in keys:
                received.setdefault(key, f"services.{name}.secrets[{i}]")
        for key, where in sorted(received.items()):
            if key not in allowed:
                problems.append(
                    Problem(where, f"hands {key} to {name}, which is not in its SERVICE_SECRETS entry")
                )
    return problems


# --- all together ----------------------------------------------------------------------------------


def check_document(document: Any, compose_dir: Path = REPO) -> list[Problem]:
    problems = schema_problems(document)
    if problems or not isinstance(document, dict):
        return problems  # the other checks assume the shape the schema describes
    services = document.get("services") or {}
    return (
        dependency_problems(services)
        + repository_problems(services, compose_dir)
        + settings_problems(document)
        + literal_secret_problems(services)
        + secret_scope_problems(document)
    )


def check_compose(path: Path) -> list[Problem]:
    try:
        document = load_compose(path)
    except yaml.YAMLError as exc:
        return [Problem(str(path), f"not valid YAML: {exc}")]
    return check_document(document, path.resolve().parent)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else REPO / "docker-compose.yml"
    problems = check_compose(path)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
