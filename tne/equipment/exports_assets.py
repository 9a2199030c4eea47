"""CSV and XLSX exports of the asset register, as filtered on the list: streamed row by row
from the database (a national export of 1,000,000 devices never sits in memory as objects)."""

import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tne.core import exports

from .models import Asset

FORMATS = ("csv", "xlsx")
CHUNK = 2000

COLUMNS = [
    ("Numéro d'inventaire", lambda a: a.asset_tag, 16),
    ("Numéro de série", lambda a: a.serial_number, 20),
    ("Catégorie", lambda a: a.model.category.name, 20),
    ("Fabricant", lambda a: a.model.maker, 16),
    ("Modèle", lambda a: a.model.name, 30),
    ("Référence", lambda a: a.model.reference, 16),
    ("État", lambda a: a.get_state_display(), 14),
    ("UAI", lambda a: a.school.uai if a.school_id else "", 10),
    ("École", lambda a: a.school.name if a.school_id else "", 30),
    ("Classe", lambda a: a.school_class.name if a.school_class_id else "", 16),
    ("Stock", lambda a: a.stock_node.name if a.stock_node_id and not a.school_id else "", 16),
    ("Commande", lambda a: a.order_line.order.number if a.order_line_id else "", 16),
    ("Livré le", lambda a: a.delivered_on, 12),
    ("Fin de garantie", lambda a: a.warranty_ends_on, 14),
    ("Origine", lambda a: a.get_source_display(), 18),
]


def _rows(assets: Iterable[Asset]) -> Iterator[list[object]]:
    for asset in assets:
        yield [value(asset) for _, value, _ in COLUMNS]


def _filename(extension: str) -> str:
    return f"materiels-{timezone.localdate():%Y-%m-%d}.{extension}"


def assets_response(rows, fmt: str):
    """``rows``: a QuerySet ordered and with its relations selected."""
    iterator = rows.iterator(chunk_size=CHUNK)
    headers = [title for title, _, _ in COLUMNS]
    if fmt == "csv":
        return exports.csv_response(headers, _rows(iterator), filename=_filename("csv"))
    return _xlsx(headers, iterator)


def _xlsx(headers, assets) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Matériels")
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _rows(assets):
        cells = []
        for value in row:
            value = exports.xlsx_cell(value)
            if hasattr(value, "isoformat"):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                value = cell
            cells.append(value)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
