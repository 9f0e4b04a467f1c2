"""The inquiry register (询盘登记表) kept by sales, or a CRM export: one row per inquiry, its current stage.

Every import is a snapshot of the register for the received dates it covers (`covers_from` ..
`covers_to`): the period its title rows or file name state ("2026年10月第2周", "2026年10月",
"2026-10-05至2026-10-11", "2026.10"), or the received dates it lists (first to last) when it
states none. Rows outside a stated period are carried forward from other periods: they count and
update their inquiry, but the import says nothing about the rest of their days. The warehouse keeps the stage history across imports, and an inquiry that a
later import covering its received date no longer lists stops counting (docs/raw-landing.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import PurePath

import pyarrow as pa
import pyarrow.compute as pc

from xunpan.sources.cells import clean_text, parse_timestamp
from xunpan.sources.frame import Frame, KindSpec, flag_duplicates
from xunpan.sources.layout import Col, Layout

# the register's headers and stage labels live in one module, shared with the demo generator and
# dbt's staging fallback (issue 13); STAGES and EXPECT_STAGE stay importable from here
from xunpan.sources.register_labels import EXPECT_STAGE, REGISTER_COLUMNS, STAGES, chinese_headers

_NOT_NULL = {"inquiry_id", "received_at", "channel_label", "stage_label"}


def _layout(name: str, chinese: bool, description: str) -> Layout:
    cols = tuple(
        Col(field, chinese_headers(zh) if chinese else en, parser, required, not_null=field in _NOT_NULL)
        for field, parser, required, zh, en in REGISTER_COLUMNS
    )
    return Layout(name, "inquiries", cols, {}, (), description)


LAYOUTS: tuple[Layout, ...] = (
    _layout("register_zh", True, "inquiry register (询盘登记表, Chinese headers)"),
    _layout("register_en", False, "inquiry register (English headers)"),
)


def finish(frame: Frame) -> None:
    """Map stages, refuse duplicate ids and negative deal amounts, stamp the snapshot time."""
    labels = frame.fields["stage_label"]
    keys = pa.array(list(STAGES))
    index = pc.index_in(pc.utf8_lower(labels), value_set=pc.utf8_lower(keys))
    frame.fields["stage"] = pc.take(pa.array(list(STAGES.values())), index)
    frame.flag("stage_label", pc.and_(pc.is_valid(labels), pc.is_null(index)), EXPECT_STAGE)

    # XP-3 and XP-003 on two rows of one sheet are the same inquiry twice, as dbt would count them
    keys = pa.array([None if i is None else inquiry_key(i) for i in frame.fields["inquiry_id"].to_pylist()])
    flag_duplicates(
        frame,
        "inquiry_id",
        keys,
        "an inquiry id that appears once in the register (this id is on several rows; ids that differ "
        "only in case, spaces, full-width characters or leading zeros, like XP-3 and XP-003, are one id)",
    )
    frame.check_not_negative("deal_amount", "a deal amount ≥ 0")
    frame.constant("snapshot_at", _snapshot_at(frame), pa.timestamp("us"))
    covers_from, covers_to = _coverage(frame)
    frame.constant("covers_from", covers_from, pa.date32())
    frame.constant("covers_to", covers_to, pa.date32())


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_YMD = r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?"
_MD = r"(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?"
_RANGE = re.compile(_YMD + r"\s*(?:至|到|~|～|—|－|--|-)\s*" + _MD)
_WEEK = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*月?\s*第\s*([1-6一二三四五六])\s*周")
# a month not followed by a day ("2026-01-31" and "2026年3月31日" are dates, not periods)
_MONTH = re.compile(r"(?<!\d)(\d{4})\s*(?:年\s*(\d{1,2})\s*月|[./-](\d{1,2}))(?!\s*\d)(?![./-]\d)")
_COMPACT_MONTH = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)")


def month_week(year: int, month: int, week: int) -> tuple[dt.date, dt.date]:
    """Days of "<year>年<month>月第<week>周": Monday-to-Sunday weeks cut at the month's edges.

    Week 1 runs from the 1st to the first Sunday (it may be short), each later week from Monday to
    Sunday, and the last week ends on the month's last day, so a month's weekly sheets cover each
    of its days exactly once. Raises ValueError for a week the month does not have.
    """
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    first_sunday = first + dt.timedelta(days=6 - first.weekday())
    start = first if week == 1 else first_sunday + dt.timedelta(days=1 + 7 * (week - 2))
    end = min(first_sunday + dt.timedelta(days=7 * (week - 1)), last)
    if week < 1 or start > last:
        raise ValueError(f"{year}年{month}月 has no week {week}")
    return start, end


def stated_period(text: str) -> tuple[dt.date, dt.date] | None:
    """The received-date period a title or file name states, or None when it states none.

    Tried in this order: a date range, a week of a month, a month. Raises ValueError when the text
    names a period that does not exist (2026年13月, 2026年2月第6周).
    """
    if m := _RANGE.search(text):
        y1, m1, d1, y2, m2, d2 = m.groups()
        start = dt.date(int(y1), int(m1), int(d1))
        end = dt.date(int(y2 or y1), int(m2), int(d2))
        if end < start:
            raise ValueError(f"the period {m.group(0)!r} ends before it starts")
        return start, end
    if m := _WEEK.search(text):
        year, month, week = m.groups()
        return month_week(int(year), int(month), _CN_DIGITS.get(week) or int(week))
    for pattern in (_MONTH, _COMPACT_MONTH):
        if m := pattern.search(text):
            year, month = int(m.group(1)), int(next(g for g in m.groups()[1:] if g))
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


def _coverage(frame: Frame) -> tuple[dt.date | None, dt.date | None]:
    """Received dates this import is the truth for: the stated period, else first to last date listed.

    The title rows are read first, then the file name. The stated period is not widened to the
    dates listed: a weekly sheet that carries forward an open inquiry of an earlier week must not
    remove that week's other inquiries. A stated period that cannot exist is ignored with a
    warning (the import then covers the received dates it lists).
    """
    received = frame.fields.get("received_at")
    if received is None or not len(received):
        return None, None
    bounds = pc.min_max(received).as_py()
    low, high = bounds["min"].date(), bounds["max"].date()
    for text in [*frame.preamble, PurePath(frame.file).stem]:
        try:
            period = stated_period(text)
        except ValueError as problem:
            frame.warnings.append(f"{frame.file}: {problem}; the import covers the received dates it lists")
            continue
        if period is not None:
            return period
    return low, high


_FULL_WIDTH = str.maketrans(
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９－",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-",
)
_LEADING_ZEROS = re.compile(r"(^|[^0-9])0+([0-9]+)$")


def inquiry_key(inquiry_id: str) -> str:
    """The identity of an inquiry id, the rule of dbt's `inquiry_key` macro (docs/raw-landing.md).

    Full-width letters, digits and hyphens half-width, upper case, no spaces, and no leading zeros
    in the trailing number: "XP-003", " xp-003 " and "ＸＰ－００３" are "XP-3"; "XP-100" stays.
    """
    text = inquiry_id.strip().translate(_FULL_WIDTH).replace(" ", "").replace("\u3000", "").upper()
    return _LEADING_ZEROS.sub(r"\1\2", text)


def _snapshot_at(frame: Frame) -> dt.datetime:
    """When the register was exported: a date in the title rows, else the file's time, else now."""
    written = frame.preamble_value("导出时间", "导出日期", "截至", "截止", "Exported", "Export time", "As of")
    if written is None:
        for line in frame.preamble:
            if line.startswith(("截至", "截止")):
                written = line[2:].strip(" ：:")
    if written:
        parsed = parse_timestamp(clean_text(pa.array([written])))
        if not parsed.bad[0] and parsed.values[0].is_valid:
            return parsed.values[0].as_py()
    return frame.file_time or dt.datetime.now().replace(microsecond=0)


def totals(table: pa.Table) -> dict[str, object]:
    stages = pc.value_counts(table.column("stage").combine_chunks())
    by_stage = dict(zip(stages.field("values").to_pylist(), stages.field("counts").to_pylist(), strict=True))
    return {"inquiries": table.num_rows, "by_stage": {k: int(v) for k, v in sorted(by_stage.items())}}


SPEC = KindSpec("inquiries", LAYOUTS, finish, totals, "received_at")
