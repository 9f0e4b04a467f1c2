"""The weekly report's configuration without a server: reports.yaml, SMTP hand-over, superset_config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from xunpan.config import Settings
from xunpan.dashboards.reports import bootstrap_spec, load_reports, report_env, reports_file, smtp_env
from xunpan.errors import XunpanError

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "superset" / "superset_config.py"


def test_the_repository_reports_file_is_valid_and_weekly(settings: Settings):
    (weekly,) = load_reports(reports_file(settings))
    assert (weekly.crontab, weekly.timezone, weekly.format) == ("0 8 * * 1", "Asia/Shanghai", "PNG")
    dashboards = {
        line.split(":", 1)[1].strip()
        for path in (REPO / "superset" / "assets" / "dashboards").glob("*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("slug:")
    }
    assert weekly.dashboard in dashboards


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("crontab", "0 8 * *", "five fields"),
        ("timezone", "Asia/Beijing", "unknown timezone"),
        ("format", "CSV", "format"),
        ("width", 5000, "600..2400"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(tmp_path: Path, field, value, message):
    report = {"key": "w", "name": "n", "dashboard": "d", "crontab": "0 8 * * 1", "timezone": "Asia/Shanghai"}
    report[field] = value
    path = tmp_path / "reports.yaml"
    path.write_text(json.dumps({"reports": [report]}), encoding="utf-8")
    with pytest.raises(XunpanError, match=message):
        load_reports(path)


def test_addresses_come_per_company_from_the_settings(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XUNPAN_REPORT_EMAIL_TO", "acme=boss@acme.cn, acme=cfo@acme.cn,beta=laoban@beta.cn")
    spec = json.loads(bootstrap_spec(Settings.from_env(home=tmp_path)))
    assert spec["recipients"] == {"acme": ["boss@acme.cn", "cfo@acme.cn"], "beta": ["laoban@beta.cn"]}
    assert [r["key"] for r in spec["reports"]] == ["weekly_overview"]
    monkeypatch.setenv("XUNPAN_REPORT_EMAIL_TO", "acme=not-an-address")
    with pytest.raises(ValueError, match="XUNPAN_REPORT_EMAIL_TO entry 'acme=not-an-address'"):
        Settings.from_env(home=tmp_path)


def test_smtp_is_handed_over_only_when_configured_and_safe(settings: Settings):
    assert smtp_env(settings) == {}
    assert "SUPERSET_SMTP_HOST" not in report_env(settings, 8088)
    local = settings.model_copy(update=dict(smtp_host="127.0.0.1", smtp_port=2525))
    assert smtp_env(local)["SUPERSET_SMTP_PORT"] == "2525"
    remote_login = settings.model_copy(
        update=dict(smtp_host="smtp.example.cn", smtp_user="u", smtp_password="p")
    )
    with pytest.raises(XunpanError, match="unencrypted"):
        smtp_env(remote_login)
    tls = remote_login.model_copy(update=dict(smtp_starttls=True, smtp_ca_file="/etc/ca.pem"))
    env = smtp_env(tls)
    assert (env["SUPERSET_SMTP_PORT"], env["SUPERSET_SMTP_STARTTLS"], env["SSL_CERT_FILE"]) == (
        "587",
        "true",
        "/etc/ca.pem",
    )


def _config(settings: Settings, extra: dict[str, str]) -> dict:
    python = settings.venv_bin("superset", "python")
    env = {
        "PATH": "/usr/bin:/bin",
        "XUNPAN_HOME": str(settings.home),
        "SUPERSET_SECRET_KEY": "k" * 40,
        **extra,
    }
    probe = (
        f"import json, runpy; c = runpy.run_path({str(CONFIG)!r}); cc = c['CELERY_CONFIG']; "
        "print(json.dumps({'dry_run': c.get('ALERT_REPORTS_NOTIFICATION_DRY_RUN'), "
        "'reports': c['FEATURE_FLAGS']['ALERT_REPORTS'], "
        "'playwright': c['FEATURE_FLAGS'].get('PLAYWRIGHT_REPORTS_AND_THUMBNAILS'), "
        "'broker': cc.broker_url if cc else None, 'results': cc.result_backend if cc else None, "
        "'beat': sorted(getattr(cc, 'beat_schedule', {}) or {}) if cc else None, "
        "'server_auth': c.get('SMTP_SSL_SERVER_AUTH'), 'smtp_host': c.get('SMTP_HOST'), "
        "'baseurl': c.get('WEBDRIVER_BASEURL')}))"
    )
    out = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_embedded_reports_need_no_redis_and_stay_dry_until_smtp_is_set(settings: Settings):
    config = _config(settings, report_env(settings, 8123))
    assert config["reports"] is True and config["playwright"] is True
    # kombu's SQLAlchemy transport and a SQLite result store under Superset's state folder.
    assert config["broker"] == f"sqla+sqlite:///{settings.superset_home / 'celery-broker.db'}"
    assert config["results"] == f"db+sqlite:///{settings.superset_home / 'celery-results.db'}"
    assert config["beat"] == ["reports.prune_log", "reports.scheduler"]
    assert config["baseurl"] == "http://127.0.0.1:8123/"
    # No SMTP: a dry run, logged and not sent (Superset's default would send to localhost:25).
    assert config["dry_run"] is True
    configured = settings.model_copy(update=dict(smtp_host="127.0.0.1", smtp_port=2525))
    config = _config(settings, report_env(configured, 8123))
    # SMTP configured: really sent (a dry run left on is a report that never arrives), TLS verified.
    assert config["dry_run"] is False
    assert config["smtp_host"] == "127.0.0.1"
    assert config["server_auth"] is True


@pytest.mark.slow
def test_compose_reports_use_redis_with_the_beat(settings: Settings):
    config = _config(
        settings, {"SUPERSET_ALERT_REPORTS": "true", "REDIS_HOST": "redis", "REDIS_PASSWORD": "pw"}
    )
    assert config["broker"] == "redis://:pw@redis:6379/0"
    assert config["beat"] == ["reports.prune_log", "reports.scheduler"]
    assert config["dry_run"] is True


@pytest.mark.slow
def test_a_blank_screenshot_fails_the_report_instead_of_being_mailed(settings: Settings):
    """Superset 6.x mails a blank PNG without an error; the e-mail hook refuses it."""
    python = settings.venv_bin("superset", "python")
    env = {
        "PATH": "/usr/bin:/bin",
        "XUNPAN_HOME": str(settings.home),
        "SUPERSET_SECRET_KEY": "k" * 40,
        **report_env(settings, 8123),
    }
    probe = f"""
import io, runpy
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from PIL import Image, ImageDraw

c = runpy.run_path({str(CONFIG)!r})

def message(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    msg = MIMEMultipart("related")
    msg.attach(MIMEText("<html><body>report</body></html>", "html"))
    msg.attach(MIMEImage(buffer.getvalue(), name="report.png"))
    return msg

blank = Image.new("RGB", (1366, 800), "white")
try:
    c["EMAIL_HEADER_MUTATOR"](message(blank), owners=[])
    print("blank sent")
except c["BlankScreenshotError"] as exc:
    print("blank refused:", exc)
drawn = Image.new("RGB", (1366, 800), "white")
pen = ImageDraw.Draw(drawn)
for i in range(40):
    pen.rectangle([i * 30, 100, i * 30 + 25, 700], fill=(6 * i, 255 - 6 * i, 120))
c["EMAIL_HEADER_MUTATOR"](message(drawn), owners=[])
print("drawn sent")
"""
    out = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[-2].startswith("blank refused: xunpan: the report's screenshot has only 1 colour(s)")
    assert lines[-1] == "drawn sent"
