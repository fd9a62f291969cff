"""CSV and XLSX writers of export rows, safe to open in a spreadsheet.

Text that a spreadsheet would read as a formula (starting with = + - @, tab or carriage
return) is neutralised: prefixed with a single quote in CSV, written as a string cell in XLSX.
Numbers stay numbers. CSV is UTF-8 with a byte-order mark, so that Excel reads non-Latin
text correctly, and quoted as RFC 4180 asks (CRLF line ends, multi-line cells quoted).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

from rapport.exports.columns import xlsx_datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Rows per piece of a streamed CSV response: fewer, larger writes than one per row.
CSV_ROWS_PER_PIECE = 200


def neutralise(text: str) -> str:
    """``text`` that no spreadsheet evaluates as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(str(value))


class _Echo:
    """A file whose ``write`` returns what it was given: csv.writer formats, we stream."""

    def write(self, value: str) -> str:
        return value


def csv_pieces(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 pieces: byte-order mark and header first, then the rows."""
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow([neutralise(h) for h in header])).encode()
    piece: list[str] = []
    for values in rows:
        piece.append(writer.writerow([csv_text(v) for v in values]))
        if len(piece) >= CSV_ROWS_PER_PIECE:
            yield "".join(piece).encode()
            piece = []
    if piece:
        yield "".join(piece).encode()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return xlsx_datetime(value)
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    # Always a string cell: openpyxl would otherwise store text starting with "=" as a formula.
    cell.data_type = "s"
    return cell


def xlsx_write(out: IO[bytes], *, title: str, header: list[str], rows: Iterable[list[Any]]) -> int:
    """Write the workbook to ``out`` in openpyxl's write-only (streaming) mode; returns the
    number of data rows."""
    workbook = Workbook(write_only=True)
    # Sheet titles: at most 31 characters, none of []:*?/\ (record type keys have none).
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(sheet, h) for h in header])
    count = 0
    for values in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in values])
        count += 1
    workbook.save(out)
    return count


def csv_write(out: IO[bytes], *, header: list[str], rows: Iterable[list[Any]]) -> int:
    """Write the CSV file to ``out``; returns the number of data rows."""
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for values in rows:
            count += 1
            yield values

    for piece in csv_pieces(header, counted()):
        out.write(piece)
    return count
