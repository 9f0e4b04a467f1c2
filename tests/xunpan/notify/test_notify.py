"""Failure alerts reach a local webhook receiver and a local SMTP sink, and never raise."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from xunpan.config import Settings
from xunpan.notify import notify_failure
from xunpan.quality.gate import FailedExpectation, GateResult

ALERT_VARS = (
    "XUNPAN_ALERT_WEBHOOK_URL",
    "XUNPAN_ALERT_EMAIL_TO",
    "XUNPAN_SMTP_HOST",
    "XUNPAN_SMTP_PORT",
    "XUNPAN_SMTP_USER",
    "XUNPAN_SMTP_PASSWORD",
    "XUNPAN_SMTP_STARTTLS",
    "XUNPAN_ALERT_EMAIL_FROM",
)


@pytest.fixture(autouse=True)
def _no_alert_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALERT_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XUNPAN_ALERT_TIMEOUT", "5")


def failed_gate() -> GateResult:
    return GateResult(
        run_id="scheduled__2026-03-10T22:00:00+00:00",
        run_date=dt.date(2026, 3, 10),
        success=False,
        failures=[
            FailedExpectation(
                "mart_channel_cost_per_inquiry",
                "expect_column_values_to_be_between",
                "spend_fixed_cny",
                "1 of 120 rows unexpected, e.g. [-81.64]; expected min_value=0",
            ),
            FailedExpectation(
                "mart_inquiry_funnel",
                "expect_column_pair_values_a_to_be_greater_than_b",
                "inquiries_effective, inquiries_won",
                "1 of 80 rows unexpected",
            ),
        ],
        warnings=[
            FailedExpectation(
                "fct_inquiries",
                "expect_column_values_to_be_between",
                "check__volume_ratio_vs_trailing_28d",
                "ratio 10.0",
            )
        ],
        data_docs_index=Path("/home/x/quality/data_docs/index.html"),
        report=Path("/home/x/quality/runs/r.json"),
        evaluated=157,
    )


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(
            {
                "path": self.path,
                "content_type": self.headers["Content-Type"],
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/SECRET-TOKEN", handler
    finally:
        server.shutdown()
        server.server_close()


def test_failed_gate_posts_the_failing_expectations(settings: Settings, webhook, monkeypatch) -> None:
    url, receiver = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    gate = failed_gate()

    channels = notify_failure(settings, "xunpan: publish blocked for 2026-03-10", gate.summary())

    assert channels == ["webhook"]
    [message] = receiver.received
    assert message["path"] == "/hooks/SECRET-TOKEN"
    assert message["content_type"] == "application/json"
    body = message["body"]
    assert body["subject"] == "xunpan: publish blocked for 2026-03-10"
    assert body["text"] == gate.summary()
    assert body["failures"] == [
        "mart_channel_cost_per_inquiry: expect_column_values_to_be_between(spend_fixed_cny): "
        "1 of 120 rows unexpected, e.g. [-81.64]; expected min_value=0",
        "mart_inquiry_funnel: expect_column_pair_values_a_to_be_greater_than_b"
        "(inquiries_effective, inquiries_won): 1 of 80 rows unexpected",
    ]
    assert body["company_id"] == settings.company_id


def test_explicit_failure_list_wins(settings: Settings, webhook, monkeypatch) -> None:
    url, receiver = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    assert notify_failure(settings, "s", "build failed", failures=["dbt: 2 tests failed"]) == ["webhook"]
    assert receiver.received[0]["body"]["failures"] == ["dbt: 2 tests failed"]


def test_webhook_error_is_logged_without_the_token(settings: Settings, webhook, monkeypatch, caplog) -> None:
    url, receiver = webhook
    receiver.status = 500
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(settings, "s", "body") == []
    assert "HTTP 500" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text and "127.0.0.1" in caplog.text


def test_unreachable_webhook_does_not_raise(settings: Settings, monkeypatch, caplog) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/x?token=SECRET")
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(settings, "s", "body") == []
    assert "ConnectionError" in caplog.text and "SECRET" not in caplog.text


def test_nothing_configured_sends_nothing(settings: Settings) -> None:
    assert notify_failure(settings, "s", "body") == []


class _SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    messages: ClassVar[list[dict]] = []

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 sink ready")
        envelope: dict = {"rcpt": []}
        while raw := self.rfile.readline():
            command = raw.decode().rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._reply("250-sink")
                self._reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(command.split()[2]).split(b"\0")
                envelope["auth"] = (user.decode(), password.decode())
                self._reply("235 ok")
            elif verb == "MAIL":
                envelope["from"] = command[10:]
                self._reply("250 ok")
            elif verb == "RCPT":
                envelope["rcpt"].append(command[8:])
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 go ahead")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                envelope["data"] = b"".join(lines)
                type(self).messages.append(envelope)
                envelope = {"rcpt": []}
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, type[_SmtpSink]]]:
    handler = type("Sink", (_SmtpSink,), {"messages": []})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def test_email_names_the_failing_expectations(settings: Settings, smtp_sink, webhook, monkeypatch) -> None:
    port, sink = smtp_sink
    url, receiver = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_TO", "ops@example.com, boss@example.com")
    monkeypatch.setenv("XUNPAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("XUNPAN_SMTP_PORT", str(port))
    monkeypatch.setenv("XUNPAN_SMTP_USER", "alerts")
    monkeypatch.setenv("XUNPAN_SMTP_PASSWORD", "pa55")
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_FROM", "xunpan@example.com")
    gate = failed_gate()

    channels = notify_failure(settings, "xunpan: publish blocked (质量检查未通过)", gate.summary())

    assert channels == ["webhook", "email"]
    assert len(receiver.received) == 1
    [envelope] = sink.messages
    assert envelope["auth"] == ("alerts", "pa55")
    assert envelope["from"] == "<xunpan@example.com>"
    assert envelope["rcpt"] == ["<ops@example.com>", "<boss@example.com>"]
    mail = message_from_bytes(envelope["data"], policy=default_policy)
    assert mail["Subject"] == "xunpan: publish blocked (质量检查未通过)"
    text = mail.get_content()
    assert "mart_channel_cost_per_inquiry: expect_column_values_to_be_between(spend_fixed_cny)" in text
    assert "expect_column_pair_values_a_to_be_greater_than_b(inquiries_effective, inquiries_won)" in text


def test_email_without_smtp_host_or_with_a_dead_server_does_not_raise(
    settings: Settings, monkeypatch, caplog
) -> None:
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_TO", "ops@example.com")
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(settings, "s", "body") == []
    assert "XUNPAN_SMTP_HOST" in caplog.text
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("XUNPAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("XUNPAN_SMTP_PORT", str(port))
    monkeypatch.setenv("XUNPAN_SMTP_PASSWORD", "do-not-log-me")
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(settings, "s", "body") == []
    assert "ConnectionRefusedError" in caplog.text and "do-not-log-me" not in caplog.text
