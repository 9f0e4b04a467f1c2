"""Failure alerts reach a local webhook receiver and a local SMTP sink, and never raise.

Each test sets its alert variables, then passes `Settings.from_env()` as xunpan.pipeline does when a
run fails (the `settings` fixture only provides the temporary XUNPAN_HOME).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pytest_httpserver import HTTPServer

from xunpan.config import Settings
from xunpan.notify import notify_failure, send_weekly_summary, weekly_summary_payload
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
    "XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP",
    "XUNPAN_SMTP_SSL",
    "XUNPAN_SMTP_CA_FILE",
    "REQUESTS_CA_BUNDLE",
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
                "fct_inquiries__history",
                "expect_column_values_to_be_between",
                "check__volume_ratio_vs_trailing_28d",
                "ratio 10.0",
            )
        ],
        data_docs_index=Path("/home/x/quality/data_docs/index.html"),
        report=Path("/home/x/quality/runs/r.json"),
        evaluated=157,
    )


HOOK_PATH = "/hooks/SECRET-TOKEN"


def _answer(server: HTTPServer, status: int) -> None:
    """Every POST to the hook gets `status`; a redirect points elsewhere on the same server."""
    server.clear_all_handlers()
    headers = {"Location": "/moved/elsewhere"} if 300 <= status < 400 else None
    server.expect_request(HOOK_PATH, method="POST").respond_with_data("", status=status, headers=headers)


def _posts(server: HTTPServer) -> list[dict]:
    """What the receiver got, in order: path, content type and JSON body of each request."""
    return [
        {"path": request.path, "content_type": request.headers["Content-Type"], "body": request.get_json()}
        for request, _ in server.log
    ]


@contextlib.contextmanager
def _receiver(ssl_context: ssl.SSLContext | None = None) -> Iterator[HTTPServer]:
    """A webhook receiver on a free loopback port, answering 200 until told otherwise."""
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=ssl_context)
    server.start()
    _answer(server, 200)
    try:
        yield server
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, HTTPServer]]:
    """A plain-http receiver on loopback; plain http is allowed explicitly for it."""
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP", "true")
    with _receiver() as server:
        yield server.url_for(HOOK_PATH), server


def test_failed_gate_posts_the_failing_expectations(settings: Settings, webhook, monkeypatch) -> None:
    url, server = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    gate = failed_gate()

    channels = notify_failure(Settings.from_env(), "xunpan: publish blocked for 2026-03-10", gate.summary())

    assert channels == ["webhook"]
    [message] = _posts(server)
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
    url, server = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    assert notify_failure(Settings.from_env(), "s", "build failed", failures=["dbt: 2 tests failed"]) == [
        "webhook"
    ]
    assert _posts(server)[0]["body"]["failures"] == ["dbt: 2 tests failed"]


def test_webhook_error_is_logged_without_the_token(settings: Settings, webhook, monkeypatch, caplog) -> None:
    url, server = webhook
    _answer(server, 500)
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert "HTTP 500" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text and "127.0.0.1" in caplog.text


def test_unreachable_webhook_does_not_raise(settings: Settings, monkeypatch, caplog) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP", "true")
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/x?token=SECRET")
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert "ConnectionError" in caplog.text and "SECRET" not in caplog.text


def test_nothing_configured_sends_nothing(settings: Settings) -> None:
    assert notify_failure(Settings.from_env(), "s", "body") == []


class _Sink:
    """aiosmtpd handler that keeps each delivered message with its envelope, login and transport."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        login = session.auth_data
        self.messages.append(
            {
                "auth": (login.login.decode(), login.password.decode()) if session.authenticated else None,
                "from": envelope.mail_from,
                "rcpt": envelope.rcpt_tos,
                "data": envelope.content,
                "tls": server.transport.get_extra_info("ssl_object") is not None,
            }
        )
        return "250 queued"


