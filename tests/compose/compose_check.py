"""Static checks of docker-compose.yml and the Dockerfiles it builds, for machines without a Docker engine.

`check_compose(path)` returns a list of `Problem`s, empty when the stack is sound as far as can be
seen without running it:

- the file, after Compose variable interpolation with every variable unset (so the defaults
  apply), validates against the Compose specification's JSON schema (compose-spec.json here);
- port mappings are well-formed, `depends_on` names services that exist, `service_healthy`
  targets declare a healthcheck, `service_completed_successfully` targets are one-shot, and every
  long-running service has a healthcheck; named volumes are declared;
- every build context and Dockerfile, bind-mounted host path and env_file exists in the
  repository, except the generated secrets file, which must lie under the XUNPAN_HOME default;
- every COPY/ADD source of each Dockerfile exists and is not excluded by its .dockerignore;
- every container path named in a service's command, entrypoint, healthcheck or environment,
  or in a Dockerfile's ENTRYPOINT/CMD/ENV, that comes from the repository (through a COPY or a
  bind mount, or lies under the image's copy of the repository) exists in the repository;
- no literal secret: secret-named variables, URLs with passwords and long random-looking strings
  must come from variables, never from the file itself;
- each service receives only the secrets it needs (SERVICE_SECRETS, an explicit allow-list): a
  variable of the generated secrets file referenced in the service's definition, a `secrets:`
  entry, or the secrets file as its env_file (which hands it every secret) counts as received.

The file is interpolated as `docker compose --env-file var/secrets.env` would: every key of the
generated secrets file has a (placeholder) value, every other variable is unset.

Run `python tests/compose/compose_check.py [docker-compose.yml]` to print the problems.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shlex
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

HERE = Path(__file__).resolve().parent
SCHEMA_PATH = HERE / "compose-spec.json"
REPO = HERE.parents[1]

# Where the images keep their copy of the repository (XUNPAN_REPO inside the containers).
CONTAINER_REPO = PurePosixPath("/opt/xunpan/src")
# XUNPAN_HOME's default on the host, relative to the compose file; the generated secrets live there.
HOME_DEFAULT = PurePosixPath("var")
SECRETS_FILE_NAME = "secrets.env"

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
    # The repository-relative path whose absence caused this problem, if that is what it is.
    missing: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- interpolation ---------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.S)


class InterpolationError(ValueError):
    pass


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?msg}`, `${VAR:+alt}`, `$$`."""

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("named"):
            return env.get(match.group("named"), "")
        braced = _BRACED.match(match.group("braced"))
        if not braced:
            raise InterpolationError(f"invalid interpolation {match.group(0)!r}")
        name, op, arg = braced.group("name"), braced.group("op"), braced.group("arg") or ""
        current = env.get(name)
        set_and_non_empty = bool(current)
        if op is None:
            return current or ""
        if op == ":-":
            return current if set_and_non_empty else arg
        if op == "-":
            return current if current is not None else arg
        if op in (":?", "?"):
            if (op == ":?" and not set_and_non_empty) or current is None:
                raise InterpolationError(f"variable {name} is required: {arg or 'no message'}")
            return current
        if op == ":+":
            return arg if set_and_non_empty else ""
        return arg if current is not None else ""  # "+"

    return _VARIABLE.sub(replace, value)


def interpolate_tree(node: Any, env: Mapping[str, str], where: str, problems: list[Problem]) -> Any:
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env, f"{where}.{key}", problems) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, env, f"{where}[{i}]", problems) for i, value in enumerate(node)]
    if isinstance(node, str):
        try:
            return interpolate(node, env)
        except InterpolationError as exc:
            problems.append(Problem(where, str(exc)))
            return node
    return node


# --- schema ----------------------------------------------------------------------------------


