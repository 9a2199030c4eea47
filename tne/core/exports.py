"""Spreadsheet exports shared by every list: CSV for Excel in France (UTF-8 with BOM,
``;``-separated, decimal comma), streamed row by row, with no cell a spreadsheet would run as a
formula, and no character a spreadsheet cannot hold: a control character stored before the
importers refused them (NUL, ESC…) is dropped from the cell (:func:`clean_text`), in the CSV and
in the XLSX alike (openpyxl would raise ``IllegalCharacterError``)."""

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What a cell of a workbook cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE``: C0 controls but
# tabulation and line breaks), and DEL.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """``value`` without the characters a spreadsheet cell cannot hold, then protected from
    being run as a formula (a leading ``=``, ``+``, ``-``, ``@``, tabulation or carriage return
    gets an apostrophe), so that a control character cannot hide a formula either."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value  # Never let a spreadsheet run a cell as a formula.
    return value


class _Echo:
    """A file-like object whose ``write`` returns what it is given, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):  # French decimal comma, as Excel reads it in France.
        return str(value).replace(".", ",")
    if isinstance(value, str):
        return clean_text(value)
    return value


def xlsx_cell(value: object) -> object:
    """The value of a workbook cell: a number as a number, a text cleaned (:func:`clean_text`)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return clean_text(value)
    return value


def csv_lines(headers: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_response(
    headers: list[str], rows: Iterable[list[object]], *, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
