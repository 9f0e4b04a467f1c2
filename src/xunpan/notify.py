"""Failure notification: a webhook and/or an e-mail when a run fails or publishing is blocked.

Configured from the environment; each channel is used only when its variables are set:
  XUNPAN_ALERT_WEBHOOK_URL      POST of a JSON body {"subject", "text", "failures", ...}
  XUNPAN_ALERT_EMAIL_TO         comma-separated recipients, sent through
  XUNPAN_SMTP_HOST, XUNPAN_SMTP_PORT (default 25, or 587 with STARTTLS), XUNPAN_SMTP_USER,
  XUNPAN_SMTP_PASSWORD, XUNPAN_SMTP_STARTTLS (true/false), XUNPAN_ALERT_EMAIL_FROM
  XUNPAN_ALERT_TIMEOUT          seconds per attempt (default 10)
A notification that cannot be delivered is logged (without the webhook URL or any password,
which may hold secrets) and never raises: it must not hide the failure it reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests

from xunpan.config import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
_TRUE = {"1", "true", "yes", "on"}


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _timeout() -> float:
    try:
        return float(_env("XUNPAN_ALERT_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS)
    except ValueError:
        log.warning("XUNPAN_ALERT_TIMEOUT is not a number; using %s s", DEFAULT_TIMEOUT_SECONDS)
        return DEFAULT_TIMEOUT_SECONDS


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


def _post_webhook(url: str, payload: dict[str, object]) -> bool:
    try:
        response = requests.post(url, json=payload, timeout=_timeout())
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
    host = _env("XUNPAN_SMTP_HOST")
    if not host:
        log.error("XUNPAN_ALERT_EMAIL_TO is set but XUNPAN_SMTP_HOST is not: no e-mail sent")
        return False
    starttls = _env("XUNPAN_SMTP_STARTTLS").lower() in _TRUE
    try:
        port = int(_env("XUNPAN_SMTP_PORT") or (587 if starttls else 25))
    except ValueError:
        log.error("XUNPAN_SMTP_PORT is not a number: no e-mail sent")
        return False
    sender = _env("XUNPAN_ALERT_EMAIL_FROM") or f"xunpan@{socket.getfqdn() or 'localhost'}"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["X-Xunpan-Company"] = settings.company_id
    message.set_content(body)
    user, password = _env("XUNPAN_SMTP_USER"), os.environ.get("XUNPAN_SMTP_PASSWORD", "")
    try:
        with smtplib.SMTP(host, port, timeout=_timeout()) as smtp:
            if starttls:
                smtp.starttls()
            if user:
                smtp.login(user, password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("alert e-mail through %s:%s failed: %s", host, port, type(exc).__name__)
        return False
    return True


def notify_failure(
    settings: Settings, subject: str, body: str, failures: list[str] | None = None
) -> list[str]:
    """Send the alert on every configured channel; returns the channels that delivered it.

    `body` is plain text, typically `GateResult.summary()`. `failures` (one line per failing
    expectation) goes into the webhook's `failures` list; by default the body's "- ..." lines
    outside its "Warnings:" section.
    """
    delivered: list[str] = []
    url = _env("XUNPAN_ALERT_WEBHOOK_URL")
    if url:
        payload: dict[str, object] = {
            "subject": subject,
            "text": body,
            "failures": failures if failures is not None else _failure_lines(body),
            "company_id": settings.company_id,
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        if _post_webhook(url, payload):
            delivered.append("webhook")
    recipients = [r.strip() for r in _env("XUNPAN_ALERT_EMAIL_TO").split(",") if r.strip()]
    if recipients and _send_email(subject, body, recipients, settings):
        delivered.append("email")
    if not url and not recipients:
        log.info("no alert channel configured (XUNPAN_ALERT_WEBHOOK_URL, XUNPAN_ALERT_EMAIL_TO): %s", subject)
    return delivered
