"""Exports of a school list, row by row so that memory does not grow with the list: CSV
(``tne.core.exports``) and XLSX (openpyxl in write-only mode)."""

import tempfile
from collections.abc import Callable, Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tne.core import exports

from .models import School

CHUNK_SIZE = 2000


# (French header, value of a row, width of the spreadsheet column in characters); the same
# columns in both formats, and the same wording as the pages.
COLUMNS: list[tuple[str, Callable[[School], object], int]] = [
    ("UAI", lambda s: s.uai, 10),
    ("Nom", lambda s: s.name, 45),
    ("Type", lambda s: s.get_kind_display(), 24),
    ("Secteur", lambda s: s.get_sector_display(), 20),
    ("Éducation prioritaire", lambda s: s.get_education_network_display(), 26),
    ("IPS", lambda s: s.readable_ips, 8),
    ("Classes (année en cours)", lambda s: s.class_count, 12),
    ("Commune", lambda s: s.commune.name, 28),
    ("Code commune", lambda s: s.commune.code, 10),
    ("Département", lambda s: s.departement.name, 18),
    ("Code département", lambda s: s.departement.code, 12),
    ("Circonscription", lambda s: s.circonscription.name if s.circonscription else "", 28),
    ("Code circonscription", lambda s: s.circonscription.code if s.circonscription else "", 12),
    ("Nom à corriger", lambda s: "oui" if s.name_needs_review else "", 10),
]
HEADERS = [header for header, _, _ in COLUMNS]


def columns(*, with_ips: bool) -> list[tuple[str, Callable[[School], object], int]]:
    """The columns of an export: without IPS for a user who may not read it."""
    return [column for column in COLUMNS if with_ips or column[0] != "IPS"]


def _rows(schools: QuerySet[School], cols) -> Iterator[list[object]]:
    for school in schools.iterator(chunk_size=CHUNK_SIZE):
        yield [value(school) for _, value, _ in cols]


def _filename(extension: str) -> str:
    return f"etablissements-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(schools: QuerySet[School], *, with_ips: bool = True) -> StreamingHttpResponse:
    cols = columns(with_ips=with_ips)
    return exports.csv_response(
        [header for header, _, _ in cols], _rows(schools, cols), filename=_filename("csv")
    )


def _xlsx_cell(sheet, value: object, number_format: str | None = None) -> object:
    value = exports.xlsx_cell(value)
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def xlsx_response(schools: QuerySet[School], *, with_ips: bool = True) -> FileResponse:
    """The workbook is written row by row to a temporary file (in memory while it is small),
    then sent by chunks."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Établissements")
    # Set before the first row, as write-only sheets require: readable widths, the header row
    # frozen and filterable, IPS with its decimal (75,0 stays 75,0).
    cols = columns(with_ips=with_ips)
    ips_column = next((i for i, (header, _, _) in enumerate(cols) if header == "IPS"), None)
    for index, (_, _, width) in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title, _, _ in cols:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _rows(schools, cols):
        sheet.append(
            [
                _xlsx_cell(sheet, value, "0.0" if i == ips_column else None)
                for i, value in enumerate(row)
            ]
        )
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{count + 1}"
    # Not a context manager: FileResponse closes the file once it is sent.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


EXPORTERS = {"csv": csv_response, "xlsx": xlsx_response}
