"""Byte-level writers: CSV in the encodings the platforms use, and reproducible xlsx workbooks."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.xml.functions import tostring

Cell = str | int | float | date | datetime | None

# Chinese back-offices run on Windows: exports end lines with CRLF.
LINE_END = "\r\n"


def money(value: float) -> str:
    """`1,234.50`: how the back-offices print amounts (the csv writer quotes it when it holds a comma)."""
    return f"{value:,.2f}"


def percent(part: int, whole: int) -> str:
    """`3.20%`, or `0.00%` when nothing was shown."""
    return f"{(100.0 * part / whole) if whole else 0.0:.2f}%"


def write_text_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str,
    preamble: Sequence[str] = (),
    delimiter: str = ",",
) -> Path:
    """Write preamble lines, a header and rows as delimited text in `encoding`.

    `encoding` is a Python codec name; "utf-16-le" gets an explicit BOM because Excel's "Unicode
    text" always starts with one, and the plain "utf-16" codec would pick the machine's byte order.
    """
    buffer = io.StringIO(newline="")
    for line in preamble:
        buffer.write(line + LINE_END)
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-16-le":
        text = "\ufeff" + text
    path.write_bytes(text.encode(encoding))
    return path


def write_workbook(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    written_at: datetime,
    title: str | None = None,
    subtitle: str | None = None,
    sheet_name: str = "Sheet1",
) -> Path:
    """Write one sheet: optional merged title row, optional second title line, the header, the rows.

    Dates become real Excel dates (datetimes with minutes), strings stay text, so a column can mix
    both as hand-kept registers do. The file is byte-identical for identical input: see `_freeze`.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    if title is not None:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    if subtitle is not None:
        sheet.append([subtitle])
    sheet.append(list(header))
    first_data_row = sheet.max_row + 1
    for row_number, row in enumerate(rows, start=first_data_row):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    workbook.properties.creator = "xunpan demo"
    workbook.properties.created = written_at
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stamps `modified` with the wall clock while saving; put the export time back afterwards.
    workbook.properties.modified = written_at
    path.write_bytes(_freeze(buffer.getvalue(), written_at, tostring(workbook.properties.to_tree())))
    return path


def _freeze(data: bytes, written_at: datetime, core_xml: bytes) -> bytes:
    """Re-pack the xlsx zip with fixed entry timestamps and the given document properties.

    zipfile stamps every entry with the current local time, and openpyxl writes the save time into
    docProps/core.xml; both would make two runs differ.
    """
    stamp = (
        max(written_at.year, 1980),
        written_at.month,
        written_at.day,
        written_at.hour,
        written_at.minute,
        written_at.second // 2 * 2,
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            payload = core_xml if info.filename == "docProps/core.xml" else source.read(info.filename)
            target.writestr(entry, payload)
    return out.getvalue()
