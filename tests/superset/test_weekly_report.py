"""The weekly report end to end: Superset's schedule, a real Celery beat and worker, a local SMTP sink.

On the shared Superset of conftest.py: the two-company serving file is published, the schedule
of superset/reports.yaml is created for acme with an address (the same report, dashboard and
format; only its crontab is every minute, so that the test does not wait for a Monday), the
worker and beat are restarted with SMTP pointing at an aiosmtpd sink on loopback, and the test
waits for the e-mail. It must come once, to the owner's address, with a PNG of the dashboard that
is not blank and the four summary lines of acme's last complete week.
"""

from __future__ import annotations

import email
import html
import json
import socket
import subprocess
import time
from email.policy import default as default_policy
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from company_data import publish_two_companies
from pytest_httpserver import HTTPServer

from xunpan.dashboards.reports import load_reports, reports_file
from xunpan.dashboards.server import (
    start_report_services,
    stop_report_services,
    sync_report_schedules,
)
from xunpan.services import service_pid
from xunpan.weekly_summary import weekly_summary

pytestmark = [pytest.mark.slow]

OWNER = "boss@acme.example.cn"
# Time for the beat's next minute, the screenshot (Chromium on a busy two-core machine) and SMTP.
WAIT_SECONDS = 420


class _Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _colours(settings, png: bytes, tmp_path: Path) -> int:
    """Distinct colours of the PNG, counted with Pillow of the Superset environment."""
    path = tmp_path / "report.png"
    path.write_bytes(png)
    script = (
        "import sys; from PIL import Image; im = Image.open(sys.argv[1]).convert('RGB'); "
        "print(len(im.getcolors(maxcolors=1 << 24)), im.size[0], im.size[1])"
    )
    out = subprocess.run(
        [str(settings.venv_bin("superset", "python")), "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0])


def test_weekly_report_schedule_is_as_configured():
    (report,) = [r for r in load_reports(reports_file(_settings_repo())) if r.key == "weekly_overview"]
    assert report.crontab == "0 8 * * 1"  # Monday 08:00 ...
    assert report.timezone == "Asia/Shanghai"  # ... in China
    assert report.format in ("PNG", "PDF")


def _settings_repo():
    from xunpan.config import Settings

    return Settings.from_env()


def test_weekly_report_arrives_by_email_with_a_picture_and_the_summary(superset_stack, tmp_path, monkeypatch):
    settings = superset_stack.settings
    serving = publish_two_companies(settings.serving_dir, "serving-weekly-report")
    port = int(superset_stack.url.rsplit(":", 1)[1])

    sink = _Sink()
    smtp_port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    # A WeCom/DingTalk-style robot on loopback that keeps the JSON bodies it receives.
    robot = HTTPServer(host="127.0.0.1", port=0)
    robot.expect_request("/robot/send", method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    robot.start()
    # The worker inherits the alert webhook (xunpan.notify), plain http allowed for loopback.
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", robot.url_for("/robot/send"))
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP", "true")
    # The report as configured, but due every minute (beat checks each minute for due schedules).
    data = yaml.safe_load(reports_file(settings).read_text(encoding="utf-8"))
    for report in data["reports"]:
        report["crontab"] = "* * * * *"
    every_minute = tmp_path / "reports.yaml"
    every_minute.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    configured = settings.model_copy(
        update=dict(smtp_host="127.0.0.1", smtp_port=smtp_port, report_email_to=(("acme", OWNER),))
    )
    try:
        # Stop the running beat and worker before the schedule turns active: a beat tick between
        # the two would start a run in the old worker, which the stop kills; that run then stays
        # "working" until its working_timeout and Superset refuses every later run (seen on CI).
        stop_report_services(settings)
        output = sync_report_schedules(configured, every_minute)
        assert "1 recipient(s), active" in output, output
        start_report_services(configured, port)
        assert service_pid(settings, "superset-worker") and service_pid(settings, "superset-beat")
        deadline = time.monotonic() + WAIT_SECONDS
        while not sink.messages and time.monotonic() < deadline:
            time.sleep(2)
        # No second run: stop the beat as soon as the first e-mail is in.
        stop_report_services(settings)
    finally:
        stop_report_services(settings)
        controller.stop()
        robot.stop()
        # Leave the schedules as setup makes them: weekly, no address, inactive.
        sync_report_schedules(settings)
    worker_log = (settings.logs / "superset-worker.log").read_text(encoding="utf-8", errors="replace")
    # On failure, the first run's lines say why (the later runs only repeat that it is busy).
    start = worker_log.find("Executing alert/report")
    first_run = worker_log[start : start + 6000] if start >= 0 else worker_log[-6000:]
    assert sink.messages, "no e-mail within the wait; the worker log from the first run:\n" + first_run
    assert len(sink.messages) == 1
    recipients, raw = sink.messages[0]
    assert recipients == [OWNER]
    message = email.message_from_bytes(raw, policy=default_policy)
    assert "询盘周报" in message["Subject"] and "acme" in message["Subject"]

    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    png = images[0].get_payload(decode=True)
    # A blank PNG (taken before the charts drew) is a few KB of one colour.
    assert len(png) > 20_000
    assert _colours(settings, png, tmp_path) > 50

    body = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    summary = weekly_summary(settings.serving_dir / "companies" / "acme" / "current.duckdb", "acme")
    lines = summary.lines()
    assert len(lines) == 4
    for line in lines:
        assert html.escape(line) in body, (line, body[:3000])
    # The figures are acme's: serving_data's last complete week, 2026-10-19..25.
    assert lines[0].endswith("2026-10-19 ~ 2026-10-25")
    assert lines[3] == "数据截至 2026-10-31"
    # The same four lines reached the robot webhook as one text message.
    received = [request.get_json() for request, _ in robot.log]
    assert received == [{"msgtype": "text", "text": {"content": "\n".join(lines)}}]
    (settings.repo / "artifacts" / "superset").mkdir(parents=True, exist_ok=True)
    (settings.repo / "artifacts" / "superset" / "weekly-report.png").write_bytes(png)
    (settings.repo / "artifacts" / "superset" / "weekly-report.json").write_text(
        json.dumps(
            {"subject": message["Subject"], "summary": lines, "png_bytes": len(png)}, ensure_ascii=False
        )
    )
    assert serving.exists()


def test_setup_leaves_the_weekly_schedules_and_refuses_sql_alerts(superset_stack):
    """After the test above, setup's schedules are back: Monday 08:00 Shanghai, inactive without address."""
    client = superset_stack.client()
    ids = {r["name"]: r["id"] for r in client.list_all("report", ("id", "name"))}
    acme = client.get(f"/api/v1/report/{ids['询盘周报 Weekly report · acme']}")["result"]
    assert (acme["crontab"], acme["timezone"], acme["type"], acme["report_format"]) == (
        "0 8 * * 1",
        "Asia/Shanghai",
        "Report",
        "PNG",
    )
    assert acme["active"] is False  # no address given in the settings: nothing would be sent
    # Alerts run raw SQL on a serving database, where row-level security does not reach.
    database = client.list_all("database", ("id",))[0]["id"]
    status, _, body = client.raw(
        "POST",
        "/api/v1/report/",
        {
            "type": "Alert",
            "name": "probe",
            "crontab": "* * * * *",
            "database": database,
            "sql": "select count(*) from main.fct_inquiries where company_id = 'beta'",
            "validator_type": "operator",
            "validator_config_json": {"op": ">", "threshold": 0},
        },
    )
    assert status == 403 and b"alerts" in body
