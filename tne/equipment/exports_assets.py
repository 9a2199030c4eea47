"""CSV and XLSX exports of the asset register, as filtered on the list, and of its incidents:
streamed row by row from the database (a national export of 1,000,000 devices never sits in
memory as objects)."""

import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tne.core import exports

from .models import Incident

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


# The incidents as their list shows them, with their description (no person's name).
INCIDENT_COLUMNS = [
    ("Signalé le", lambda i: timezone.localdate(i.reported_at), 12),
    ("Nature", lambda i: i.get_kind_display(), 12),
    ("Suivi", lambda i: i.get_status_display(), 14),
    ("Numéro d'inventaire", lambda i: i.asset.asset_tag, 16),
    ("Numéro de série", lambda i: i.asset.serial_number, 20),
    ("Modèle", lambda i: i.asset.model.name, 30),
    ("UAI", lambda i: i.asset.school.uai if i.asset.school_id else "", 10),
    ("École", lambda i: i.asset.school.name if i.asset.school_id else "Stock", 30),
    ("Description", lambda i: i.description, 40),
    ("Remplacé par", lambda i: i.replacement.asset_tag if i.replacement_id else "", 16),
    ("Clos le", lambda i: timezone.localdate(i.resolved_at) if i.resolved_at else "", 12),
]


def _rows(items: Iterable, columns=COLUMNS) -> Iterator[list[object]]:
    for item in items:
        yield [value(item) for _, value, _ in columns]


def _filename(extension: str, stem: str = "materiels") -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def assets_response(rows, fmt: str):
    """``rows``: a QuerySet ordered and with its relations selected."""
    iterator = rows.iterator(chunk_size=CHUNK)
    headers = [title for title, _, _ in COLUMNS]
    if fmt == "csv":
        return exports.csv_response(headers, _rows(iterator), filename=_filename("csv"))
    return _xlsx(headers, iterator)


def incidents_response(rows: "Iterable[Incident]", fmt: str):
    """``rows``: a QuerySet of incidents ordered, with their devices selected."""
    iterator = rows.iterator(chunk_size=CHUNK)
    headers = [title for title, _, _ in INCIDENT_COLUMNS]
    if fmt == "csv":
        return exports.csv_response(
            headers, _rows(iterator, INCIDENT_COLUMNS), filename=_filename("csv", "incidents")
        )
    return _xlsx(headers, iterator, columns=INCIDENT_COLUMNS, title="Incidents", stem="incidents")


def _xlsx(headers, items, *, columns=COLUMNS, title="Matériels", stem="materiels") -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, (_, _, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _rows(items, columns):
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
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx", stem),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
