"""Where xunpan keeps its files and how it is configured, all from the environment.

Everything generated lives under XUNPAN_HOME (default ./var) so a checkout stays clean.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# Source checkout root when installed editable (src/xunpan/config.py -> repo root).
_PACKAGE_REPO = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    """The checkout holding dags/, dbt_project/, expectations/ and superset/."""
    explicit = os.environ.get("XUNPAN_REPO")
    if explicit:
        return Path(explicit).resolve()
    return _PACKAGE_REPO


def _positive_int(name: str, default: int) -> int:
    """An integer setting from the environment; a typo must fail loudly, not fall back silently."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r}: expected a whole number of at least 1")
    return int(value)


def _lag_days(name: str, default: int) -> int:
    """A number of days from 0 to 14 (0 is meaningful: no lag)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) > 14:
        raise ValueError(f"{name}={value!r}: expected a whole number of days from 0 to 14")
    return int(value)


def _share(name: str, default: float) -> float:
    """A share above 0 and at most 1, written 0.2 or 20%."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise ValueError(f"{name}={value!r}: expected a share above 0 and at most 1, e.g. 0.2 or 20%")
    return share


def _true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


_COMPANY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_ADDRESS = re.compile(r"^[^@\s,;=]+@[^@\s,;=]+\.[^@\s,;=]+$")


def _report_recipients(value: str, default_company: str) -> tuple[tuple[str, str], ...]:
    """XUNPAN_REPORT_EMAIL_TO as (company, address) pairs; a malformed entry fails loudly."""
    pairs = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
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


@dataclass(frozen=True)
class Settings:
    """Paths and options of one installation; build it with `Settings.from_env()`."""

    home: Path
    repo: Path
    venvs: Path
    company_id: str
    timezone: str = "Asia/Shanghai"
    # Import limits (docs/raw-landing.md): a file or workbook beyond them is refused before it is
    # read whole, so a hostile or broken file cannot exhaust memory or time.
    max_file_mb: int = 200
    max_cells: int = 10_000_000
    max_unzipped_mb: int = 2048
    # Further companies whose API connections (`<api>__<company>`) are pulled (XUNPAN_COMPANIES,
    # comma-separated); files need no list: each inbox/<company>/ folder is that company's.
    companies: tuple[str, ...] = ()
    # FX rates are global; a rate used more than this many days after its own date makes the
    # quality gate warn, naming the currency and the day (XUNPAN_FX_MAX_AGE_DAYS).
    fx_max_age_days: int = 7
    # Platform vs register (docs/metrics.md, mart_inquiry_reconciliation): days sales take to
    # record a platform inquiry, passed to dbt as var inquiry_recording_lag_days
    # (XUNPAN_INQUIRY_RECORDING_LAG_DAYS), and the channel-week gap share above which the quality
    # gate warns (XUNPAN_RECONCILIATION_GAP_THRESHOLD, 0.2 or 20%).
    inquiry_recording_lag_days: int = 1
    reconciliation_gap_threshold: float = 0.2
    # Where people open Superset, for links in logs and alerts (XUNPAN_SUPERSET_URL; default the
    # demo's own address, http://127.0.0.1:<XUNPAN_SUPERSET_PORT>).
    superset_url: str = "http://127.0.0.1:8088"
    # The weekly report (superset/reports.yaml): (company, address) pairs from
    # XUNPAN_REPORT_EMAIL_TO, "acme=boss@acme.cn,beta=laoban@beta.cn" (a bare address belongs to
    # XUNPAN_COMPANY_ID). SMTP is the alerts' server (XUNPAN_SMTP_*); without a host nothing is sent.
    report_email_to: tuple[tuple[str, str], ...] = ()
    smtp_host: str = ""
    smtp_port: int | None = None
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_ca_file: str = ""
    mail_from: str = ""

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> Settings:
        repo = repo_root()
        home_path = Path(home or os.environ.get("XUNPAN_HOME") or Path.cwd() / "var").resolve()
        venvs = Path(os.environ.get("XUNPAN_VENVS") or repo / ".venvs").resolve()
        return cls(
            home=home_path,
            repo=repo,
            venvs=venvs,
            company_id=os.environ.get("XUNPAN_COMPANY_ID", "default"),
            max_file_mb=_positive_int("XUNPAN_MAX_FILE_MB", 200),
            max_cells=_positive_int("XUNPAN_MAX_CELLS", 10_000_000),
            max_unzipped_mb=_positive_int("XUNPAN_MAX_UNZIPPED_MB", 2048),
            companies=tuple(
                c.strip() for c in os.environ.get("XUNPAN_COMPANIES", "").split(",") if c.strip()
            ),
            fx_max_age_days=_positive_int("XUNPAN_FX_MAX_AGE_DAYS", 7),
            inquiry_recording_lag_days=_lag_days("XUNPAN_INQUIRY_RECORDING_LAG_DAYS", 1),
            reconciliation_gap_threshold=_share("XUNPAN_RECONCILIATION_GAP_THRESHOLD", 0.2),
            superset_url=(
                os.environ.get("XUNPAN_SUPERSET_URL", "").strip()
                or f"http://127.0.0.1:{_positive_int('XUNPAN_SUPERSET_PORT', 8088)}"
            ).rstrip("/"),
            report_email_to=_report_recipients(
                os.environ.get("XUNPAN_REPORT_EMAIL_TO", ""), os.environ.get("XUNPAN_COMPANY_ID", "default")
            ),
            smtp_host=os.environ.get("XUNPAN_SMTP_HOST", "").strip(),
            smtp_port=_positive_int("XUNPAN_SMTP_PORT", 0) or None,
            smtp_user=os.environ.get("XUNPAN_SMTP_USER", "").strip(),
            smtp_password=os.environ.get("XUNPAN_SMTP_PASSWORD", ""),
            smtp_starttls=_true("XUNPAN_SMTP_STARTTLS"),
            smtp_ssl=_true("XUNPAN_SMTP_SSL"),
            smtp_ca_file=os.environ.get("XUNPAN_SMTP_CA_FILE", "").strip(),
            mail_from=os.environ.get("XUNPAN_ALERT_EMAIL_FROM", "").strip(),
        )

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
