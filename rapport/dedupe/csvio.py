"""Read people from a CSV file with English or Chinese headers; write duplicate pairs.

Headers are matched after folding (case, spaces, ``_`` and ``-`` ignored), so ``First Name``,
``first_name`` and ``名`` all map to the given name. Several e-mail or phone columns are all
kept (``Email``, ``Email 2``, ``Mobile``, ``Work phone``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapport.dedupe.matcher import DuplicatePair
from rapport.dedupe.normalise import PersonRecord

# \uff1a is the full-width colon of Chinese headers.
_HEADER_NOISE = re.compile(r"[\s_\-.:\uff1a]+")
_ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": ("given", "givenname", "firstname", "first", "forename", "名", "名字"),
    "family_name": ("family", "familyname", "lastname", "last", "surname", "姓", "姓氏"),
    "name": ("name", "fullname", "contactname", "leadname", "姓名", "全名", "联系人"),
    "emails": ("email", "emailaddress", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件"),
    "phones": (
        "phone", "phonenumber", "mobile", "mobilephone", "cell", "cellphone", "telephone",
        "tel", "workphone", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码",
    ),
    "company": (
        "company", "companyname", "organisation", "organization", "account", "employer",
        "公司", "公司名称", "单位", "企业",
    ),
    "city": ("city", "town", "城市", "市"),
    "country": ("country", "countrycode", "国家", "国家地区"),
}  # fmt: skip
_FIELD_OF = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_MULTI = ("emails", "phones")


class CsvInputError(ValueError):
    """A problem with the input file, in words meant for the person who gave it."""


@dataclass(frozen=True)
class ColumnMap:
    """Which CSV columns feed which person field."""

    id_column: str
    fields: dict[str, list[str]]


def header_key(header: str) -> str:
    return _HEADER_NOISE.sub("", header.strip().casefold())


def field_for_header(header: str) -> str | None:
    """The person field a header feeds: ``E-mail 2`` -> ``emails``, ``姓`` -> ``family_name``."""
    key = header_key(header)
    if key in _FIELD_OF:
        return _FIELD_OF[key]
    trimmed = key.rstrip("0123456789")  # "email2", "phone1"
    field = _FIELD_OF.get(trimmed)
    return field if field in _MULTI else None


def map_columns(headers: list[str], id_column: str) -> ColumnMap:
    """Map headers to fields; raise ``CsvInputError`` if ``id_column`` is not one of them."""
    if id_column not in headers:
        raise CsvInputError(
            f"--id-column {id_column!r} is not a column of the file; its columns are: "
            + ", ".join(repr(h) for h in headers)
        )
    fields: dict[str, list[str]] = {}
    for header in headers:
        if header == id_column:
            continue
        field = field_for_header(header)
        if field:
            fields.setdefault(field, []).append(header)
    return ColumnMap(id_column, fields)


def _record(row: dict[str, str], columns: ColumnMap) -> PersonRecord:
    values: dict[str, str | tuple[str, ...]] = {}
    for field, headers in columns.fields.items():
        cells = [(row.get(h) or "").strip() for h in headers]
        if field in _MULTI:
            values[field] = tuple(c for c in cells if c)
        else:
            values[field] = " ".join(c for c in cells if c)
    return PersonRecord(id=(row.get(columns.id_column) or "").strip(), **values)  # type: ignore[arg-type]


def read_people(path: Path, id_column: str) -> list[PersonRecord]:
    """The people of a CSV file (UTF-8, with or without a byte-order mark).

    Raises ``CsvInputError`` for a missing or empty file, an unknown id column, an empty or
    repeated id."""
    if not path.is_file():
        raise CsvInputError(f"file not found: {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        if not headers:
            raise CsvInputError(f"{path} is empty: no header row")
        columns = map_columns(headers, id_column)
        records: list[PersonRecord] = []
        line_of: dict[str, int] = {}
        for row in reader:
            record = _record(row, columns)
            line = reader.line_num
            if not record.id:
                raise CsvInputError(f"{path}, line {line}: empty {id_column!r}")
            if record.id in line_of:
                raise CsvInputError(
                    f"{path}: duplicate id {record.id!r} in {id_column!r} "
                    f"(lines {line_of[record.id]} and {line})"
                )
            line_of[record.id] = line
            records.append(record)
    if not records:
        raise CsvInputError(f"{path} has a header but no rows")
    return records


def write_pairs(path: Path, pairs: Iterable[DuplicatePair]) -> int:
    """Write ``left_id,right_id,score,reasons``; returns the number of rows."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("left_id", "right_id", "score", "reasons"))
        for pair in pairs:
            writer.writerow(
                (pair.left_id, pair.right_id, f"{pair.score:.4f}", "; ".join(pair.reasons))
            )
            count += 1
    return count
