"""The one writer of the equipment's CSV and XLSX exports (the asset register and its incidents,
the allocations, the socle overview and plan, the catalogue, kits, orders, ledger, installations,
new teachers): a list is a table of columns ``(header, value, width)``, or ``(header, value,
width, number_format)``, the same for both formats.

- **CSV** (:func:`tne.core.exports.csv_response`: UTF-8 with BOM, ``;``, decimal comma, no
  formula, no control character), streamed row by row; a date is written in ISO 8601,
  ``YYYY-MM-DD`` (a moment, as the local date), whatever the locale of who opens it.
- **XLSX** (openpyxl's write-only workbook, spooled to a temporary file): the header row bold and
  frozen, with a filter; a date is a real date cell shown ``DD/MM/YYYY``, an amount (a
  ``Decimal``) a number shown in euros unless its column says another format (the IPS).

Both read the items once, as an iterator: a national export of 1,000,000 devices never sits in
memory as objects."""

import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.http import FileResponse, Http404
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tne.core import exports

Column = tuple[str, Callable[[object], object], int] | tuple[str, Callable, int, str]
FORMATS = ("csv", "xlsx")
EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "DD/MM/YYYY"
DEFAULT_WIDTH = 16


def filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def as_date(value: object) -> object:
    """A moment becomes its local date (an export says the day, in France's time zone)."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def csv_value(value: object) -> object:
    """What the CSV writes of a value: a date in ISO 8601 (``2026-10-01``), the rest as the
    shared CSV writes it (:func:`tne.core.exports.csv_cell`)."""
    value = as_date(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _rows(items: Iterable, columns: list[Column]) -> Iterator[list[object]]:
    for item in items:
        yield [column[1](item) for column in columns]


def csv_response(items: Iterable, columns: list[Column], *, stem: str):
    headers = [column[0] for column in columns]
    rows = ([csv_value(value) for value in row] for row in _rows(items, columns))
    return exports.csv_response(headers, rows, filename=filename(stem, "csv"))


def _xlsx_cell(sheet, value: object, number_format: str | None):
    value = as_date(value)
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format or DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = number_format or EURO_FORMAT
        return cell
    value = exports.xlsx_cell(value)
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    return value


def xlsx_response(items: Iterable, columns: list[Column], *, stem: str, sheet: str):
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet[:31])  # a sheet's name holds 31 characters at most
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column[2] or DEFAULT_WIDTH
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column[0])
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    formats = [column[3] if len(column) > 3 else None for column in columns]
    count = 0
    for row in _rows(items, columns):
        ws.append(
            [
                _xlsx_cell(ws, value, number_format)
                for value, number_format in zip(row, formats, strict=True)
            ]
        )
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def response(items: Iterable, columns: list[Column], fmt: str, *, stem: str, sheet: str):
    """The export of ``items`` in ``fmt`` (``csv`` or ``xlsx``; 404 otherwise)."""
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    if fmt == "csv":
        return csv_response(items, columns, stem=stem)
    return xlsx_response(items, columns, stem=stem, sheet=sheet)


__all__ = ["DATE_FORMAT", "EURO_FORMAT", "FORMATS", "Column", "response"]
