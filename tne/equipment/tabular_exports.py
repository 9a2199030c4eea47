"""CSV and XLSX of the equipment lists of the catalogue, orders and ledger: one column list
``(header, value, width)`` per list, the same for both formats (amounts as numbers)."""

import tempfile
from collections.abc import Callable, Iterable

from django.http import FileResponse, Http404
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tne.core import exports

Column = tuple[str, Callable[[object], object], int]
FORMATS = ("csv", "xlsx")
EURO_FORMAT = '#,##0.00\\ "€"'


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def response(items: Iterable, columns: list[Column], fmt: str, *, stem: str, sheet: str):
    """The export of ``items`` in ``fmt`` (``csv`` or ``xlsx``; 404 otherwise)."""
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    rows = ([value(item) for _, value, _ in columns] for item in items)
    headers = [header for header, _, _ in columns]
    if fmt == "csv":
        return exports.csv_response(headers, rows, filename=_filename(stem, "csv"))
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet)
    for index, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    header = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for value in row:
            if hasattr(value, "as_tuple"):
                cell = WriteOnlyCell(ws, value=float(value))
                cell.number_format = EURO_FORMAT
                cells.append(cell)
            else:
                cells.append(exports.xlsx_cell(value))
        ws.append(cells)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