def _location(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _explain(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, the alternative that got furthest says the most."""
    while error.context:
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    return error


def _message(error: ValidationError) -> str:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        unknown = sorted(
            key for key in error.instance if key not in known and not any(re.search(p, key) for p in patterns)
        )
        return f"unknown key(s) {', '.join(map(repr, unknown))} (not a Compose key nor an x- extension)"
    return error.message


@functools.cache
def _validator(schema_path: Path) -> Draft7Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def schema_problems(document: Any, schema_path: Path = SCHEMA_PATH) -> list[Problem]:
    validator = _validator(schema_path)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        detail = _explain(error)
        problems.append(
            Problem(
                _location(detail.absolute_path),
                f"does not match the Compose specification: {_message(detail)}",
            )
        )
    return problems


# --- Dockerfiles -----------------------------------------------------------------------------


@dataclass
class Dockerfile:
    """What the checks need from a Dockerfile: its copies into the image and the paths it names."""

    path: Path
    # (line, repo-relative source, container destination)
    copies: list[tuple[int, PurePosixPath, PurePosixPath]] = field(default_factory=list)
    # (line, instruction, text) of ENTRYPOINT / CMD / ENV, searched for container paths
    runtime: list[tuple[int, str, str]] = field(default_factory=list)
    # ENV values, for expanding $VARIABLES in the scripts the image runs
    env: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Instructions with their continuation lines joined, comments and blank lines dropped."""
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        yield start, buffer + stripped
        buffer = ""
    if buffer:
        yield start, buffer


def _dockerignore(dockerfile: Path, context: Path) -> list[tuple[bool, str]]:
    """Patterns of <Dockerfile>.dockerignore (BuildKit's per-Dockerfile file) or <context>/.dockerignore."""
    for candidate in (dockerfile.with_name(dockerfile.name + ".dockerignore"), context / ".dockerignore"):
        if candidate.is_file():
            patterns = []
            for line in candidate.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                negated = line.startswith("!")
                pattern = line[1:] if negated else line
                patterns.append((negated, str(PurePosixPath(pattern.strip().lstrip("/")))))
            return patterns
    return []


def _ignore_match(pattern: str, path: str) -> bool:
    """Docker's pattern syntax: `*` and `?` stay inside one path segment, `**` spans any number."""
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            regex += ".*"
            i += 2
            if pattern.startswith("/", i):
                regex = regex[:-2] + "(?:.*/)?"
                i += 1
            continue
        char = pattern[i]
        regex += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        i += 1
    return re.fullmatch(regex, path) is not None


def is_ignored(path: str, patterns: list[tuple[bool, str]]) -> bool:
    """Whether `path` (relative to the context) is left out of the build context."""
    parts = PurePosixPath(path).parts
    ignored = False
    for negated, pattern in patterns:
        # A pattern that matches a parent directory covers everything below it.
        if any(_ignore_match(pattern, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not negated
    return ignored


def _copy_arguments(arguments: str) -> tuple[dict[str, str], list[str]]:
    """Flags (`--from=...`, `--chown=...`) and the remaining words, in shell or JSON form."""
    flags: dict[str, str] = {}
    rest = arguments.strip()
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        name, _, value = word[2:].partition("=")
        flags[name] = value
        rest = rest.lstrip()
    words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    return flags, [str(word) for word in words]


def parse_dockerfile(dockerfile: Path, context: Path, repo: Path) -> Dockerfile:
    """Read COPY/ADD sources (checked against the repository and the ignore file) and runtime paths."""
    result = Dockerfile(dockerfile)
    label = dockerfile.relative_to(repo).as_posix() if dockerfile.is_relative_to(repo) else str(dockerfile)
    ignore = _dockerignore(dockerfile, context)
    workdir = PurePosixPath("/")
    for line, instruction in _logical_lines(dockerfile.read_text(encoding="utf-8")):
        keyword, _, arguments = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "WORKDIR":
            workdir = workdir / arguments.strip()
        elif keyword in ("ENTRYPOINT", "CMD", "ENV"):
            result.runtime.append((line, keyword, arguments))
            if keyword == "ENV":
                result.env.update(_env_assignments(arguments))
        elif keyword == "RUN":
            # At build time only what was copied above this line is there.
            copied = PathMap()
            for copy_line, source, target in result.copies:
                copied.add(target, source, f"copied by {label}:{copy_line}")
            PathChecker(copied, repo, True, result.problems, dict(result.env)).check(
                arguments, f"{label}:{line} RUN"
            )
        elif keyword in ("COPY", "ADD"):
            flags, words = _copy_arguments(arguments)
            if "from" in flags:
                continue  # from another build stage or image, not from the repository
            if len(words) < 2:
                result.problems.append(
                    Problem(f"{label}:{line}", f"{keyword} needs a source and a destination")
                )
                continue
            *sources, destination = words
            dest = workdir / destination
            into_directory = destination.endswith("/") or len(sources) > 1
            for source in sources:
                relative = PurePosixPath(source.lstrip("/"))
                matches = (
                    sorted(context.glob(str(relative)))
                    if any(c in source for c in "*?[")
                    else ([context / relative] if (context / relative).exists() else [])
                )
                repo_relative = _repo_relative(context / relative, repo)
                if not matches:
                    result.problems.append(
                        Problem(
                            f"{label}:{line}",
                            f"{keyword} source {source} does not exist in the "
                            f"build context {_repo_relative(context, repo)}",
                            missing=repo_relative,
                        )
                    )
                elif is_ignored(str(relative), ignore):
                    result.problems.append(
                        Problem(
                            f"{label}:{line}",
                            f"{keyword} source {source} is excluded from the "
                            "build context by the .dockerignore file, so the build would fail",
                        )
                    )
                for match in matches or [context / relative]:
                    # A directory's contents land in the destination; files land in it or become it.
                    target = dest / match.name if into_directory and not match.is_dir() else dest
                    result.copies.append((line, PurePosixPath(_repo_relative(match, repo)), target))
    return result


def _repo_relative(path: Path, repo: Path) -> str:
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(repo.absolute()).as_posix()
    except ValueError:
        return absolute.as_posix()


# --- container paths back to the repository --------------------------------------------------

_ABSOLUTE_PATH = re.compile(r"(?<![\w$/:.-])/(?:[\w.@%+-]+/?)+")


def container_paths(text: str) -> list[PurePosixPath]:
    return [PurePosixPath(m.group(0).rstrip("/") or "/") for m in _ABSOLUTE_PATH.finditer(text)]


@dataclass
class PathMap:
    """Container path prefix -> repository path, from COPY instructions and bind mounts."""

    entries: list[tuple[PurePosixPath, PurePosixPath, str]] = field(default_factory=list)

    def add(self, container: PurePosixPath, repo_path: PurePosixPath, origin: str) -> None:
        self.entries.append((container, repo_path, origin))

    def resolve(self, path: PurePosixPath) -> tuple[PurePosixPath, str] | None:
        best = None
        for container, repo_path, origin in self.entries:
            covers = path == container or container in path.parents
            if covers and (best is None or len(container.parts) > len(best[0].parts)):
                best = (container, repo_path, origin)
        if best is None:
            return None
        container, repo_path, origin = best
        return repo_path / path.relative_to(container), origin


_SHELL_VARIABLE = re.compile(r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<named>[A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class PathChecker:
    """Checks that container paths coming from the repository exist there, following scripts.

    A repository script named by a command (docker/airflow-init.sh, say) is read in turn, with the
    container's environment variables ($XUNPAN_REPO, ...) expanded, so the paths it uses are
    checked too.
    """

    mapping: PathMap
    repo: Path
    repo_in_image: bool
    problems: list[Problem]
    env: dict[str, str] = field(default_factory=dict)
    _read: set[Path] = field(default_factory=set)

    def check(self, text: str, where: str) -> None:
        for path in container_paths(self._expand(text)):
            resolved = self.mapping.resolve(path)
            if resolved is None:
                self._outside_mapping(path, where)
                continue
            repo_path, origin = resolved
            host = self.repo / repo_path
            if not host.exists():
                self.problems.append(
                    Problem(
                        where,
                        f"{path} refers to {repo_path} ({origin}), which does not exist in the repository",
                        missing=repo_path.as_posix(),
                    )
                )
            elif host.is_file() and host not in self._read and _is_script(host):
                self._read.add(host)
                self.check(host.read_text(encoding="utf-8"), f"{where} -> {repo_path.as_posix()}")

    def _outside_mapping(self, path: PurePosixPath, where: str) -> None:
        if not (self.repo_in_image and CONTAINER_REPO in path.parents):
            return
        # A folder exists in the image as soon as anything is copied below it.
        if any(path in container.parents for container, _, _ in self.mapping.entries):
            return
        repo_path = path.relative_to(CONTAINER_REPO).as_posix()
        exists = (self.repo / repo_path).exists()
        self.problems.append(
            Problem(
                where,
                f"{path} lies in the image's copy of the repository but no COPY or bind "
                f"mount provides it" + ("" if exists else f" (and {repo_path} does not exist)"),
                missing=None if exists else repo_path,
            )
        )

    def _expand(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group("braced") or match.group("named")
            return self.env.get(name, match.group(0))

        return _SHELL_VARIABLE.sub(replace, text)


def _is_script(path: Path) -> bool:
    if path.suffix in (".sh", ".bash"):
        return True
    with open(path, "rb") as handle:
        return handle.read(2) == b"#!"


def _env_assignments(arguments: str) -> dict[str, str]:
    """A Dockerfile ENV instruction: `K=V K2=V2` or the legacy `K V`."""
    words = shlex.split(arguments)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.partition("=")[::2] for word in words)


# --- secrets ---------------------------------------------------------------------------------

_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|FERNET|PRIVATE|CREDENTIAL|(^|_)KEY$|API_?KEY)", re.I
)
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<password>[^@\s/]+)@", re.I)
_RANDOM_LOOKING = re.compile(r"(?<![\w/.-])[A-Za-z0-9+/_=-]{24,}(?![\w/.-])")
_PASSWORD_FLAG = re.compile(r"--password(?:=|\s+)(?P<value>\S+)")
_REFERENCE = re.compile(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^\$\{[A-Za-z_][A-Za-z0-9_]*:?[?][^}]*\}$")


def _is_secret_name(name: str) -> bool:
    """AIRFLOW_FERNET_KEY or POSTGRES_PASSWORD, but not XUNPAN_SECRETS_FILE (a path to secrets)."""
    return bool(_SECRET_NAME.search(name)) and not name.upper().endswith(("_FILE", "_PATH", "_DIR"))


def _is_reference(value: str) -> bool:
    """A value taken from a variable without a literal fallback (`$X`, `${X}`, `${X:?msg}`)."""
    return bool(_REFERENCE.match(value.strip().strip("\"'")))


def _looks_random(token: str) -> bool:
    classes = sum(bool(re.search(p, token)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 3 and not re.fullmatch(r"[a-z0-9._-]+", token)


def secret_problems_in_text(text: str, where: str) -> list[Problem]:
    problems = []
    for match in _URL_PASSWORD.finditer(text):
        if not _is_reference(match.group("password")):
            problems.append(Problem(where, "a URL carries a literal password; take it from a variable"))
    for match in _PASSWORD_FLAG.finditer(text):
        if not _is_reference(match.group("value")):
            problems.append(Problem(where, "a literal --password value; take it from a variable"))
    for match in _RANDOM_LOOKING.finditer(text):
        if _looks_random(match.group(0)):
            problems.append(
                Problem(
                    where,
                    "a long random-looking literal (a key or token?) must come "
                    "from the secrets file, not from this file",
                )
            )
    for match in _VARIABLE.finditer(text):
        braced = match.group("braced") and _BRACED.match(match.group("braced"))
        if (
            braced
            and braced.group("op") in (":-", "-")
            and _is_secret_name(braced.group("name"))
            and braced.group("arg")
        ):
            problems.append(
                Problem(
                    where, f"variable {braced.group('name')} has a literal default; secrets must have none"
                )
            )
    return problems


def _environment_items(environment: Any) -> Iterator[tuple[str, str | None]]:
    if isinstance(environment, dict):
        for key, value in environment.items():
            yield str(key), None if value is None else str(value)
    elif isinstance(environment, list):
        for item in environment:
            key, sep, value = str(item).partition("=")
            yield key, value if sep else None


def secret_problems(raw: Any, where: str = "") -> list[Problem]:
    """Literal secrets anywhere in the (uninterpolated) compose document."""
    problems: list[Problem] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            here = f"{where}.{key}" if where else str(key)
            if key == "environment":
                for name, setting in _environment_items(value):
                    if setting and _is_secret_name(name) and not _is_reference(setting):
                        problems.append(
                            Problem(
                                f"{here}.{name}",
                                "a secret-named variable has a literal value; "
                                "secrets come from var/secrets.env (docker compose --env-file)",
                            )
                        )
            problems.extend(secret_problems(value, here))
    elif isinstance(raw, list) and raw and all(isinstance(value, str) for value in raw):
        # An argument list: `--password`, `value` are two items, so read them as one command line.
        problems.extend(secret_problems_in_text(" ".join(raw), where))
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            problems.extend(secret_problems(value, f"{where}[{i}]"))
    elif isinstance(raw, str):
        problems.extend(secret_problems_in_text(raw, where))
    return problems


# --- the compose file ------------------------------------------------------------------------

_PORT = re.compile(
    r"^(?:(?P<ip>\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+::?[0-9a-fA-F:]*):)?"
    r"(?:(?P<published>\d+(?:-\d+)?)?:)?(?P<target>\d+(?:-\d+)?)(?:/(?:tcp|udp|sctp))?$"
)


def _port_problem(port: Any) -> str | None:
    if isinstance(port, dict):
        return None  # long syntax: the schema checks its keys and types
    text = str(port)
    match = _PORT.match(text)
    if not match:
        return f"{text!r} is not a port mapping ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])"
    for group in ("published", "target"):
        for number in filter(None, (match.group(group) or "").split("-")):
            if not 1 <= int(number) <= 65535:
                return f"{text!r}: port {number} is outside 1-65535"
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _command_text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def load_compose(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_document(
    raw: Any,
    base_dir: Path,
    repo: Path | None = None,
    env: Mapping[str, str] | None = None,
    schema_path: Path = SCHEMA_PATH,
) -> list[Problem]:
    """All checks on an already loaded compose document whose relative paths start at `base_dir`."""
    repo = (repo or base_dir).resolve()
    base_dir = base_dir.resolve()
    problems: list[Problem] = []
    if env is None:
        env = dict.fromkeys(secrets_file_keys(), "value-from-the-secrets-file")
    document = interpolate_tree(raw, env, "", problems)
    problems = [Problem(p.where.lstrip("."), p.message) for p in problems]

    problems.extend(schema_problems(document, schema_path))
    problems.extend(secret_problems(raw))
    if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
        return problems or [Problem("services", "the file defines no services")]

    services: dict[str, Any] = document["services"]
    declared_volumes = set((document.get("volumes") or {}).keys())
    dockerfiles: dict[Path, Dockerfile] = {}

    for name, service in services.items():
        where = f"services.{name}"
        if not isinstance(service, dict):
            continue
        if "image" not in service and "build" not in service:
            problems.append(Problem(where, "needs an image or a build section"))

        mapping = PathMap()
        repo_in_image = False

        # build context and Dockerfile
        build = service.get("build")
        if build is not None:
            build = {"context": build} if isinstance(build, str) else build
            context = (base_dir / str(build.get("context", "."))).resolve()
            if not context.is_dir():
                problems.append(
                    Problem(
                        f"{where}.build.context",
                        f"{build.get('context')} is not a directory in the repository",
                        missing=_repo_relative(context, repo),
                    )
                )
            else:
                dockerfile = context / str(build.get("dockerfile", "Dockerfile"))
                if not dockerfile.is_file():
                    problems.append(
                        Problem(
                            f"{where}.build.dockerfile",
                            f"{build.get('dockerfile', 'Dockerfile')} does not exist in the build context",
                            missing=_repo_relative(dockerfile, repo),
                        )
                    )
                else:
                    if dockerfile not in dockerfiles:
                        dockerfiles[dockerfile] = parse_dockerfile(dockerfile, context, repo)
                        problems.extend(dockerfiles[dockerfile].problems)
                    parsed = dockerfiles[dockerfile]
                    label = _repo_relative(dockerfile, repo)
                    for line, source, target in parsed.copies:
                        mapping.add(target, source, f"copied by {label}:{line}")
                    repo_in_image = any(
                        target == CONTAINER_REPO or CONTAINER_REPO in target.parents
                        for _, _, target in parsed.copies
                    )

        # volumes: bind mounts must exist, named volumes must be declared
        for i, volume in enumerate(_as_list(service.get("volumes"))):
            here = f"{where}.volumes[{i}]"
            if isinstance(volume, str):
                source, _, rest = volume.partition(":")
                target = rest.split(":", 1)[0] if rest else source
                kind = "bind" if source.startswith((".", "/", "~")) else ("volume" if rest else "anonymous")
            elif isinstance(volume, dict):
                source, target, kind = (
                    str(volume.get("source", "")),
                    str(volume.get("target", "")),
                    volume.get("type"),
                )
            else:
                continue
            if kind == "bind":
                if source.startswith(("/", "~")):
                    problems.append(
                        Problem(
                            here,
                            f"bind mount of {source}: host paths must be relative to the "
                            "repository so the stack runs from any checkout",
                        )
                    )
                    continue
                host = (base_dir / source).resolve()
                if not host.exists():
                    problems.append(
                        Problem(
                            here,
                            f"bind-mounted host path {source} does not exist in the repository",
                            missing=_repo_relative(host, repo),
                        )
                    )
                mapping.add(
                    PurePosixPath(target), PurePosixPath(_repo_relative(host, repo)), f"bind mount {source}"
                )
            elif kind == "volume" and source and source not in declared_volumes:
                problems.append(
                    Problem(here, f"named volume {source!r} is not declared under top-level volumes")
                )

        # env files: all exist, except the generated secrets file, which belongs in XUNPAN_HOME
        raw_service = raw["services"].get(name, {}) if isinstance(raw.get("services"), dict) else {}
        raw_env_files = _as_list(raw_service.get("env_file"))
        for i, entry in enumerate(_as_list(service.get("env_file"))):
            here = f"{where}.env_file[{i}]"
            path_text = str(entry.get("path")) if isinstance(entry, dict) else str(entry)
            required = entry.get("required", True) if isinstance(entry, dict) else True
            resolved = (base_dir / path_text).resolve()
            if PurePosixPath(path_text).name == SECRETS_FILE_NAME:
                raw_entry = raw_env_files[i] if i < len(raw_env_files) else ""
                raw_text = str(raw_entry.get("path") if isinstance(raw_entry, dict) else raw_entry)
                home = (base_dir / HOME_DEFAULT).resolve()
                if not resolved.is_relative_to(home):
                    problems.append(
                        Problem(
                            here,
                            f"the generated secrets file {path_text} must lie under the "
                            f"XUNPAN_HOME default ./{HOME_DEFAULT}",
                        )
                    )
                if "${XUNPAN_SECRETS_FILE" not in raw_text:
                    problems.append(
                        Problem(
                            here,
                            "the secrets file path must be configurable through "
                            "${XUNPAN_SECRETS_FILE:-./var/secrets.env}",
                        )
                    )
                continue
            if required and not resolved.is_file():
                problems.append(
                    Problem(
                        here,
                        f"env_file {path_text} does not exist in the repository",
                        missing=_repo_relative(resolved, repo),
                    )
                )

        # ports
        for i, port in enumerate(_as_list(service.get("ports"))):
            message = _port_problem(port)
            if message:
                problems.append(Problem(f"{where}.ports[{i}]", message))

        # container paths named by the service, and by its image's runtime instructions; the
        # scripts they name are read with the container's environment (image ENV, then service's)
        image_env: dict[str, str] = {}
        runtime: list[tuple[int, str, str]] = []
        label = ""
        if isinstance(build, dict):
            dockerfile = (base_dir / str(build.get("context", "."))).resolve() / str(
                build.get("dockerfile", "Dockerfile")
            )
            if dockerfile in dockerfiles:
                image_env, runtime = dict(dockerfiles[dockerfile].env), dockerfiles[dockerfile].runtime
                label = _repo_relative(dockerfile, repo)
        service_env = {k: v for k, v in _environment_items(service.get("environment")) if v is not None}
        checker = PathChecker(mapping, repo, repo_in_image, problems, {**image_env, **service_env})
        for key in ("command", "entrypoint"):
            checker.check(_command_text(service.get(key)), f"{where}.{key}")
        healthcheck = service.get("healthcheck")
        if isinstance(healthcheck, dict):
            checker.check(_command_text(healthcheck.get("test")), f"{where}.healthcheck.test")
        for variable, value in service_env.items():
            checker.check(value, f"{where}.environment.{variable}")
        for line, keyword, text in runtime:
            checker.check(text, f"{label}:{line} {keyword}")

    problems.extend(_dependency_problems(services))
    problems.extend(secret_scope_problems(raw))
    return _unique(problems)


def received_secrets(service: Any, secret_keys: frozenset[str]) -> dict[str, str]:
    """The secrets-file variables a (raw, uninterpolated) service receives, each with how it gets it."""
    received: dict[str, str] = {}
    if not isinstance(service, dict):
        return received
    for i, entry in enumerate(_as_list(service.get("env_file"))):
        path_text = str(entry.get("path")) if isinstance(entry, dict) else str(entry)
        # An unresolvable variable leaves the path as written, which is still compared by name.
        with contextlib.suppress(InterpolationError):
            path_text = interpolate(path_text, {})
        if PurePosixPath(path_text).name == SECRETS_FILE_NAME:
            for key in secret_keys:
                received.setdefault(key, f"env_file[{i}] (the whole secrets file)")
    for i, entry in enumerate(_as_list(service.get("secrets"))):
        name = str(entry.get("source") if isinstance(entry, dict) else entry)
        received.setdefault(name.upper(), f"secrets[{i}]")

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}" if where else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")
        elif isinstance(node, str):
            for match in _VARIABLE.finditer(node):
                braced = match.group("braced") and _BRACED.match(match.group("braced"))
                name = braced.group("name") if braced else match.group("named")
                if name in secret_keys:
                    received.setdefault(name, where)

    walk({k: v for k, v in service.items() if k not in ("env_file", "secrets")}, "")
    return received


def secret_scope_problems(raw: Any, allowed: Mapping[str, frozenset[str]] | None = None) -> list[Problem]:
    """A service that receives a secret outside its entry in the allow-list (SERVICE_SECRETS)."""
    allowed = SERVICE_SECRETS if allowed is None else allowed
    services = raw.get("services") if isinstance(raw, dict) else None
    if not isinstance(services, dict):
        return []
    keys = secrets_file_keys()
    problems = []
    for name, service in services.items():
        permitted = allowed.get(name, frozenset())
        for secret, where in sorted(received_secrets(service, keys).items()):
            if secret not in permitted:
                problems.append(
                    Problem(
                        f"services.{name}.{where}",
                        f"hands {secret} to {name}, which must not receive it (allowed: "
                        f"{', '.join(sorted(permitted)) or 'no secret'}; compose_check.SERVICE_SECRETS)",
                    )
                )
    return problems


def _dependency_problems(services: dict[str, Any]) -> list[Problem]:
    problems = []

    def one_shot(service: dict[str, Any]) -> bool:
        return str(service.get("restart", "no")) in ("no", "on-failure") or str(
            service.get("restart", "")
        ).startswith("on-failure")

    def has_healthcheck(service: dict[str, Any]) -> bool:
        check = service.get("healthcheck")
        return isinstance(check, dict) and not check.get("disable") and bool(check.get("test"))

    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        depends = service.get("depends_on") or {}
        items = (
            {d: {"condition": "service_started"} for d in depends} if isinstance(depends, list) else depends
        )
        for target, options in items.items():
            here = f"services.{name}.depends_on.{target}"
            if target not in services:
                problems.append(Problem(here, f"depends on {target!r}, which is not a service of this file"))
                continue
            condition = (options or {}).get("condition", "service_started")
            if condition == "service_healthy" and not has_healthcheck(services[target]):
                problems.append(
                    Problem(
                        here, f"waits for {target!r} to be healthy, but {target!r} declares no healthcheck"
                    )
                )
            if condition == "service_completed_successfully" and not one_shot(services[target]):
                problems.append(
                    Problem(
                        here,
                        f"waits for {target!r} to complete, but {target!r} restarts "
                        f"({services[target].get('restart')}); a one-shot service needs "
                        'restart: "no"',
                    )
                )
        if not one_shot(service) and not has_healthcheck(service):
            problems.append(Problem(f"services.{name}", "a long-running service needs a healthcheck"))
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        if (problem.where, problem.message) not in seen:
            seen.add((problem.where, problem.message))
            result.append(problem)
    return result


def check_compose(
    path: Path, repo: Path | None = None, env: Mapping[str, str] | None = None
) -> list[Problem]:
    """Every problem of the compose file at `path` (relative paths start at its folder)."""
    path = Path(path)
    try:
        raw = load_compose(path)
    except yaml.YAMLError as exc:
        return [Problem(str(path), f"is not valid YAML: {exc}")]
    return check_document(raw, path.parent, repo or path.parent, env)


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else REPO / "docker-compose.yml"
    problems = check_compose(target)
    for problem in problems:
        print(problem)
    print(f"{target}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
