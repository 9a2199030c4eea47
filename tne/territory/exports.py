"""Exports of a school list, row by row so that memory does not grow with the list: CSV
(``tne.core.exports``) and XLSX (openpyxl in write-only mode)."""

import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from tne.core import exports

from .models import School

CHUNK_SIZE = 2000


def _network(school: School) -> str:
    return school.get_education_network_display() if school.education_network else ""


# (French header, value of a row); the same columns in both formats.
COLUMNS: list[tuple[str, Callable[[School], object]]] = [
    ("UAI", lambda s: s.uai),
    ("Nom", lambda s: s.name),
    ("Type", lambda s: s.get_kind_display()),
    ("Secteur", lambda s: s.get_sector_display()),
    ("Éducation prioritaire", _network),
    ("IPS", lambda s: s.ips),
    ("Classes (année en cours)", lambda s: s.class_count),
    ("Commune", lambda s: s.commune.name),
    ("Code commune", lambda s: s.commune.code),
    ("Département", lambda s: s.departement.name),
    ("Code département", lambda s: s.departement.code),
]
HEADERS = [header for header, _ in COLUMNS]


def _rows(schools: QuerySet[School]) -> Iterator[list[object]]:
    for school in schools.iterator(chunk_size=CHUNK_SIZE):
        yield [value(school) for _, value in COLUMNS]


def _filename(extension: str) -> str:
    return f"etablissements-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(schools: QuerySet[School]) -> StreamingHttpResponse:
    return exports.csv_response(HEADERS, _rows(schools), filename=_filename("csv"))


def _xlsx_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith(exports.FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_response(schools: QuerySet[School]) -> FileResponse:
    """The workbook is written row by row to a temporary file (in memory while it is small),
    then sent by chunks."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Établissements")
    sheet.append(HEADERS)
    for row in _rows(schools):
        sheet.append([_xlsx_cell(value) for value in row])
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
