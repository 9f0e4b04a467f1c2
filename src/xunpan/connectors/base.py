"""The connector base: HTTP with retries, a cursor with a look-back window, landing like an inbox file.

Platforms restate recent days (invalid clicks refunded, late conversions), so every pull re-reads
the last N days before the cursor; the landing zone's "latest load wins" rule then replaces exactly
those days. Credentials come from an Airflow connection, never from code.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import requests

from xunpan.config import Settings
from xunpan.errors import XunpanError
from xunpan.files import write_atomic
from xunpan.sources import SPECS, ParsedInput
from xunpan.sources.schemas import kind_fields

log = logging.getLogger("xunpan.connectors")


class ApiError(XunpanError):
    """The platform refused a request or kept failing after every retry."""


@dataclass(frozen=True)
class Credentials:
    """What a platform API needs to authenticate; build it from an Airflow connection in production."""

    login: str | None = None
    password: str | None = None
    token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def credentials_from_connection(conn_id: str) -> Credentials:
    """Read login, password and extra (token, site_id, ...) from the Airflow connection `conn_id`."""
    from airflow.sdk import BaseHook  # imported here: the importers must work without Airflow loaded

    conn = BaseHook.get_connection(conn_id)
    extra = conn.extra_dejson or {}
    return Credentials(login=conn.login, password=conn.password, token=extra.get("token"), extra=dict(extra))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: base * 2**(attempt-1), capped; Retry-After from the server wins on 429."""

    attempts: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 60.0

    def delay(self, attempt: int) -> float:
        return min(self.base_seconds * 2 ** (attempt - 1), self.max_seconds)


class HttpClient:
    """JSON over HTTP POST, retrying 429 and 5xx responses and dropped connections."""

    def __init__(
        self,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.timeout = timeout
        self.session = session or requests.Session()

    def post_json(self, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST `payload` and return the decoded JSON answer, retrying what is worth retrying."""
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                response = self.session.post(url, json=payload, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = f"{exc.__class__.__name__}: {exc}"
                delay = self.retry.delay(attempt)
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    last = f"HTTP {response.status_code}"
                    delay = _retry_after(response) if response.status_code == 429 else None
                    delay = self.retry.delay(attempt) if delay is None else min(delay, self.retry.max_seconds)
                elif response.status_code >= 400:
                    raise ApiError(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
                else:
                    return response.json()
            if attempt < self.retry.attempts:
                log.warning(
                    "%s: %s; retrying in %.1f s (attempt %d of %d)",
                    url,
                    last,
                    delay,
                    attempt,
                    self.retry.attempts,
                )
                self.sleep(delay)
        raise ApiError(f"{url}: still failing after {self.retry.attempts} attempts ({last})")


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After as seconds or as an HTTP date (RFC 9110)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0) if when else None


@dataclass(frozen=True)
class Window:
    """Inclusive date range of one pull."""

    start: dt.date
    end: dt.date

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class Cursor:
    """The last day a connector pulled for a company, kept under XUNPAN_HOME/connectors/<company>/<name>.json."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.path: Path = settings.home / "connectors" / f"{name}.json"

    def last_end(self) -> dt.date | None:
        if not self.path.exists():
            return None
        return dt.date.fromisoformat(json.loads(self.path.read_text(encoding="utf-8"))["last_end"])

    def window(self, end: dt.date, lookback_days: int, initial_days: int) -> Window:
        """From `lookback_days` before the last pulled day (restatements), or `initial_days` back on first run."""
        last = self.last_end()
        start = (
            end - dt.timedelta(days=initial_days - 1)
            if last is None
            else last - dt.timedelta(days=lookback_days - 1)
        )
        return Window(min(start, end), end)

    def save(self, end: dt.date) -> None:
        write_atomic(self.path, json.dumps({"last_end": end.isoformat()}))


@dataclass
class PullResult:
    """One connector run: the window pulled, the rows landed and the manifest entry (None if no rows)."""

    connector: str
    window: Window
    rows: int
    entry: dict[str, object] | None


class Connector(ABC):
    """A report API that lands its rows as one input kind; subclasses implement `fetch`."""

    name: str
    kind: str
    layout: str
    # The API's address and rows per request; a test or a proxy passes others.
    url: str
    page_size: int

    def __init__(
        self,
        credentials: Credentials,
        *,
        client: HttpClient | None = None,
        company_id: str = "default",
        lookback_days: int = 7,
        initial_days: int = 30,
        url: str | None = None,
        page_size: int | None = None,
    ) -> None:
        if url is not None:
            self.url = url
        if page_size is not None:
            self.page_size = page_size
        self.credentials = credentials
        self.client = client or HttpClient()
        self.company_id = company_id
        self.lookback_days = lookback_days
        self.initial_days = initial_days

    @abstractmethod
    def fetch(self, window: Window) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Rows in the kind's canonical fields, and the raw responses (archived as the original bytes)."""

    def run(self, settings: Settings, end: dt.date | None = None) -> PullResult:
        """Pull the cursor's window up to `end` (default yesterday), land it, then move the cursor."""
        from xunpan.landing import land_parsed  # landing imports the importers; keep module import light

        end = end or dt.date.today() - dt.timedelta(days=1)
        # One cursor per company: each company's connection pulls its own account on its own schedule.
        cursor = Cursor(settings, f"{self.company_id}/{self.name}")
        window = cursor.window(end, self.lookback_days, self.initial_days)
        rows, responses = self.fetch(window)
        entry = None
        if rows:
            parsed = self._parsed(rows, window)
            # The company is part of the archived bytes, so two companies' identical answers (the
            # same public figures, an agency account shared by both) are not taken for a duplicate.
            original = json.dumps(
                {"company_id": self.company_id, "responses": responses}, ensure_ascii=False, sort_keys=True
            ).encode("utf-8")
            name = f"{self.name}_{window.start:%Y%m%d}_{window.end:%Y%m%d}.json"
            entry = land_parsed(settings, parsed, original, name)
        cursor.save(end)
        log.info("%s pulled %s..%s: %d rows", self.name, window.start, window.end, len(rows))
        return PullResult(self.name, window, len(rows), entry)

    def _parsed(self, rows: list[dict[str, Any]], window: Window) -> ParsedInput:
        spec = SPECS[self.kind]
        name = f"{self.name}_{window.start:%Y%m%d}_{window.end:%Y%m%d}.json"
        fields = kind_fields(self.kind)
        schema = pa.schema(
            [
                pa.field("company_id", pa.string()),
                pa.field("source_file", pa.string()),
                pa.field("source_layout", pa.string()),
                pa.field("source_row", pa.int64()),
                *fields,
            ]
        )
        records = [
            {
                "company_id": self.company_id,
                "source_file": name,
                "source_layout": self.layout,
                "source_row": i,
                **row,
            }
            for i, row in enumerate(rows, start=1)
        ]
        table = pa.Table.from_pylist(records, schema=schema)
        dates = table.column(spec.date_field or "")
        return ParsedInput(
            file=name,
            kind=self.kind,
            layout=self.layout,
            layout_description=f"{self.name} API pull",
            company_id=self.company_id,
            container="api",
            encoding=None,
            header_row=0,
            table=table,
            date_min=pc.min(dates).as_py(),
            date_max=pc.max(dates).as_py(),
            totals=spec.totals(table),
        )
