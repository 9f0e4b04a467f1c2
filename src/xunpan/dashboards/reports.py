"""The weekly report by e-mail: superset/reports.yaml, its Celery worker and beat, SMTP for Superset.

Superset's own Alerts & Reports sends the report: a schedule per report and company, created or
updated at every setup from superset/reports.yaml (superset_bootstrap.py sync_reports), a Celery
beat that looks for due schedules every minute and a Celery worker that takes the screenshot
(Playwright driving Debian's chromium) and sends the e-mail. `start_superset` starts worker and
beat beside the web server, so `xunpan serve start` and `make demo` run them.

The embedded default needs no Redis: superset_config.py gives Celery kombu's SQLAlchemy transport
on a SQLite file and a SQLite result store, both under $XUNPAN_HOME/superset/. The compose stack
keeps its Redis (REDIS_HOST).

Addresses: XUNPAN_REPORT_EMAIL_TO (Settings.report_email_to), per company. Sending: only once
XUNPAN_SMTP_HOST is set; until then Superset logs each run as a dry run
(ALERT_REPORTS_NOTIFICATION_DRY_RUN), which the worker's log shows.
"""

from __future__ import annotations

import json
import logging
import zoneinfo
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from xunpan.config import Settings
from xunpan.errors import XunpanError

log = logging.getLogger(__name__)

WORKER = "superset-worker"
BEAT = "superset-beat"
FORMATS = ("PNG", "PDF")


@dataclass(frozen=True)
class ReportSpec:
    key: str
    name: str
    description: str
    dashboard: str
    crontab: str
    timezone: str
    format: str
    working_timeout: int
    width: int | None

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def reports_file(settings: Settings) -> Path:
    return settings.repo / "superset" / "reports.yaml"


def load_reports(path: Path) -> list[ReportSpec]:
    """The reports of a reports.yaml, checked: a mistake names the report and the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    specs = []
    for index, item in enumerate(data.get("reports") or []):
        where = f"{path}: reports[{index}]"
        try:
            spec = ReportSpec(
                key=str(item["key"]),
                name=str(item["name"]),
                description=str(item.get("description") or ""),
                dashboard=str(item["dashboard"]),
                crontab=str(item["crontab"]),
                timezone=str(item["timezone"]),
                format=str(item.get("format", "PNG")).upper(),
                working_timeout=int(item.get("working_timeout", 600)),
                width=int(item["width"]) if item.get("width") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise XunpanError(f"{where}: missing or malformed field {exc}") from exc
        if len(spec.crontab.split()) != 5:
            raise XunpanError(f"{where} ({spec.key}): crontab {spec.crontab!r} needs five fields")
        try:
            zoneinfo.ZoneInfo(spec.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise XunpanError(f"{where} ({spec.key}): unknown timezone {spec.timezone!r}") from exc
        if spec.format not in FORMATS:
            raise XunpanError(f"{where} ({spec.key}): format {spec.format!r}; expected one of {FORMATS}")
        if spec.width is not None and not 600 <= spec.width <= 2400:
            raise XunpanError(f"{where} ({spec.key}): width {spec.width} is outside Superset's 600..2400")
        specs.append(spec)
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise XunpanError(f"{path}: report keys must be distinct: {keys}")
    return specs


def bootstrap_spec(settings: Settings, path: Path | None = None) -> str:
    """What superset_bootstrap.py sync_reports receives (XUNPAN_REPORTS): reports and addresses."""
    recipients: dict[str, list[str]] = {}
    for company, address in settings.report_email_to:
        recipients.setdefault(company, []).append(address)
    reports = [r.as_json() for r in load_reports(path or reports_file(settings))]
    return json.dumps({"reports": reports, "recipients": recipients}, ensure_ascii=False)


def smtp_env(settings: Settings) -> dict[str, str]:
    """SUPERSET_SMTP_* for Superset's processes, or nothing (then every report is a dry run).

    The same rules as the alerts (xunpan.notify): a login never crosses the network unencrypted,
    TLS always verifies the server, XUNPAN_SMTP_CA_FILE replaces the system's CAs.
    """
    if not settings.smtp_host:
        return {}
    implicit_tls = settings.smtp_ssl or (settings.smtp_port == 465 and not settings.smtp_starttls)
    if settings.smtp_starttls and implicit_tls:
        raise XunpanError("XUNPAN_SMTP_STARTTLS and XUNPAN_SMTP_SSL are both set; choose one")
    local = settings.smtp_host in ("localhost", "127.0.0.1", "::1")
    if settings.smtp_user and not (settings.smtp_starttls or implicit_tls) and not local:
        raise XunpanError(
            "XUNPAN_SMTP_USER is set but neither XUNPAN_SMTP_STARTTLS nor XUNPAN_SMTP_SSL: the password "
            "would cross the network unencrypted"
        )
    port = settings.smtp_port or (465 if implicit_tls else 587 if settings.smtp_starttls else 25)
    env = {
        "SUPERSET_SMTP_HOST": settings.smtp_host,
        "SUPERSET_SMTP_PORT": str(port),
        "SUPERSET_SMTP_STARTTLS": "true" if settings.smtp_starttls else "false",
        "SUPERSET_SMTP_SSL": "true" if implicit_tls else "false",
        "SUPERSET_SMTP_MAIL_FROM": settings.mail_from or "xunpan@localhost",
    }
    if settings.smtp_user:
        env["SUPERSET_SMTP_USER"] = settings.smtp_user
        env["SUPERSET_SMTP_PASSWORD"] = settings.smtp_password
    if settings.smtp_ca_file:
        # ssl.create_default_context(), which Superset uses, loads this file instead of the system CAs.
        env["SSL_CERT_FILE"] = settings.smtp_ca_file
    return env


def report_env(settings: Settings, port: int) -> dict[str, str]:
    """What the web server, worker and beat add to superset_env: reports on, where to screenshot."""
    return {
        "SUPERSET_ALERT_REPORTS": "true",
        "SUPERSET_WEBDRIVER_BASEURL": f"http://127.0.0.1:{port}/",
        "SUPERSET_PUBLIC_URL": settings.superset_url.rstrip("/") + "/",
        **smtp_env(settings),
    }


def _celery_argv(settings: Settings, *args: str) -> list[str]:
    """Superset's Celery app in its venv, `args` being the command and its options."""
    return [str(settings.venv_bin("superset", "celery")), "--app=superset.tasks.celery_app:app", *args]


def worker_argv(settings: Settings) -> list[str]:
    """One worker process: a report at a time (the machine has two cores; a screenshot is heavy)."""
    hostname = f"--hostname=xunpan-reports@{settings.home.name}"
    return _celery_argv(
        settings, "worker", "--pool=prefork", "--concurrency=1", "-O", "fair", "--loglevel=INFO", hostname
    )


def beat_argv(settings: Settings) -> list[str]:
    return _celery_argv(
        settings, "beat", "--loglevel=INFO", f"--schedule={settings.superset_home / 'celerybeat-schedule'}"
    )
