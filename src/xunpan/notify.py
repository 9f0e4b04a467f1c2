"""Failure notification: a webhook and/or an e-mail when a run fails or publishing is blocked.

Configured through xunpan.config.Settings; each channel is used only when its variables are set:
  XUNPAN_ALERT_WEBHOOK_URL      POST of a JSON body {"subject", "text", "failures", ...}; https
                                only, unless XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP=true (a receiver on
                                the same host or a trusted network). Redirects are not followed:
                                a 3xx answer is a failure, so the POST is never re-sent elsewhere.
  XUNPAN_ALERT_EMAIL_TO         comma-separated recipients, sent through
  XUNPAN_SMTP_HOST, XUNPAN_SMTP_PORT (default 25; 587 with STARTTLS; 465 with SMTPS),
  XUNPAN_SMTP_USER, XUNPAN_SMTP_PASSWORD, XUNPAN_ALERT_EMAIL_FROM,
  XUNPAN_SMTP_STARTTLS (true/false: upgrade the connection with STARTTLS),
  XUNPAN_SMTP_SSL (true/false: implicit TLS, "SMTPS"; port 465 implies it),
  XUNPAN_SMTP_CA_FILE           a PEM bundle to trust instead of the system's (a private mail CA)
  XUNPAN_ALERT_TIMEOUT          seconds per attempt (default 10)
TLS always verifies the server's certificate and host name (ssl.create_default_context()); there
is no switch to turn verification off. A notification that cannot be delivered is logged
(without the webhook URL or any password, which may hold secrets) and never raises: it must not
hide the failure it reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import ssl
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests

from xunpan.config import Settings

log = logging.getLogger(__name__)


def _redacted(url: str) -> str:
    """Scheme and host only: webhook paths and queries often carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


def _failure_lines(body: str) -> list[str]:
    """The "- ..." lines of the body outside a "Warnings:" section (GateResult.summary's layout)."""
    lines: list[str] = []
    in_warnings = False
    for raw in body.splitlines():
        line = raw.strip()
        if line.endswith(":") and not line.startswith("- "):
            in_warnings = line.lower().startswith("warnings")
        elif line.startswith("- ") and not in_warnings:
            lines.append(line[2:])
    return lines


