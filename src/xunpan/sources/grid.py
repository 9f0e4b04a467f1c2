"""Read any supported file into a grid of text cells with the row numbers a user sees.

Handles the containers users really hold: CSV/TSV in UTF-8 (with or without BOM), GBK/GB18030 or
UTF-16 ("Unicode text" from Excel), .xlsx via openpyxl, .xls via xlrd. Password-protected workbooks,
HTML pages saved with an .xls name, empty and damaged files are refused with a message saying what
to do. CSV bodies are read with pyarrow's C++ reader; Python's csv module is only the fallback for
files whose physical lines do not map one-to-one to rows (blank lines, quoted line breaks).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from xunpan.config import Settings
from xunpan.errors import CellProblem, InputRejected
from xunpan.sources.cells import excel_cell_text

# Rows scanned for the header: Baidu writes up to eight preamble lines; registers add title rows.
HEAD_ROWS = 40

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

# An xlsx member may expand this many times its compressed size. Real sheet XML compresses about
# 5-30:1; a "zip bomb" is thousands to one. Members under _RATIO_FLOOR bytes are never refused
# for their ratio: tiny repetitive files (styles, an empty sheet) legitimately compress well.
MAX_ZIP_RATIO = 200
_RATIO_FLOOR = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """How much a workbook may hold: cells per sheet (as declared and as read) and unzipped bytes."""

    max_cells: int
    max_unzipped_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ReadLimits:
        settings = settings or Settings.from_env()
        return cls(settings.max_cells, settings.max_unzipped_mb << 20)


@dataclass
class Body:
    """The data rows under a header: one string column per header cell, and their sheet row numbers."""

    columns: list[pa.Array]
    rows: np.ndarray
    problems: list[CellProblem] = field(default_factory=list)


@dataclass
class Grid:
    """One sheet (or one text file) of cells; `head` holds the first rows with their 1-based numbers."""

    file: str
    container: str
    encoding: str | None
    sheet: str | None
    head: list[tuple[int, list[str | None]]]
    _text: str | None = None
    _delimiter: str = ","
    _cells: list[tuple[int, list[str | None]]] | None = None

    def body(self, header_row: int, width: int) -> Body:
        """Every row after `header_row`, cut or padded to `width` columns; blank rows dropped."""
        if self._text is not None:
            return _text_body(self.file, self._text, self._delimiter, header_row, width)
        assert self._cells is not None
        return _cells_body(self._cells, header_row, width)


def read_grids(data: bytes, file: str, limits: ReadLimits | None = None) -> list[Grid]:
    """All sheets of a file as grids (a text file is one sheet). Raises InputRejected on unreadable input.

    `limits` default to the Settings (XUNPAN_MAX_CELLS, XUNPAN_MAX_UNZIPPED_MB); the file size
    itself is checked by the caller before the bytes are read (xunpan.landing).
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputRejected(file, "the file is empty (no header, no rows); export it again")
    if data.startswith(_OLE2_MAGIC):
        return _read_ole2(data, file)
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, file, limits or ReadLimits.from_settings())
    text, encoding = decode_text(data, file)
    probe = text.lstrip("\ufeff \t\r\n")[:2048].lower()
    if probe.startswith("<") and ("<html" in probe or "<table" in probe or "<!doctype" in probe):
        raise InputRejected(
            file,
            "this is an HTML page saved with a spreadsheet name (some back-offices export .xls this way); "
            "open it in Excel or WPS and save it as .xlsx, or export CSV",
        )
    return [_text_grid(file, text, encoding)]


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode by BOM, then strict UTF-8, then GB18030 (a superset of GBK); UTF-16 without BOM by its NULs."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict_decode(data, codec, file), codec
    sample = data[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return _strict_decode(data, "utf-16-le", file), "utf-16-le"
    if sample[0::2].count(0) > len(sample) // 4:
        return _strict_decode(data, "utf-16-be", file), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _strict_decode(data, "gb18030", file), "gb18030"


def _strict_decode(data: bytes, codec: str, file: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRejected(
            file,
            f"cannot read the text: byte {exc.start} (line {line}) is not valid {codec.upper()}; "
            "expected UTF-8, GBK/GB18030 or UTF-16 text (the file may be truncated or in another encoding)",
            [CellProblem(file, line, None, data[exc.start : exc.start + 8].hex(" "), f"valid {codec} text")],
        ) from None


def _text_grid(file: str, text: str, encoding: str) -> Grid:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    first_lines = text.split("\n", HEAD_ROWS)[:HEAD_ROWS]
    tabs = sum(line.count("\t") for line in first_lines)
    commas = sum(line.count(",") for line in first_lines)
    delimiter = "\t" if tabs > commas else ","
    head: list[tuple[int, list[str | None]]] = []
    reader = csv.reader(io.StringIO("\n".join(first_lines)), delimiter=delimiter)
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            head.append((start, list(row)))
        start = reader.line_num + 1
    return Grid(
        file, "csv" if delimiter == "," else "tsv", encoding, None, head, _text=text, _delimiter=delimiter
    )


def _text_body(file: str, text: str, delimiter: str, header_row: int, width: int) -> Body:
    offset = 0
    for _ in range(header_row):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return Body([pa.array([], pa.string()) for _ in range(width)], np.zeros(0, np.int64))
    data = text[offset:]
    fast = _fast_body(data, delimiter, width)
    if fast is not None:
        columns, count = fast
        rows = np.arange(header_row + 1, header_row + 1 + count, dtype=np.int64)
        return _drop_blank(Body(columns, rows))
    return _drop_blank(_slow_body(file, data, delimiter, header_row, width))


def _fast_body(data: str, delimiter: str, width: int) -> tuple[list[pa.Array], int] | None:
    """pyarrow's reader when every physical line is one row; None means use the exact slow path."""
    lines = data.count("\n") + (0 if data.endswith("\n") or not data else 1)
    if not lines or "\n\n" in data or data.startswith("\n"):
        return None
    names = [f"c{i}" for i in range(width)]
    ragged: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged.append(row.number)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if ragged or table.num_rows != lines:
        return None
    return [table.column(i).combine_chunks() for i in range(width)], table.num_rows


def _slow_body(file: str, data: str, delimiter: str, header_row: int, width: int) -> Body:
    reader = csv.reader(io.StringIO(data), delimiter=delimiter)
    kept: list[list[str]] = []
    numbers: list[int] = []
    problems: list[CellProblem] = []
    start = header_row + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                extra = [c for c in row[width:] if c.strip()]
                if len(row) < width or extra:
                    problems.append(
                        CellProblem(
                            file,
                            start,
                            None,
                            delimiter.join(row)[:80],
                            f"{width} columns like the header (found {len(row)}); the file may be truncated",
                        )
                    )
                kept.append((row + [""] * width)[:width])
                numbers.append(start)
            start = header_row + 1 + reader.line_num
    except csv.Error as exc:
        problems.append(CellProblem(file, start, None, None, f"well-formed CSV ({exc})"))
    columns = (
        [pa.array(col, pa.string()) for col in zip(*kept, strict=True)]
        if kept
        else [pa.array([], pa.string()) for _ in range(width)]
    )
    return Body(columns, np.asarray(numbers, dtype=np.int64), problems)


def _drop_blank(body: Body) -> Body:
    """Rows whose every cell is blank (Excel's trailing ",,,,") carry nothing and are dropped."""
    if not body.columns or not len(body.rows):
        return body
    blank = None
    for col in body.columns:
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(col), ""), True)
        blank = empty if blank is None else pc.and_(blank, empty)
        # Usually the first column (the date) is filled on every row: stop before trimming the rest.
        if not pc.any(blank).as_py():
            return body
    keep = pc.invert(blank)
    mask = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)
    return Body([c.filter(keep) for c in body.columns], body.rows[mask], body.problems)


