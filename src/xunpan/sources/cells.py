"""Vectorised parsing of the cell values Chinese back-offices write.

Every parser takes a column of stripped strings (null for empty cells) and returns the typed column
plus a boolean mask of the cells it could not read, so callers can report every bad cell with its
row number without looping over a million rows in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Platforms write these for "nothing" (zero clicks, no CPC): zero in number columns, empty elsewhere.
DASHES = ["--", "-", "—", "——", "－－"]
# Excel's day zero for serial dates (1900 date system, including its phantom 1900-02-29).
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
# Serial numbers this size are dates between 1954 and 2119: anything else in a date column is not a date.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000

_DATE_TIME_RE = (
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:[ T]+(?P<hh>\d{1,2})[:：](?P<mi>\d{2})(?:[:：](?P<ss>\d{2}))?(?:\.\d+)?)?$"
)
_COMPACT_DATE_RE = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
_NUMBER_RE = r"^[-+]?(?:\d{1,15}(?:\.\d*)?|\.\d+)$"
# Thousands separators, currency signs and units that surround amounts in exports.
_NUMBER_NOISE_RE = r"[,，\s¥￥$]|^(?:RMB|CNY|USD|US\$)|元$"

EXPECT_DATE = "a date like 2026-11-03, 2026/11/3, 20261103, 2026年11月3日 or an Excel date"
EXPECT_TIMESTAMP = "a date and time like 2026/1/5 10:32, 2026-01-05 10:32:00 or an Excel date"
EXPECT_COUNT = "a whole number ≥ 0 (thousands separators and -- allowed)"
EXPECT_AMOUNT = "an amount like 1,234.50 or ¥1,234.50 (-- for zero)"
EXPECT_PERCENT = "a percentage like 3.20%"
EXPECT_HOUR = "an hour of the day 0-23 (like 9, 09:00 or 9时)"
EXPECT_BOOL = "是/否 (yes/no) or empty"
EXPECT_CURRENCY = "a currency code like CNY or USD (人民币/美元 accepted)"


@dataclass(frozen=True)
class Parsed:
    """A typed column and the mask of cells that could not be read."""

    values: pa.Array
    bad: np.ndarray
    expected: str


def clean_text(values: pa.Array) -> pa.Array:
    """Strip whitespace (including full-width spaces); empty cells become null."""
    stripped = pc.utf8_trim(values, characters=" \t\r\n\u3000\ufeff\xa0")
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def _mask(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _is_dash(values: pa.Array) -> pa.Array:
    return pc.is_in(values, value_set=pa.array(DASHES))


def _null_where(values: pa.Array, condition: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(condition, False), pa.scalar(None, values.type), values)


def parse_text(values: pa.Array) -> Parsed:
    """Free text: "--" means empty."""
    return Parsed(_null_where(values, _is_dash(values)), np.zeros(len(values), dtype=bool), "text")


def _clean_number(values: pa.Array, empty_as_zero: bool) -> tuple[pa.Array, np.ndarray]:
    """Strip separators, signs and units; returns the plain numeric text and the mask of unreadable cells."""
    dash = pc.fill_null(_is_dash(values), False)
    cleaned = pc.replace_substring(values, ",", "")
    ok = pc.fill_null(pc.match_substring_regex(cleaned, _NUMBER_RE), False)
    needs = pc.and_(pc.is_valid(cleaned), pc.invert(ok))
    if pc.any(needs).as_py():
        # The regex clean-up is costly on a million cells, so only cells that need it get it.
        fixed = pc.replace_substring_regex(cleaned.filter(needs), _NUMBER_NOISE_RE, "")
        cleaned = pc.replace_with_mask(cleaned, needs, fixed)
        ok = pc.fill_null(pc.match_substring_regex(cleaned, _NUMBER_RE), False)
    if empty_as_zero:
        cleaned = pc.if_else(pc.or_(dash, pc.is_null(values)), "0", cleaned)
        ok = pc.or_(ok, pc.or_(dash, pc.is_null(values)))
    else:
        cleaned = _null_where(cleaned, dash)
    bad = _mask(pc.and_(pc.is_valid(cleaned), pc.invert(ok)))
    return _null_where(cleaned, pa.array(bad)), bad


def parse_amount(values: pa.Array, scale: int = 2, empty_as_zero: bool = True) -> Parsed:
    """Money with thousands separators and currency signs; "--" and empty are 0 unless told otherwise."""
    cleaned, bad = _clean_number(values, empty_as_zero)
    rounded = pc.round(pc.cast(cleaned, pa.decimal128(38, 12)), scale, round_mode="half_up")
    return Parsed(pc.cast(rounded, pa.decimal128(18, scale)), bad, EXPECT_AMOUNT)


def parse_count(values: pa.Array) -> Parsed:
    """Non-negative whole numbers; Excel's 12.0 is 12; "--" and empty are 0."""
    cleaned, bad = _clean_number(values, True)
    try:
        ints = pc.cast(cleaned, pa.int64())
    except pa.ArrowInvalid:
        # Rounding would silently turn 12.5 visits into 13: fractional counts are bad cells.
        wide = pc.cast(cleaned, pa.decimal128(38, 12))
        whole = pc.round(wide, 0)
        bad = bad | _mask(pc.not_equal(wide, whole))
        ints = pc.cast(_null_where(pc.cast(whole, pa.decimal128(38, 0)), pa.array(bad)), pa.int64())
    bad = bad | _mask(pc.less(ints, 0))
    return Parsed(pc.fill_null(_null_where(ints, pa.array(bad)), 0), bad, EXPECT_COUNT)


