"""Run dbt over the warehouse: one `dbt build` process per run (DuckDB has a single writer).

dbt's compiled files and logs go under XUNPAN_HOME/dbt so the checkout stays clean; the
profile reads the warehouse path and the raw landing folder from the environment set here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.files import write_json_atomic

log = logging.getLogger(__name__)

# run_results.json statuses, grouped the way dbt's own summary line counts them.
_PASS = {"pass", "success"}
_WARN = {"warn"}
_ERROR = {"error", "fail", "runtime error"}
_SKIP = {"skipped"}


@dataclass(frozen=True)
class DbtResult:
    """Outcome of one dbt invocation, counted from target/run_results.json."""

    return_code: int
    elapsed_seconds: float
    passed: int = 0
    warned: int = 0
    errored: int = 0
    skipped: int = 0
    failing_nodes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.return_code == 0 and self.errored == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "return_code": self.return_code,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "pass": self.passed,
            "warn": self.warned,
            "error": self.errored,
            "skip": self.skipped,
            "failing_nodes": list(self.failing_nodes),
        }


def dbt_dir(settings: Settings) -> Path:
    """Where dbt writes compiled SQL, run results and logs for this installation."""
    return settings.home / "dbt"


def dbt_target_path(settings: Settings) -> Path:
    return dbt_dir(settings) / "target"


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment for a dbt process: the current one plus the warehouse, raw folder and paths."""
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
            "DBT_PROJECT_DIR": str(settings.dbt_project_dir),
            "XUNPAN_WAREHOUSE": str(settings.warehouse),
            "XUNPAN_RAW_DIR": str(settings.raw),
            # profiles.yml picks its target from this; Settings has validated the name.
            "XUNPAN_DBT_TARGET": settings.dbt_target,
            "XUNPAN_PG_HOST": settings.pg_host,
            "XUNPAN_PG_PORT": str(settings.pg_port),
            "XUNPAN_PG_USER": settings.pg_user,
            "XUNPAN_PG_PASSWORD": settings.pg_password,
            "XUNPAN_PG_DATABASE": settings.pg_database,
            "XUNPAN_PG_SCHEMA": settings.pg_schema,
            "XUNPAN_SPARK_SCHEMA": settings.spark_schema,
            # the `spark` target's metastore and table files (profiles.yml), kept out of the checkout
            "XUNPAN_SPARK_DIR": str(dbt_dir(settings) / "spark"),
            "DBT_TARGET_PATH": str(dbt_target_path(settings)),
            "DBT_LOG_PATH": str(dbt_dir(settings) / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    return env


def dbt_command(settings: Settings, *args: str) -> list[str]:
    """The argv of a dbt invocation from the dbt environment, e.g. dbt_command(s, "build")."""
    return [str(settings.venv_bin("dbt", "dbt")), *args]


def run_dbt(settings: Settings, *args: str, env: dict[str, str] | None = None) -> DbtResult:
    """Run one dbt command in the project folder, stream its output to the log, count results.

    Raises XunpanError naming the failing nodes when dbt fails.
    """
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    dbt_dir(settings).mkdir(parents=True, exist_ok=True)
    results_file = dbt_target_path(settings) / "run_results.json"
    results_file.unlink(missing_ok=True)
    argv = dbt_command(settings, *args)
    log.info("running %s", " ".join(argv))
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=settings.dbt_project_dir,
        env=env or dbt_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip("\n")
        log.info("dbt: %s", line)
        tail.append(line)
        del tail[:-40]
    return_code = process.wait()
    elapsed = time.monotonic() - started
    result = _read_run_results(results_file, return_code, elapsed)
    if not result.ok:
        nodes = ", ".join(result.failing_nodes) or "none reported"
        raise XunpanError(
            f"dbt {' '.join(args)} failed (exit code {return_code}); failing nodes: {nodes}\n"
            + "\n".join(tail[-20:])
        )
    return result


def settings_vars(settings: Settings) -> dict[str, object]:
    """dbt vars that come from Settings (dbt_project.yml declares them with the same defaults)."""
    found: dict[str, object] = {"inquiry_recording_lag_days": settings.inquiry_recording_lag_days}
    if settings.dbt_target == "spark":
        found["spark_raw_columns"] = spark_raw_columns(settings)
    return found


# How the raw Parquet types are spelled where the raw kinds become tables of another engine
# (Spark's external tables here, a Postgres deployment's `raw` schema in tests/dbt/test_postgres.py).
# Keys: string, date, int64, int32, boolean, double, decimal, instant (timestamp with a zone),
# wall-clock (naive timestamp).
RAW_TYPE_NAMES: dict[str, dict[str, str]] = {
    "spark": {
        "string": "string", "date": "date", "int64": "bigint", "int32": "int", "boolean": "boolean",
        "double": "double", "decimal": "decimal({p},{s})", "instant": "timestamp",
        "wall-clock": "timestamp_ntz",
    },
    "postgres": {
        "string": "text", "date": "date", "int64": "bigint", "int32": "integer", "boolean": "boolean",
        "double": "double precision", "decimal": "numeric({p},{s})", "instant": "timestamptz",
        "wall-clock": "timestamp",
    },
}  # fmt: skip


def raw_column_type(dtype, dialect: str) -> str:
    """The `dialect` spelling of one raw Parquet column type (a pyarrow DataType)."""
    import pyarrow as pa

    names = RAW_TYPE_NAMES[dialect]
    if pa.types.is_decimal(dtype):
        return names["decimal"].format(p=dtype.precision, s=dtype.scale)
    if pa.types.is_timestamp(dtype):
        # an instant stays an instant; a naive wall-clock time stays naive
        return names["instant" if dtype.tz else "wall-clock"]
    kinds = {
        "string": pa.types.is_string(dtype) or pa.types.is_large_string(dtype),
        "date": pa.types.is_date32(dtype),
        "int64": pa.types.is_int64(dtype),
        "int32": pa.types.is_int32(dtype),
        "boolean": pa.types.is_boolean(dtype),
        "double": pa.types.is_floating(dtype),
    }
    for kind, matches in kinds.items():
        if matches:
            return names[kind]
    raise XunpanError(f"no {dialect} type for raw column type {dtype}")


def spark_raw_columns(settings: Settings) -> dict[str, str]:
    """{kind: "`name` type, ..."} from each raw kind's `_schema.parquet`, for the `spark` target.

    macros/cross_db.sql register_raw_sources declares each raw folder as an external Parquet table
    with these columns: Spark skips files whose names start with "_", so it cannot infer the
    columns of a kind that has no data yet, and a declared schema reads the files by column name.
    """
    import pyarrow.parquet as pq

    return {
        folder.name: ", ".join(
            f"`{field.name}` {raw_column_type(field.type, 'spark')}"
            for field in pq.read_schema(folder / "_schema.parquet")
        )
        for folder in sorted(settings.raw.iterdir())
        if (folder / "_schema.parquet").is_file()
    }


def with_settings_vars(settings: Settings, args: list[str]) -> list[str]:
    """`args` with the Settings vars merged into their `--vars` (dbt reads a single `--vars`)."""
    import yaml

    merged = settings_vars(settings)
    rest: list[str] = []
    values = iter(args)
    for arg in values:
        if arg == "--vars" or arg.startswith("--vars="):
            # dbt takes YAML (JSON is YAML); a var given here wins over the Settings value
            text = arg.partition("=")[2] if arg.startswith("--vars=") else next(values)
            merged.update(yaml.safe_load(text) or {})
        else:
            rest.append(arg)
    return [*rest, "--vars", json.dumps(merged, default=str)]


# --- When the incremental tables must be rebuilt whole --------------------------------------
# An incremental table keeps each day as the code of its day built it. When the code that
# computes the days changes (a model, a macro, a seed such as register_stage_labels or the
# channel mappings, the project file) or a Settings value dbt reads, the days built before no
# longer say what the new code would: the next build must be a full refresh. The build records
# what it was built with beside the warehouse, and the daily build compares.

# Where what decides the rows of a built table lives. The singular data tests (data-tests/) and
# the docs only check or describe them; the yml files beside the models are counted whole, though
# most of them are descriptions and tests, because they also carry model configs: a reworded
# description costs one full refresh, a missed config change would cost wrong figures.
_BUILT_FROM = ("dbt_project.yml", "models", "macros", "seeds", "snapshots")


def _project_files(project_dir: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for entry in _BUILT_FROM:
        root = project_dir / entry
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if any(part.startswith(".") for part in path.relative_to(project_dir).parts):
                continue  # an editor's swap file or a .DS_Store is not the project
            files[path.relative_to(project_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def build_inputs(settings: Settings) -> dict[str, object]:
    """What the warehouse's tables are built from: each project file's hash, the vars, the target."""
    return {
        "files": _project_files(settings.dbt_project_dir),
        "vars": json.loads(json.dumps(settings_vars(settings), default=str)),
        "target": _target_location(settings),
    }


def _target_location(settings: Settings) -> str:
    """The target and where it keeps its tables (the DuckDB file carries its record beside it)."""
    if settings.dbt_target == "postgres":
        where = f"{settings.pg_host}:{settings.pg_port}/{settings.pg_database}/{settings.pg_schema}"
    elif settings.dbt_target == "spark":
        where = f"{dbt_dir(settings) / 'spark'}/{settings.spark_schema}"
    else:
        return settings.dbt_target
    return f"{settings.dbt_target} {where}"


def build_record_path(settings: Settings) -> Path:
    """Beside the warehouse, so a copied or deleted warehouse takes its record with it or loses it."""
    return settings.warehouse.with_name(settings.warehouse.name + ".built-from.json")


def record_build_inputs(settings: Settings, inputs: dict[str, object]) -> None:
    """After a successful build of the whole project: what it was built from (build_inputs, taken
    before the build, so a file changed while dbt ran is not recorded as built)."""
    write_json_atomic(
        build_record_path(settings),
        {"built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **inputs},
    )


def forget_build_inputs(settings: Settings) -> None:
    """Before a full refresh: until it succeeds, the warehouse is not what any code built."""
    build_record_path(settings).unlink(missing_ok=True)


def full_refresh_reason(settings: Settings, now: dict[str, object] | None = None) -> str | None:
    """Why the next build must rebuild every day of the incremental tables, or None.

    None for a first build (there is no warehouse: every table is built whole anyway). `now` is
    build_inputs(settings) when the caller already has it (the project is hashed once per build).
    """
    record_file = build_record_path(settings)
    if settings.dbt_target == "duckdb" and not settings.warehouse.is_file():
        return None
    if not record_file.is_file():
        return "there is no record of the dbt project the warehouse was built with"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return f"{record_file} cannot be read"
    now = now or build_inputs(settings)
    before_files: dict[str, str] = record.get("files") or {}
    changed = sorted(
        name
        for name in set(before_files) | set(now["files"])  # type: ignore[arg-type]
        if before_files.get(name) != now["files"].get(name)  # type: ignore[union-attr]
    )
    reasons = []
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        reasons.append(f"the dbt project changed ({shown})")
    if record.get("vars") != now["vars"]:
        reasons.append(f"dbt vars from Settings changed ({record.get('vars')} -> {now['vars']})")
    if record.get("target") != now["target"]:
        reasons.append(f"the dbt target changed ({record.get('target')} -> {now['target']})")
    if not reasons:
        return None
    return "; ".join(reasons) + f" since the build of {record.get('built_at')}"


def dbt_build(
    settings: Settings,
    extra_args: list[str] | None = None,
    business_date: dt.date | None = None,
    unit_tests: bool = True,
    full_refresh: bool = False,
) -> DbtResult:
    """`dbt build` (seeds, models, snapshots, data tests and unit tests) as one process over the warehouse.

    `unit_tests=False` leaves the unit tests out, as the daily run does: they check the SQL against
    fixed hand-made inputs and read no warehouse data, so between two changes of the code they can
    only give the same answer; `make test` and CI run them (dbt's advice: unit tests in development
    and CI, not in production). They were a seventh of a next-day build at 500,000 keyword rows.

    `business_date` caps the reporting periods (int_company_reporting_periods). It travels as
    XUNPAN_BUSINESS_DATE, not in --vars: vars that differ from the last run's make dbt re-parse the
    whole project, which a daily run would then pay every day.

    On Spark the unit tests are left out: their fixtures are SQL that DuckDB and PostgreSQL share
    (rendered before dbt's cross-database macros exist), and every model and data test still runs.

    `full_refresh` rebuilds every day of the incremental tables (see full_refresh_reason).
    """
    args = list(extra_args or [])
    if full_refresh:
        args.append("--full-refresh")
    if not unit_tests or settings.dbt_target == "spark":
        args += ["--exclude-resource-type", "unit_test"]
    # set either way, so that a value left in the caller's environment never caps a build
    env = {**dbt_env(settings), "XUNPAN_BUSINESS_DATE": business_date.isoformat() if business_date else ""}
    return run_dbt(settings, "build", *with_settings_vars(settings, args), env=env)


def dbt_docs(settings: Settings, out_dir: Path) -> Path:
    """Write dbt's static documentation site (one self-contained HTML file) into out_dir."""
    run_dbt(settings, "docs", "generate", "--static")
    target = dbt_target_path(settings)
    static = target / "static_index.html"
    if not static.exists():
        raise XunpanError(f"{static}: dbt docs generate --static wrote no static_index.html")
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(static, out_dir / "index.html")
    for name in ("manifest.json", "catalog.json"):
        if (target / name).exists():
            shutil.copyfile(target / name, out_dir / name)
    # The page must open offline: its one outside load (the usage tracker's script) is made inert.
    from xunpan.quality.offline_docs import make_dbt_site_offline

    make_dbt_site_offline(out_dir / "index.html")
    return out_dir / "index.html"


def _read_run_results(path: Path, return_code: int, elapsed: float) -> DbtResult:
    if not path.exists():
        return DbtResult(
            return_code=return_code or 1,
            elapsed_seconds=elapsed,
            failing_nodes=[] if return_code == 0 else ["(dbt wrote no run_results.json)"],
        )
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    counts = {"pass": 0, "warn": 0, "error": 0, "skip": 0}
    failing: list[str] = []
    for item in results:
        status = str(item.get("status", "")).lower()
        if status in _PASS:
            counts["pass"] += 1
        elif status in _WARN:
            counts["warn"] += 1
        elif status in _ERROR:
            counts["error"] += 1
            failing.append(str(item.get("unique_id")))
        elif status in _SKIP:
            counts["skip"] += 1
    return DbtResult(
        return_code=return_code,
        elapsed_seconds=elapsed,
        passed=counts["pass"],
        warned=counts["warn"],
        errored=counts["error"],
        skipped=counts["skip"],
        failing_nodes=failing,
    )
