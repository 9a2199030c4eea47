"""CSV and XLSX exports of the targets and envelopes a user reads, with French headers and the
same wording as the page (amounts as numbers, euros to the cent)."""

import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tne.core import exports

from .models import Envelope, Target

Column = tuple[str, Callable[[object], object], int]

TARGET_COLUMNS: list[Column] = [
    ("Mesure", lambda t: t.measure.code, 8),
    ("Intitulé de la mesure", lambda t: t.measure.title, 36),
    ("Type de territoire", lambda t: t.node.get_kind_display(), 16),
    ("Code du territoire", lambda t: t.node.code, 12),
    ("Territoire", lambda t: t.node.name, 24),
    ("Période", lambda t: t.period.label, 24),
    ("Objectif", lambda t: t.count, 10),
    ("Unité", lambda t: t.unit_label, 12),
    ("Note", lambda t: t.note, 40),
]
ENVELOPE_COLUMNS: list[Column] = [
    ("Mesure", lambda e: e.measure.code, 8),
    ("Intitulé de la mesure", lambda e: e.measure.title, 36),
    ("Type de territoire", lambda e: e.node.get_kind_display(), 16),
    ("Code du territoire", lambda e: e.node.code, 12),
    ("Territoire", lambda e: e.node.name, 24),
    ("Période", lambda e: e.period.label if e.period_id else "", 24),
    ("Montant (€)", lambda e: e.amount, 16),
    ("Part de l'enveloppe de", lambda e: e.parent.node.name if e.parent_id else "", 24),
    ("Note", lambda e: e.note, 40),
]
EURO_FORMAT = '#,##0.00\\ "€"'


def _rows(items: Iterable, columns: list[Column]) -> Iterator[list[object]]:
    for item in items:
        yield [value(item) for _, value, _ in columns]


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv(items, columns, stem) -> StreamingHttpResponse:
    headers = [header for header, _, _ in columns]
    return exports.csv_response(headers, _rows(items, columns), filename=_filename(stem, "csv"))


def _xlsx(items, columns, stem, sheet_name) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for index, (_, _, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title, _, _ in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _rows(items, columns):
        cells = []
        for value in row:
            if hasattr(value, "as_tuple"):  # Decimal: a number the spreadsheet sums, in euros.
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = EURO_FORMAT
                cells.append(cell)
            elif isinstance(value, str) and value.startswith(exports.FORMULA_PREFIXES):
                cells.append("'" + value)
            else:
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
        filename=_filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def targets_response(targets: Iterable[Target], fmt: str):
    if fmt == "csv":
        return _csv(targets, TARGET_COLUMNS, "objectifs")
    return _xlsx(targets, TARGET_COLUMNS, "objectifs", "Objectifs")


def envelopes_response(envelopes: Iterable[Envelope], fmt: str):
    if fmt == "csv":
        return _csv(envelopes, ENVELOPE_COLUMNS, "enveloppes")
    return _xlsx(envelopes, ENVELOPE_COLUMNS, "enveloppes", "Enveloppes")


FORMATS = ("csv", "xlsx")
