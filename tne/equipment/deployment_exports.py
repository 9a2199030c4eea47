"""CSV and XLSX exports of the allocations a user reads, with French headers and the wording of
the pages."""

import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tne.core import exports

from .models import Allocation

FORMATS = ("csv", "xlsx")
Column = tuple[str, Callable[[Allocation], object]]

ALLOCATION_COLUMNS: list[Column] = [
    ("Campagne", lambda a: a.campaign.name),
    ("Mesure", lambda a: a.measure.code),
    ("Kit", lambda a: a.kit.name),
    ("UAI", lambda a: a.school.uai),
    ("École", lambda a: a.school.name),
    ("Commune", lambda a: a.school.commune.name),
    ("Classe", lambda a: a.school_class.name if a.school_class_id else ""),
    ("Étape", lambda a: a.get_status_display()),
    ("Commande", lambda a: a.order.number if a.order_id else ""),
    ("Commandée le", lambda a: a.ordered_on),
    ("Livrée le", lambda a: a.delivered_on),
    ("Installée le", lambda a: a.installed_on),
    ("En service le", lambda a: a.in_service_on),
]


def _rows(items: Iterable[Allocation]) -> Iterator[list[object]]:
    for item in items:
        yield [value(item) for _, value in ALLOCATION_COLUMNS]


def allocations_response(rows, fmt: str, *, stem: str = "affectations"):
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}"
    headers = [header for header, _ in ALLOCATION_COLUMNS]
    items = rows.iterator(chunk_size=2000)
    if fmt == "csv":
        return exports.csv_response(headers, _rows(items), filename=f"{filename}.csv")
    return _xlsx(headers, _rows(items), f"{filename}.xlsx")


def _xlsx(headers, rows, filename) -> FileResponse | StreamingHttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Affectations")
    sheet.freeze_panes = "A2"
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([exports.xlsx_cell(value) for value in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