def _webhook_url_refusal(url: str, settings: Settings) -> str | None:
    """Why the webhook URL must not be used, or None: alerts carry company data and often a token."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "https":
        return None
    if scheme == "http":
        if settings.alert_webhook_allow_http:
            return None
        return (
            "is plain http: the alert and any token in the URL would cross the network unencrypted; "
            "use https, or set XUNPAN_ALERT_WEBHOOK_ALLOW_HTTP=true for a receiver on a trusted network"
        )
    return f"has scheme {scheme or '(none)'!r}; expected https"


def _post_webhook(url: str, payload: dict[str, object], settings: Settings) -> bool:
    refusal = _webhook_url_refusal(url, settings)
    if refusal:
        log.error("alert webhook %s not used: XUNPAN_ALERT_WEBHOOK_URL %s", _redacted(url), refusal)
        return False
    try:
        # No redirects: requests would turn a 301/302/303 into a GET (the alert is lost) or re-send
        # the POST body to wherever a 307/308 points; the configured address must be the final one.
        response = requests.post(url, json=payload, timeout=settings.alert_timeout, allow_redirects=False)
        if response.is_redirect or 300 <= response.status_code < 400:
            location = response.headers.get("Location", "")
            log.error(
                "alert webhook %s failed: HTTP %s redirect%s not followed (the POST is not re-sent); "
                "set XUNPAN_ALERT_WEBHOOK_URL to the final address",
                _redacted(url),
                response.status_code,
                f" to {_redacted(requests.compat.urljoin(url, location))}" if location else "",
            )
            return False
        response.raise_for_status()
    except requests.RequestException as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        log.error(
            "alert webhook %s failed: %s%s",
            _redacted(url),
            type(exc).__name__,
            f" (HTTP {status})" if status else "",
        )
        return False
    return True


def _send_email(subject: str, body: str, recipients: list[str], settings: Settings) -> bool:
    host = settings.smtp_host
    if not host:
        log.error("XUNPAN_ALERT_EMAIL_TO is set but XUNPAN_SMTP_HOST is not: no e-mail sent")
        return False
    starttls = settings.smtp_starttls
    implicit_tls = settings.smtp_ssl
    port = settings.smtp_port or (465 if implicit_tls else 587 if starttls else 25)
    # Port 465 is SMTPS (RFC 8314): TLS from the first byte, never a plain greeting.
    implicit_tls = implicit_tls or (port == 465 and not starttls)
    if starttls and implicit_tls:
        log.error("XUNPAN_SMTP_STARTTLS and XUNPAN_SMTP_SSL are both set; choose one: no e-mail sent")
        return False
    user, password = settings.smtp_user, settings.smtp_password
    if user and not (starttls or implicit_tls) and host not in ("localhost", "127.0.0.1", "::1"):
        log.error(
            "XUNPAN_SMTP_USER is set but neither XUNPAN_SMTP_STARTTLS nor XUNPAN_SMTP_SSL: the password "
            "would cross the network unencrypted; no e-mail sent"
        )
        return False
    try:
        context = _tls_context(settings) if starttls or implicit_tls else None
    except (OSError, ssl.SSLError) as exc:
        log.error("XUNPAN_SMTP_CA_FILE cannot be read (%s): no e-mail sent", type(exc).__name__)
        return False
    sender = settings.mail_from or f"xunpan@{socket.getfqdn() or 'localhost'}"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["X-Xunpan-Company"] = settings.company_id
    message.set_content(body)
    try:
        if implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=settings.alert_timeout, context=context
            )
        else:
            connection = smtplib.SMTP(host, port, timeout=settings.alert_timeout)
        with connection as smtp:
            if starttls:
                smtp.starttls(context=context)
            if user:
                smtp.login(user, password)
            smtp.send_message(message)
    except ssl.SSLCertVerificationError as exc:
        log.error(
            "alert e-mail through %s:%s failed: the server's certificate was not accepted (%s); "
            "fix the server's certificate or name its CA in XUNPAN_SMTP_CA_FILE",
            host,
            port,
            exc.verify_message or type(exc).__name__,
        )
        return False
    except (OSError, smtplib.SMTPException) as exc:
        log.error("alert e-mail through %s:%s failed: %s", host, port, type(exc).__name__)
        return False
    return True


def _tls_context(settings: Settings) -> ssl.SSLContext:
    """Certificate and host-name verification always on; XUNPAN_SMTP_CA_FILE replaces the system CAs."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file or None)


def notify_failure(
    settings: Settings, subject: str, body: str, failures: list[str] | None = None
) -> list[str]:
    """Send the alert on every configured channel; returns the channels that delivered it.

    `body` is plain text, typically `GateResult.summary()`. `failures` (one line per failing
    expectation) goes into the webhook's `failures` list; by default the body's "- ..." lines
    outside its "Warnings:" section.
    """
    delivered: list[str] = []
    url = settings.alert_webhook_url
    if url:
        payload: dict[str, object] = {
            "subject": subject,
            "text": body,
            "failures": failures if failures is not None else _failure_lines(body),
            "company_id": settings.company_id,
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        if _post_webhook(url, payload, settings):
            delivered.append("webhook")
    recipients = list(settings.alert_email_to)
    if recipients and _send_email(subject, body, recipients, settings):
        delivered.append("email")
    if not url and not recipients:
        log.info("no alert channel configured (XUNPAN_ALERT_WEBHOOK_URL, XUNPAN_ALERT_EMAIL_TO): %s", subject)
    return delivered


def weekly_summary_payload(text: str) -> dict[str, object]:
    """A WeCom / DingTalk group-robot text message: {"msgtype": "text", "text": {"content": ...}}.

    Both robots take exactly this shape, so the four summary lines reach a phone as they are.
    """
    return {"msgtype": "text", "text": {"content": text}}


def send_weekly_summary(text: str, company_id: str) -> bool:
    """Post the weekly summary (xunpan.weekly_summary) to XUNPAN_ALERT_WEBHOOK_URL, if one is set.

    Called by Superset's worker when the weekly report of `company_id` is sent; same rules as the
    failure alert (https only unless allowed, no redirects, never raises).
    """
    # Called in Superset's worker, which has no Settings of its own to pass: read them here.
    settings = Settings.from_env()
    url = settings.alert_webhook_url
    if not url:
        log.info(
            "no webhook configured (XUNPAN_ALERT_WEBHOOK_URL): weekly summary of %s not posted", company_id
        )
        return False
    return _post_webhook(url, weekly_summary_payload(text), settings)