def parse_number(values: pa.Array) -> Parsed:
    """A derived figure to check, not to store (average CPC): float64, "--" and empty are null."""
    cleaned, bad = _clean_number(values, False)
    return Parsed(pc.cast(cleaned, pa.float64()), bad, EXPECT_AMOUNT)


def parse_percent(values: pa.Array) -> Parsed:
    """ "3.20%" -> 0.032 as float64; "--" and empty are null (a rate of nothing is undefined)."""
    has_percent = pc.fill_null(pc.ends_with(values, "%"), False)
    body = _null_where(pc.utf8_rtrim(values, characters="% "), _is_dash(values))
    ok = pc.match_substring_regex(body, _NUMBER_RE)
    bad = _mask(pc.and_(pc.is_valid(body), pc.invert(pc.fill_null(ok, False))))
    number = pc.cast(_null_where(body, pa.array(bad)), pa.float64())
    return Parsed(pc.if_else(has_percent, pc.divide(number, 100.0), number), bad, EXPECT_PERCENT)


def _ints(struct: pa.Array, name: str) -> np.ndarray:
    child = pc.struct_field(struct, name)
    child = pc.if_else(pc.equal(child, ""), pa.scalar(None, pa.string()), child)
    return np.asarray(pc.fill_null(pc.cast(child, pa.int64()), 0).to_numpy(), dtype=np.int64)


