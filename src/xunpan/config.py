"""Where xunpan keeps its files and how it is configured: every `XUNPAN_*` variable, in one place.

`Settings` reads the environment once (pydantic-settings), types and validates each variable, and
fails with the variable's name, its value and what was expected. Other modules read the variables
only through it; a child process (Airflow, dbt, Superset) gets the values it needs in an
environment built from it. Everything generated lives under XUNPAN_HOME (default ./var) so a
checkout stays clean.

The README's "Configuration" table is `readme_table()`, made from the field descriptions below;
tests/xunpan/test_config.py fails when the README differs, so the table cannot drift.

The business timezone is not a setting: Asia/Shanghai is fixed by the data (register times are
Shanghai wall-clock, and the dbt macros rely on its fixed +08:00 offset), so it is the constant
BUSINESS_TZ below, not something an installation could change consistently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from xunpan.errors import XunpanError

# The business day's timezone (see the module docstring): the register, the DAG's schedule, the demo.
BUSINESS_TZ = ZoneInfo("Asia/Shanghai")

# Source checkout root when installed editable (src/xunpan/config.py -> repo root).
_PACKAGE_REPO = Path(__file__).resolve().parents[2]
ENV_PREFIX = "XUNPAN_"

_COMPANY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_ADDRESS = re.compile(r"^[^@\s,;=]+@[^@\s,;=]+\.[^@\s,;=]+$")
# DuckDB's memory_limit syntax, e.g. 1GB, 512MB, 1.5GiB.
_DUCKDB_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
_COMPANY_RULE = "lower-case letters, digits, '-' or '_', starting with a letter or digit"


class SettingsError(XunpanError, ValueError):
    """XUNPAN_* variables xunpan cannot use; the message names each variable, its value and what
    was expected. A ValueError too, for callers that validate input in general."""


def _setting(
    default: Any = None, *, description: str, expected: str, readme_default: str | None = None, **kw: Any
) -> Any:
    """One setting: `description` is its meaning in the README table, `expected` what a wrong
    value is told; `readme_default` replaces the default where the literal value would mislead."""
    extra: dict[str, str] = {"expected": expected}
    if readme_default is not None:
        extra["readme_default"] = readme_default
    if "default_factory" in kw:
        return Field(description=description, json_schema_extra=extra, **kw)
    return Field(default, description=description, json_schema_extra=extra, **kw)


def _port(default: int | None, description: str, readme_default: str | None = None) -> Any:
    return _setting(
        default,
        description=description,
        expected="a port number from 1 to 65535",
        readme_default=readme_default,
        ge=1,
        le=65535,
    )


def _count(default: int, description: str, minimum: int = 1, maximum: int | None = None) -> Any:
    expected = (
        f"a whole number of at least {minimum}"
        if maximum is None
        else f"a whole number from {minimum} to {maximum}"
    )
    return _setting(default, description=description, expected=expected, ge=minimum, le=maximum)


def _flag(description: str) -> Any:
    return _setting(False, description=description, expected="true or false (or 1/0, yes/no, on/off)")


def _text(description: str, readme_default: str | None = None, **kw: Any) -> Any:
    return _setting("", description=description, expected="text", readme_default=readme_default, **kw)


# Comma-separated lists: read as text (not JSON, pydantic-settings' default for sequences).
CommaList = Annotated[tuple[str, ...], NoDecode]
CompanyAddresses = Annotated[tuple[tuple[str, str], ...], NoDecode]


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _absolute_url(value: str) -> str:
    parts = urlsplit(value)
    if not parts.scheme or not parts.hostname:
        raise ValueError("expected an absolute URL such as https://host/path")
    return value


class Settings(BaseSettings):
    """Paths and options of one installation; build it with `Settings.from_env()`.

    Every field is the variable XUNPAN_<FIELD NAME> unless it names another (`mail_from` is
    XUNPAN_ALERT_EMAIL_FROM). Empty variables count as unset.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="ignore",
        populate_by_name=True,
        validate_default=False,
    )

    # --- where things are -------------------------------------------------------------------
    home: Path = _setting(
        default_factory=lambda: Path.cwd() / "var",
        description="all generated files; the only thing to back up",
        expected="a folder path",
        readme_default="`./var`",
    )
    repo: Path = _setting(
        default_factory=lambda: _PACKAGE_REPO,
        description="the checkout holding `dags/`, `dbt_project/`, `expectations/` and `superset/`",
        expected="a folder path",
        readme_default="this checkout",
    )
    venvs: Path = _setting(
        None,
        description="where the three environments (airflow, dbt, superset) live",
        expected="a folder path",
        readme_default="`<XUNPAN_REPO>/.venvs`",
        validate_default=True,
    )
    company_id: str = _setting(
        "default",
        description="company id of files dropped straight into the inbox",
        expected=_COMPANY_RULE,
        pattern=_COMPANY.pattern,
    )
    companies: CommaList = _setting(
        (),
        description="further companies, comma-separated, whose `<api>__<company>` Airflow connections "
        "are pulled and whose Superset roles exist before their data is published",
        expected=f"comma-separated company ids ({_COMPANY_RULE})",
    )
    # Import limits (docs/raw-landing.md): a file or workbook beyond them is refused before it is
    # read whole, so a hostile or broken file cannot exhaust memory or time.
    max_file_mb: int = _count(
        200, "a bigger file is refused before it is read (moved to quarantine from the inbox)"
    )
    max_cells: int = _count(10_000_000, "most cells per sheet, as declared by the workbook and as read")
    max_unzipped_mb: int = _count(
        2048, "most bytes an .xlsx may unpack to (any part expanding over 200x is refused too)"
    )

    # --- the pipeline -------------------------------------------------------------------------
    dbt_target: Literal["duckdb", "postgres", "spark"] = _setting(
        "duckdb",
        description="the dbt target of `dbt_project/profiles.yml` the build runs on",
        expected="one of duckdb, postgres, spark",
    )
    # The `postgres` target's connection (dbt_project/profiles.yml), handed to dbt by
    # xunpan.transform.dbt_env.
    pg_host: str = _setting(
        "127.0.0.1", description="PostgreSQL host of the `postgres` dbt target", expected="a host name"
    )
    pg_port: int = _port(5432, "PostgreSQL port of the `postgres` dbt target")
    pg_user: str = _setting("postgres", description="its user", expected="a user name")
    pg_password: str = _text("its password", repr=False)
    pg_database: str = _setting("xunpan", description="its database", expected="a database name")
    pg_schema: str = _setting("public", description="its schema", expected="a schema name")
    # The `spark` target's schema (its metastore and files live under XUNPAN_HOME/dbt/spark).
    spark_schema: str = _setting(
        "main", description="schema of the `spark` dbt target", expected="a schema name"
    )
    freshness_days: int = _count(
        3, "the gate fails when the newest data is older than this many days (holidays excepted)", 0
    )
    quality_keep: int = _count(30, "how many runs' quality results and Data Docs to keep")
    # FX rates are global; a rate used more than this many days after its own date makes the
    # quality gate warn, naming the currency and the day.
    fx_max_age_days: int = _count(
        7,
        "the gate warns (naming currency and day) when an amount is converted with an FX rate older "
        "than this; rates are global, not per company",
    )
    # Platform vs register (docs/metrics.md, mart_inquiry_reconciliation), passed to dbt as var
    # inquiry_recording_lag_days.
    inquiry_recording_lag_days: int = _count(
        1,
        "days sales take to record a B2B platform inquiry in the register: the platform's day is "
        "matched with the register's 询盘时间 minus this (dbt var `inquiry_recording_lag_days`, "
        "`mart_inquiry_reconciliation`)",
        0,
        14,
    )
    reconciliation_gap_threshold: float = _setting(
        0.2,
        description="the gate warns (naming company, channel and week) when a settled week's "
        "platform-reported vs registered inquiry gap is above this share (`0.2` or `20%`) of the "
        "platform's count; the last four settled ISO weeks are checked",
        expected="a share above 0 and at most 1, e.g. 0.2 or 20%",
        gt=0,
        le=1,
    )
    serving_keep: int = _count(5, "how many published serving files to keep")
    test_publish_pause: Path | None = _setting(
        None,
        description="tests only: publish writes its pid to this file and waits while the file "
        "exists, so a test can kill it mid-publish",
        expected="a file path",
    )

    # --- servers ------------------------------------------------------------------------------
    airflow_port: int = _port(8080, "where `make demo` serves the Airflow UI")
    superset_port: int = _port(8088, "where `make demo` serves Superset")
    superset_url: str = _setting(
        "",
        description="where people open Superset; the audit log, alerts and `xunpan status` name "
        "the data-quality dashboard under it",
        expected="an absolute URL such as https://bi.example.cn",
        readme_default="`http://127.0.0.1:<XUNPAN_SUPERSET_PORT>`",
        validate_default=True,
    )
    superset_workers: int = _count(2, "gunicorn worker processes of the demo's Superset (4 threads each)")
    # Read by Superset's own process (superset/superset_config.py); xunpan validates them and
    # hands them over in the environment it starts Superset with.
    query_timeout_seconds: int = _count(
        60, "every query Superset runs on the serving files (SQL Lab and charts) is stopped after this"
    )
    duckdb_memory_limit: str = _setting(
        "1GB",
        description="DuckDB's memory per Superset query process; a larger query fails (no spilling)",
        expected="a size such as 1GB or 512MB",
        pattern=_DUCKDB_SIZE.pattern,
    )
    duckdb_threads: int = _count(2, "DuckDB's threads per Superset query process")

    # --- alerts and the weekly report --------------------------------------------------------
    alert_webhook_url: str = _text(
        "receives a JSON message when a run fails or publishing is blocked, and the weekly summary; "
        "https only, redirects are a failure (the POST is never re-sent)",
        repr=False,  # webhook URLs often carry a token
    )
    alert_webhook_allow_http: bool = _flag("allow a plain-http webhook (a receiver on a trusted network)")
    alert_email_to: CommaList = _setting(
        (),
        description="alert e-mail recipients, comma-separated, sent through `XUNPAN_SMTP_*`",
        expected="comma-separated e-mail addresses",
    )
    mail_from: str = _text(
        "sender of alert e-mails", readme_default="`xunpan@<this host>`", alias="XUNPAN_ALERT_EMAIL_FROM"
    )
    alert_timeout: float = _setting(
        10.0,
        description="seconds per attempt to deliver an alert",
        expected="a number of seconds above 0",
        gt=0,
    )
    # The weekly report (superset/reports.yaml): (company, address) pairs; a bare address belongs
    # to XUNPAN_COMPANY_ID.
    report_email_to: CompanyAddresses = _setting(
        (),
        description="who gets the weekly report, per company: `acme=boss@acme.cn,beta=laoban@beta.cn` "
        "(a bare address is `XUNPAN_COMPANY_ID`'s); sent through `XUNPAN_SMTP_*`, and only once "
        "`XUNPAN_SMTP_HOST` is set (until then each run is a dry run in `logs/superset-worker.log`)",
        expected="comma-separated <company>=<address> entries",
    )
    # SMTP serves the alerts and the weekly report; without a host nothing is sent.
    smtp_host: str = _text("the mail server of alerts and reports; without it no e-mail is sent")
    smtp_port: int | None = _port(
        None, "the mail server's port", readme_default="25; 587 with STARTTLS; 465 with SMTPS"
    )
    smtp_user: str = _text("login at the mail server (refused without TLS to a remote host)")
    smtp_password: str = _text("its password", repr=False)
    smtp_starttls: bool = _flag(
        "upgrade the connection with STARTTLS, verifying the server's certificate and name"
    )
    smtp_ssl: bool = _flag("SMTPS, TLS from the first byte (port 465, which also implies it)")
    smtp_ca_file: str = _text(
        "PEM bundle to trust for a mail server with a private CA (verification cannot be turned off)",
        readme_default="system CAs",
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None

    @classmethod
    def from_env(cls, home: str | Path | None = None) -> Settings:
        """The settings of the environment; `home` overrides XUNPAN_HOME."""
        return cls() if home is None else cls(home=home)

    # --- validation ---------------------------------------------------------------------------
    @field_validator("home", "repo", mode="after")
    @classmethod
    def _resolved(cls, value: Path) -> Path:
        return value.resolve()

    @field_validator("venvs", mode="before")
    @classmethod
    def _default_venvs(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or value == "":
            return Path(info.data.get("repo", _PACKAGE_REPO)) / ".venvs"
        return value

    @field_validator("venvs", mode="after")
    @classmethod
    def _resolved_venvs(cls, value: Path) -> Path:
        return value.resolve()

    @field_validator("companies", mode="before")
    @classmethod
    def _companies(cls, value: Any) -> Any:
        value = _split(value)
        for company in value:
            if not _COMPANY.match(company):
                raise ValueError(f"company id {company!r} is not allowed: expected {_COMPANY_RULE}")
        return value

    @field_validator("alert_email_to", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        value = _split(value)
        for address in value:
            if not _ADDRESS.match(address):
                raise ValueError(f"{address!r} is not an e-mail address; expected e.g. ops@example.com")
        return value

    @field_validator("report_email_to", mode="before")
    @classmethod
    def _report_recipients(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        default_company = info.data.get("company_id", "default")
        pairs = []
        for entry in _split(value):
            company, _, address = entry.rpartition("=")
            company = company.strip() or default_company
            address = address.strip()
            if not _COMPANY.match(company) or not _ADDRESS.match(address):
                raise ValueError(
                    f"XUNPAN_REPORT_EMAIL_TO entry {entry!r}: expected <company>=<address> "
                    "(e.g. acme=boss@acme.cn) or a bare address for XUNPAN_COMPANY_ID"
                )
            pairs.append((company, address))
        return tuple(pairs)

    @field_validator("reconciliation_gap_threshold", mode="before")
    @classmethod
    def _share(cls, value: Any) -> Any:
        expected = "expected a share above 0 and at most 1, e.g. 0.2 or 20%"
        text = str(value).strip()
        try:
            share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise ValueError(expected) from None
        if not 0 < share <= 1:
            raise ValueError(expected)
        return share

    @field_validator("superset_url", mode="before")
    @classmethod
    def _superset_url(cls, value: Any, info: ValidationInfo) -> Any:
        text = str(value or "").strip()
        if not text:
            # The demo's own address; a failed XUNPAN_SUPERSET_PORT is reported on its own.
            text = f"http://127.0.0.1:{info.data.get('superset_port', 8088)}"
        return _absolute_url(text).rstrip("/")

    @field_validator("alert_webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: Any) -> Any:
        # Only the shape is checked here; the https-only rule is the sender's (xunpan.notify),
        # which logs a refused URL instead of failing the run it reports on.
        text = str(value or "").strip()
        return _absolute_url(text) if text else text

    @field_validator("smtp_host", "smtp_user", "smtp_ca_file", "mail_from", mode="before")
    @classmethod
    def _stripped(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    # --- the landing zone -------------------------------------------------------------------
    @property
    def inbox(self) -> Path:
        """Drop export files here (a sub-folder named after a company id files them for that company)."""
        return self.home / "inbox"

    @property
    def layouts(self) -> Path:
        """Layouts a user taught (one YAML file each), read by every import and ingest."""
        return self.home / "layouts"

    @property
    def raw(self) -> Path:
        """Raw Parquet landing: raw/<kind>/*.parquet, immutable, read by dbt sources."""
        return self.home / "raw"

    @property
    def archive(self) -> Path:
        """Original bytes of every file that was loaded, by content hash."""
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        """Rejected files with a <name>.reason.json beside each."""
        return self.home / "quarantine"

    @property
    def manifest(self) -> Path:
        return self.home / "raw" / "_manifest.jsonl"

    # --- warehouse and serving --------------------------------------------------------------
    @property
    def warehouse(self) -> Path:
        """The dbt work database; dashboards never open it."""
        return self.home / "warehouse" / "warehouse.duckdb"

    @property
    def serving_dir(self) -> Path:
        return self.home / "serving"

    @property
    def serving_current(self) -> Path:
        """Symlink to the published serving database; switched atomically by publish."""
        return self.serving_dir / "current.duckdb"

    @property
    def quality_dir(self) -> Path:
        """Great Expectations results and Data Docs of every run."""
        return self.home / "quality"

    # --- services ---------------------------------------------------------------------------
    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        """Pid files of the servers `make demo` started."""
        return self.home / "run"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def superset_home(self) -> Path:
        return self.home / "superset"

    @property
    def secrets_file(self) -> Path:
        """Generated secrets (mode 0600); never committed, never logged."""
        return self.home / "secrets.env"

    def dashboard_url(self, slug: str) -> str:
        """The address of one Superset dashboard, e.g. dashboard_url("data-quality")."""
        return f"{self.superset_url}/superset/dashboard/{slug}/"

    def venv_bin(self, env: str, program: str) -> Path:
        """A program inside one of the three environments (airflow, dbt, superset)."""
        return self.venvs / env / "bin" / program

    @property
    def dbt_project_dir(self) -> Path:
        return self.repo / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.repo / "expectations"

    def ensure_dirs(self) -> None:
        for path in (
            self.inbox,
            self.raw,
            self.archive,
            self.quarantine,
            self.warehouse.parent,
            self.serving_dir,
            self.quality_dir,
            self.logs,
            self.run_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)


def env_name(field: str) -> str:
    """The variable of a Settings field, e.g. env_name("serving_keep") == "XUNPAN_SERVING_KEEP"."""
    info = Settings.model_fields[field]
    return info.alias if isinstance(info.alias, str) else f"{ENV_PREFIX}{field.upper()}"


_BY_ENV = {}  # filled below: variable name -> field name


def _describe(exc: ValidationError) -> str:
    """One line per bad variable: its name, the value given and what was expected."""
    lines = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error["loc"] else ""
        field = _BY_ENV.get(where.upper(), where)
        info = Settings.model_fields.get(field)
        variable = env_name(field) if info else where
        value = error.get("input")
        shown = "(hidden)" if info is not None and not info.repr else repr(value)
        if error["type"] == "value_error":
            reason = str(error.get("ctx", {}).get("error") or error["msg"])
        else:
            expected = (info.json_schema_extra or {}).get("expected") if info else None
            reason = f"expected {expected}" if expected else error["msg"]
        lines.append(reason if reason.startswith(variable) else f"{variable}={shown}: {reason}")
    return "invalid setting(s):\n  " + "\n  ".join(lines) if len(lines) > 1 else lines[0]


_BY_ENV.update({env_name(name): name for name in Settings.model_fields})


def repo_root() -> Path:
    """The checkout holding dags/, dbt_project/, expectations/ and superset/ (XUNPAN_REPO)."""
    return Settings.from_env().repo


def _readme_default(field: str) -> str:
    info = Settings.model_fields[field]
    extra = info.json_schema_extra or {}
    if "readme_default" in extra:
        return str(extra["readme_default"])
    default = info.default
    if default in (None, "", ()):
        return "—"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, str):
        return f"`{default}`"
    return str(default)


def readme_table() -> str:
    """The README's "Configuration" table: one row per variable, in the order of Settings."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for field, info in Settings.model_fields.items():
        rows.append(f"| `{env_name(field)}` | {_readme_default(field)} | {info.description} |")
    return "\n".join(rows)
