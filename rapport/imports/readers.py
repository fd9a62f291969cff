"""Read the rows of an uploaded CSV or XLSX file, streamed: memory stays flat.

CSV: the encoding is found from a byte-order mark, else by strict decoding of a sample as
UTF-8, then GB18030 (a superset of GBK and GB2312), then Latin-1, which decodes anything. The
delimiter is sniffed among , ; tab and |. XLSX: openpyxl's read-only mode, first sheet.
Every cell comes out as stripped text; problems with the file raise ``ImportFileError`` in
words meant for the person who gave it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook  # type: ignore[import-untyped]

from rapport.imports.choices import MAX_CELL_BYTES

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
# csv's own limit (128 KB) would stop the reader before our 1 MB check can name the column.
csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_CELL_BYTES))

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ImportFileError(ValueError):
    """The file cannot be read as a table; the message says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TableInfo:
    encoding: str
    delimiter: str
    headers: list[str]


@dataclass(frozen=True)
class SourceRow:
    """One data row: its number in the file (the header is row 1) and its cells."""

    number: int
    cells: list[str]


def _decodes(sample: bytes, encoding: str) -> str | None:
    """``sample`` decoded strictly, allowing a character cut off at its end; None if not."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return None


def _looks_chinese(text: str) -> bool:
    """Most non-ASCII characters are in GB2312, the common simplified Chinese set: Latin-1
    text (``Müller``) can decode as GB18030 too, into rare characters."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return True
    common = 0
    for char in wide:
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.9 * len(wide)


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        raise ImportFileError(
            _("This is not a text file (it contains NUL bytes): upload a CSV or XLSX file."),
            code="binary_file",
        )
    if _decodes(sample, "utf-8") is not None:
        return "utf-8"
    text = _decodes(sample, "gb18030")
    if text is not None and _looks_chinese(text):
        return "gb18030"
    return "latin-1"


def detect_delimiter(text: str) -> str:
    """The delimiter of the CSV text ``text`` (whole lines), comma when unclear."""
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _is_xlsx(name: str, head: bytes) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm")) or head.startswith(b"PK\x03\x04")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float | Decimal):
        return str(value)
    return str(value).strip()


def _headers(cells: list[str]) -> list[str]:
    """Header cells, checked: at least one named column, no name twice."""
    headers = [c.strip().lstrip("\ufeff") for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ImportFileError(
            _("The first row must name the columns, and it is empty."), code="missing_header"
        )
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for header in headers:
        key = header.casefold()
        if header and key in seen:
            repeated.append(header)
        seen.setdefault(key, header)
    if repeated:
        raise ImportFileError(
            _("These column names appear more than once: %(names)s.")
            % {"names": ", ".join(dict.fromkeys(repeated))},
            code="duplicate_header",
        )
    return headers


def oversized_column(row: SourceRow, headers: list[str]) -> str | None:
    """The header of the first cell over ``MAX_CELL_BYTES``, if any."""
    for i, cell in enumerate(row.cells):
        if len(cell) * 4 > MAX_CELL_BYTES and len(cell.encode()) > MAX_CELL_BYTES:
            return headers[i] if i < len(headers) and headers[i] else str(i + 1)
    return None


class Table:
    """An open table: ``info`` (encoding, delimiter, headers) and its data ``rows()``."""

    def __init__(
        self, info: TableInfo, rows: Iterator[list[str]], close: Callable[[], Any]
    ) -> None:
        self.info = info
        self._rows = rows
        self.close = close

    def rows(self) -> Iterator[SourceRow]:
        """Data rows, blank ones left out."""
        number = 1
        for cells in self._rows:
            number += 1
            if any(cells):
                yield SourceRow(number, cells)


def _csv_rows(reader: Any, encoding: str) -> Iterator[list[str]]:
    try:
        for cells in reader:
            yield [c.strip() for c in cells]
    except UnicodeDecodeError:
        raise ImportFileError(
            # The decoder reads ahead: the bad bytes are somewhere after the last line read.
            _("The file cannot be decoded as %(encoding)s after line %(line)d: save it as UTF-8.")
            % {"line": reader.line_num, "encoding": encoding},
            code="undecodable",
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d is not valid CSV: %(reason)s.")
            % {"line": reader.line_num, "reason": exc},
            code="bad_csv",
        ) from None


def _open_csv(handle: IO[bytes]) -> Table:
    sample = handle.read(SAMPLE_BYTES)
    handle.seek(0)
    body = sample
    for bom, _encoding in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    if not body.strip(b" \r\n\t\x00"):
        raise ImportFileError(_("The file is empty."), code="empty_file")
    encoding = detect_encoding(sample)
    text_sample = _decodes(sample, encoding) or ""
    # Whole lines only, so that the sniffer does not see a cut-off last line.
    if len(sample) == SAMPLE_BYTES and "\n" in text_sample:
        text_sample = text_sample[: text_sample.rindex("\n")]
    delimiter = detect_delimiter(text_sample.lstrip("\ufeff"))
    text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    rows = _csv_rows(reader, encoding)
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty."), code="empty_file")
    # Detached at the end, not closed: the caller owns the binary file.
    return Table(TableInfo(encoding, delimiter, _headers(first)), rows, text.detach)


def _open_xlsx(handle: IO[bytes]) -> Table:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("This is not a readable XLSX workbook: %(reason)s.") % {"reason": exc},
            code="bad_xlsx",
        ) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    values = (
        ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        if sheet is not None
        else iter([])
    )
    first = next((r for r in values if any(r)), None)
    if first is None:
        workbook.close()
        raise ImportFileError(_("The file is empty."), code="empty_file")
    return Table(TableInfo("", "", _headers(first)), values, workbook.close)


@contextmanager
def open_table(handle: IO[bytes], name: str) -> Iterator[Table]:
    """The table in the binary file ``handle`` (CSV or XLSX, told by ``name`` and content)."""
    head = handle.read(8)
    handle.seek(0)
    if not head:
        raise ImportFileError(_("The file is empty."), code="empty_file")
    table = _open_xlsx(handle) if _is_xlsx(name, head) else _open_csv(handle)
    try:
        yield table
    finally:
        table.close()
