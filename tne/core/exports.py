"""Spreadsheet exports shared by every list: CSV for Excel in France (UTF-8 with BOM,
``;``-separated, decimal comma), streamed row by row, with no cell a spreadsheet would run as a
formula."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` returns what it is given, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):  # French decimal comma, as Excel reads it in France.
        return str(value).replace(".", ",")
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value  # Never let a spreadsheet run a cell as a formula.
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