def _datetime_parts(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day numbers (since 1970), seconds within the day, and the mask of readable cells."""
    n = len(values)
    days = np.zeros(n, dtype=np.int64)
    seconds = np.zeros(n, dtype=np.int64)
    readable = np.zeros(n, dtype=bool)

    for pattern in (_DATE_TIME_RE, _COMPACT_DATE_RE):
        matched = pc.extract_regex(values, pattern)
        hit = _mask(pc.is_valid(matched)) & ~readable
        if not hit.any():
            continue
        filled = matched.fill_null({f.name: "" for f in matched.type}) if matched.null_count else matched
        y, m, d = _ints(filled, "y"), _ints(filled, "m"), _ints(filled, "d")
        valid = hit & (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1900)
        month = np.where(valid, (y - 1970) * 12 + (m - 1), 0).astype("datetime64[M]")
        month_days = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
        valid &= d <= month_days
        day = (month.astype("datetime64[D]") + np.where(valid, d - 1, 0)).astype(np.int64)
        secs = np.zeros(n, dtype=np.int64)
        if pattern == _DATE_TIME_RE:
            hh, mi, ss = _ints(filled, "hh"), _ints(filled, "mi"), _ints(filled, "ss")
            valid &= (hh <= 23) & (mi <= 59) & (ss <= 59)
            secs = hh * 3600 + mi * 60 + ss
        days = np.where(valid, day, days)
        seconds = np.where(valid, secs, seconds)
        readable |= valid

    serial_hit = _mask(pc.match_substring_regex(values, _SERIAL_RE)) & ~readable
    if serial_hit.any():
        serial = np.asarray(
            pc.fill_null(pc.cast(_null_where(values, pa.array(~serial_hit)), pa.float64()), 0).to_numpy(),
            dtype=np.float64,
        )
        in_range = serial_hit & (serial >= _SERIAL_MIN) & (serial < _SERIAL_MAX)
        whole = np.floor(serial).astype(np.int64)
        epoch = _EXCEL_EPOCH.astype(np.int64)
        days = np.where(in_range, epoch + whole, days)
        seconds = np.where(in_range, np.rint((serial - whole) * 86400).astype(np.int64), seconds)
        # A serial rounding up to 86400 s is the next midnight.
        days = np.where(seconds >= 86400, days + 1, days)
        seconds = np.where(seconds >= 86400, 0, seconds)
        readable |= in_range
    return days, seconds, readable


def parse_date(values: pa.Array) -> Parsed:
    """Dates in the Chinese and ISO forms, compact 20261103, or Excel serials; a time part is ignored."""
    values = _null_where(values, _is_dash(values))
    try:
        # Most exports write ISO dates throughout: Arrow's strict cast reads those in one pass.
        return Parsed(pc.cast(values, pa.date32()), np.zeros(len(values), dtype=bool), EXPECT_DATE)
    except pa.ArrowInvalid:
        pass
    days, _, readable = _datetime_parts(values)
    present = _mask(pc.is_valid(values))
    bad = present & ~readable
    arr = pa.array(days.astype(np.int32), type=pa.int32(), mask=~(present & readable)).cast(pa.date32())
    return Parsed(arr, bad, EXPECT_DATE)


def parse_timestamp(values: pa.Array) -> Parsed:
    """Wall-clock timestamps (naive, as written); a bare date means midnight."""
    values = _null_where(values, _is_dash(values))
    try:
        return Parsed(
            pc.cast(values, pa.timestamp("us")), np.zeros(len(values), dtype=bool), EXPECT_TIMESTAMP
        )
    except pa.ArrowInvalid:
        pass
    days, seconds, readable = _datetime_parts(values)
    present = _mask(pc.is_valid(values))
    bad = present & ~readable
    micros = (days * 86400 + seconds) * 1_000_000
    arr = pa.array(micros, type=pa.int64(), mask=~(present & readable)).cast(pa.timestamp("us"))
    return Parsed(arr, bad, EXPECT_TIMESTAMP)


def parse_hour(values: pa.Array) -> Parsed:
    """Hour of day from hourly reports: "9", "09", "09:00", "09:00-10:00", "9时" or "9点"."""
    matched = pc.extract_regex(values, r"^(?P<h>\d{1,2})(?:[:：]00(?:\s*[-~至]\s*\d{1,2}[:：]00)?|时|点)?$")
    present = _mask(pc.is_valid(values))
    hit = _mask(pc.is_valid(matched))
    hours = np.zeros(len(values), dtype=np.int64)
    if hit.any():
        filled = matched.fill_null({"h": "0"}) if matched.null_count else matched
        hours = _ints(filled, "h")
    ok = hit & (hours <= 23)
    arr = pa.array(hours.astype(np.int32), type=pa.int32(), mask=~ok)
    return Parsed(arr, present & ~ok, EXPECT_HOUR)


_BOOL_WORDS = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "√": True,
    "×": False,
}


def parse_bool(values: pa.Array) -> Parsed:
    """Yes/no flags such as 是否拳头产品; empty is null (no override)."""
    lowered = pc.utf8_lower(values)
    keys = pa.array(list(_BOOL_WORDS))
    index = pc.index_in(lowered, value_set=keys)
    truth = pa.array(list(_BOOL_WORDS.values()))
    result = pc.take(truth, index)
    bad = _mask(pc.and_(pc.is_valid(values), pc.is_null(index)))
    return Parsed(result, bad, EXPECT_BOOL)


_CURRENCY_WORDS = {
    "人民币": "CNY",
    "RMB": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "美元": "USD",
    "US$": "USD",
    "$": "USD",
    "欧元": "EUR",
    "€": "EUR",
    "港币": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
}


def parse_currency(values: pa.Array) -> Parsed:
    """ISO 4217 codes; common Chinese names and signs are mapped to their code."""
    upper = pc.utf8_upper(values)
    keys = pa.array(list(_CURRENCY_WORDS))
    mapped = pc.take(pa.array(list(_CURRENCY_WORDS.values())), pc.index_in(upper, value_set=keys))
    code = pc.coalesce(mapped, upper)
    ok = pc.match_substring_regex(code, r"^[A-Z]{3}$")
    bad = _mask(pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(ok, False))))
    return Parsed(_null_where(code, pa.array(bad)), bad, EXPECT_CURRENCY)


PARSERS: dict[str, Callable[[pa.Array], Parsed]] = {
    "text": parse_text,
    "date": parse_date,
    "timestamp": parse_timestamp,
    "count": parse_count,
    "amount": parse_amount,
    "amount_or_null": lambda v: parse_amount(v, 2, empty_as_zero=False),
    "unit_amount": lambda v: parse_amount(v, 4),
    "quantity": lambda v: parse_amount(v, 3),
    "rate": lambda v: parse_amount(v, 6, empty_as_zero=False),
    "percent": parse_percent,
    "number": parse_number,
    "hour": parse_hour,
    "bool": parse_bool,
    "currency": parse_currency,
}


def excel_cell_text(value: object) -> str | None:
    """Turn an Excel cell (number, date, text) into the text form the parsers read."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