def _cells_body(cells: list[tuple[int, list[str | None]]], header_row: int, width: int) -> Body:
    rows = [(n, (r + [None] * width)[:width]) for n, r in cells if n > header_row]
    rows = [(n, r) for n, r in rows if any(c is not None and str(c).strip() for c in r)]
    columns = [pa.array([r[i] for _, r in rows], pa.string()) for i in range(width)]
    return Body(columns, np.asarray([n for n, _ in rows], dtype=np.int64))


def _read_ole2(data: bytes, file: str) -> list[Grid]:
    import msoffcrypto

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception:
        encrypted = False
    if encrypted:
        raise InputRejected(
            file,
            "the workbook is password-protected; open it, remove the password (File > Info > Protect "
            "Workbook) and save it again, then import the saved copy",
        )
    return _read_xls(data, file)


def _read_xls(data: bytes, file: str) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:
        raise InputRejected(file, f"cannot open the .xls workbook ({exc}); save it again as .xlsx") from None
    grids = []
    for sheet in book.sheets():
        cells: list[tuple[int, list[str | None]]] = []
        for r in range(sheet.nrows):
            row: list[str | None] = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(excel_cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                else:
                    row.append(excel_cell_text(cell.value))
            cells.append((r + 1, row))
        grids.append(_cell_grid(file, "xls", sheet.name, cells))
    return grids


def _read_xlsx(data: bytes, file: str, limits: ReadLimits) -> list[Grid]:
    import openpyxl

    _check_zip(data, file, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputRejected(
            file,
            f"the Excel file is damaged or truncated ({exc.__class__.__name__}); export or copy it again",
        ) from None
    grids = []
    try:
        for sheet in book.worksheets:
            grids.append(_cell_grid(file, "xlsx", sheet.title, _sheet_cells(sheet, file, limits)))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputRejected(
            file,
            f"the Excel file is damaged or truncated ({exc.__class__.__name__}); export or copy it again",
        ) from None
    finally:
        book.close()
    return grids


def _check_zip(data: bytes, file: str, limits: ReadLimits) -> None:
    """Refuse a workbook whose members would expand beyond the limits, before anything is unzipped.

    zipfile stops reading a member at its declared size (and fails its CRC check if the data is
    longer), so the declared sizes checked here bound what openpyxl can inflate.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputRejected(
            file,
            f"the Excel file is damaged or truncated ({exc.__class__.__name__}); export or copy it again",
        ) from None
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise InputRejected(
            file,
            f"the workbook unpacks to {total / 2**20:.0f} MB, more than the limit of "
            f"{limits.max_unzipped_bytes / 2**20:.0f} MB (XUNPAN_MAX_UNZIPPED_MB); "
            "split the export into smaller files or save it as CSV",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
            raise InputRejected(
                file,
                f"the workbook part {member.filename} expands {ratio:.0f} times "
                f"({member.compress_size} to {member.file_size} bytes; real exports stay under "
                f"{MAX_ZIP_RATIO} times); this is not a normal export, so it is refused unopened",
            )


def _sheet_cells(sheet: object, file: str, limits: ReadLimits) -> list[tuple[int, list[str | None]]]:
    """The non-blank rows of one read-only sheet, refused as soon as it exceeds the cell limit.

    openpyxl pads every row to the sheet's declared width and yields every missing row, so the
    declared dimension is checked first (A1:XFD1048576 would be 17 billion cells) and the cells
    actually produced are counted while reading, for sheets whose dimension is absent or wrong.
    Blank rows are not kept: they carry nothing, and the head and body skip them anyway.
    """
    rows, cols = sheet.max_row, sheet.max_column  # type: ignore[attr-defined]
    title = sheet.title  # type: ignore[attr-defined]
    if rows and cols and rows * cols > limits.max_cells:
        raise InputRejected(
            file,
            f"sheet {title!r} declares {rows:,} rows x {cols:,} columns = {rows * cols:,} cells "
            f"(range {sheet.calculate_dimension()}), more than the limit of {limits.max_cells:,} "  # type: ignore[attr-defined]
            "cells (XUNPAN_MAX_CELLS); delete the empty rows and columns below and right of the "
            "data (or export it again) and save the file",
        )
    cells: list[tuple[int, list[str | None]]] = []
    produced = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        produced += max(len(values), 1)
        if produced > limits.max_cells:
            raise InputRejected(
                file,
                f"sheet {title!r} holds more than {limits.max_cells:,} cells by row {number:,} "
                "(XUNPAN_MAX_CELLS); delete the empty rows and columns around the data or split "
                "the export, and save the file",
            )
        if any(v is not None for v in values):
            cells.append((number, [excel_cell_text(v) for v in values]))
    return cells


def _cell_grid(file: str, container: str, sheet: str, cells: list[tuple[int, list[str | None]]]) -> Grid:
    # The header is looked for in the sheet's first rows by number (blank rows may be left out of `cells`).
    first = itertools.takewhile(lambda item: item[0] <= HEAD_ROWS * 2, cells)
    head = [(n, r) for n, r in first if any(c is not None and c.strip() for c in r)]
    return Grid(file, container, None, sheet, head[:HEAD_ROWS], _cells=cells)