def _accept_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=True, auth_data=auth_data)


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port once started, so it needs a real number
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _smtp_sink(**tls: object) -> Iterator[tuple[int, _Sink]]:
    """An SMTP server on loopback that offers AUTH (over TLS too when `tls` gives it a context)."""
    sink = _Sink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=_accept_login,
        auth_require_tls=False,  # the client decides when a login may cross without TLS
        **tls,
    )
    controller.start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, _Sink]]:
    with _smtp_sink() as sink:
        yield sink


def test_email_names_the_failing_expectations(settings: Settings, smtp_sink, webhook, monkeypatch) -> None:
    port, sink = smtp_sink
    url, server = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_TO", "ops@example.com, boss@example.com")
    monkeypatch.setenv("XUNPAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("XUNPAN_SMTP_PORT", str(port))
    monkeypatch.setenv("XUNPAN_SMTP_USER", "alerts")
    monkeypatch.setenv("XUNPAN_SMTP_PASSWORD", "pa55")
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_FROM", "xunpan@example.com")
    gate = failed_gate()

    channels = notify_failure(Settings.from_env(), "xunpan: publish blocked (质量检查未通过)", gate.summary())

    assert channels == ["webhook", "email"]
    assert len(_posts(server)) == 1
    [envelope] = sink.messages
    assert envelope["auth"] == ("alerts", "pa55")
    assert envelope["from"] == "xunpan@example.com"
    assert envelope["rcpt"] == ["ops@example.com", "boss@example.com"]
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
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert "XUNPAN_SMTP_HOST" in caplog.text
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("XUNPAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("XUNPAN_SMTP_PORT", str(port))
    monkeypatch.setenv("XUNPAN_SMTP_PASSWORD", "do-not-log-me")
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert "ConnectionRefusedError" in caplog.text and "do-not-log-me" not in caplog.text


# --- transport security: https only, no redirects, verified TLS for SMTP --------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A private CA and a server certificate for 127.0.0.1/localhost that it signed (not in any system store)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)

    def build(subject: str, issuer: x509.Name | None, issuer_key, ca: bool):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
        return key, builder.sign(issuer_key or key, hashes.SHA256())

    ca_key, ca_cert = build("xunpan test CA", None, None, ca=True)
    server_key, server_cert = build("127.0.0.1", ca_cert.subject, ca_key, ca=False)
    paths = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


def _server_context(certificates: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates["cert"], certificates["key"])
    return context


@pytest.fixture(params=["starttls", "smtps"])
def tls_sink(request, certificates, monkeypatch) -> Iterator[tuple[int, _Sink]]:
    """The sink with STARTTLS, or with TLS from the first byte (SMTPS)."""
    context = _server_context(certificates)
    tls = {"ssl_context": context} if request.param == "smtps" else {"tls_context": context}
    with _smtp_sink(**tls) as (port, sink):
        monkeypatch.setenv("XUNPAN_ALERT_EMAIL_TO", "ops@example.com")
        monkeypatch.setenv("XUNPAN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("XUNPAN_SMTP_PORT", str(port))
        monkeypatch.setenv("XUNPAN_SMTP_USER", "alerts")
        monkeypatch.setenv("XUNPAN_SMTP_PASSWORD", "pa55")
        monkeypatch.setenv("XUNPAN_SMTP_SSL" if request.param == "smtps" else "XUNPAN_SMTP_STARTTLS", "true")
        yield port, sink


def test_smtp_refuses_a_certificate_it_cannot_verify(settings: Settings, tls_sink, caplog) -> None:
    _, sink = tls_sink
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert sink.messages == [], "nothing, and above all no password, may go to an unverified server"
    assert "the server's certificate was not accepted (unable to get local issuer certificate)" in caplog.text
    assert "XUNPAN_SMTP_CA_FILE" in caplog.text and "pa55" not in caplog.text


def test_smtp_delivers_over_verified_tls(settings: Settings, tls_sink, certificates, monkeypatch) -> None:
    _, sink = tls_sink
    monkeypatch.setenv("XUNPAN_SMTP_CA_FILE", str(certificates["ca"]))
    assert notify_failure(Settings.from_env(), "xunpan: run failed", "body") == ["email"]
    [envelope] = sink.messages
    assert envelope["tls"] is True and envelope["auth"] == ("alerts", "pa55")
    assert b"Subject: xunpan: run failed" in envelope["data"]


def test_smtp_verifies_the_host_name_too(
    settings: Settings, tls_sink, certificates, monkeypatch, caplog
) -> None:
    """The certificate names 127.0.0.1 and localhost; reached as another name it is refused."""
    _, sink = tls_sink
    monkeypatch.setenv("XUNPAN_SMTP_CA_FILE", str(certificates["ca"]))
    # "127.1" reaches the same loopback server, but it is not a name the certificate lists.
    monkeypatch.setenv("XUNPAN_SMTP_HOST", "127.1")
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert sink.messages == []
    assert "the server's certificate was not accepted (Hostname mismatch" in caplog.text


def test_smtp_login_without_tls_to_a_remote_host_is_refused(settings: Settings, monkeypatch, caplog) -> None:
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_TO", "ops@example.com")
    monkeypatch.setenv("XUNPAN_SMTP_HOST", "mail.example.invalid")
    monkeypatch.setenv("XUNPAN_SMTP_USER", "alerts")
    monkeypatch.setenv("XUNPAN_SMTP_PASSWORD", "pa55")
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert "would cross the network unencrypted" in caplog.text


def test_plain_http_webhook_is_refused_unless_allowed(
    settings: Settings, webhook, monkeypatch, caplog
) -> None:
    url, server = webhook
    monkeypatch.delenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP")
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert _posts(server) == []
    assert "is plain http" in caplog.text and "XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP=true" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url.replace("http://", "ftp://"))
    assert notify_failure(Settings.from_env(), "s", "body") == []
    assert "has scheme 'ftp'; expected https" in caplog.text


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_webhook_redirect_is_a_failure_and_the_post_is_not_resent(
    settings: Settings, webhook, monkeypatch, caplog, status
) -> None:
    url, server = webhook
    _answer(server, status)
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert [m["path"] for m in _posts(server)] == ["/hooks/SECRET-TOKEN"], "sent once, not re-sent"
    assert (
        f"HTTP {status} redirect to http://127.0.0.1/… not followed (the POST is not re-sent)" in caplog.text
    )


@pytest.fixture
def https_webhook(certificates) -> Iterator[tuple[str, HTTPServer]]:
    with _receiver(_server_context(certificates)) as server:
        yield server.url_for(HOOK_PATH), server


def test_https_webhook_verifies_the_certificate(
    settings: Settings, https_webhook, certificates, monkeypatch, caplog
) -> None:
    url, server = https_webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    with caplog.at_level(logging.ERROR, logger="xunpan.notify"):
        assert notify_failure(Settings.from_env(), "s", "body") == []
    assert _posts(server) == [] and "SSLError" in caplog.text
    # Trusting the private CA (requests' own REQUESTS_CA_BUNDLE) delivers it.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates["ca"]))
    assert notify_failure(Settings.from_env(), "s", "body") == ["webhook"]
    assert len(_posts(server)) == 1


# --- the weekly summary (xunpan.weekly_summary) as a WeCom / DingTalk robot message ------------


def test_weekly_summary_is_posted_as_a_robot_text_message(webhook, monkeypatch) -> None:
    url, server = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    text = "【询盘周报】acme 上周 2026-10-19 ~ 2026-10-25\n询盘 1\n花费 ¥0.00\n数据截至 2026-10-31"

    assert send_weekly_summary(text, "acme") is True

    [message] = _posts(server)
    assert message["content_type"] == "application/json"
    assert message["body"] == {"msgtype": "text", "text": {"content": text}}
    assert weekly_summary_payload(text) == message["body"]


def test_weekly_summary_without_a_webhook_posts_nothing() -> None:
    assert send_weekly_summary("a\nb\nc\nd", "acme") is False


def test_weekly_summary_to_plain_http_is_refused_unless_allowed(webhook, monkeypatch) -> None:
    url, server = webhook
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", url)
    monkeypatch.delenv("XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP")
    assert send_weekly_summary("a\nb\nc\nd", "acme") is False
    assert _posts(server) == []
