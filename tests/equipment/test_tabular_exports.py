"""The equipment's one CSV/XLSX writer: dates in ISO 8601 in every CSV (a moment as its local
date), real date cells shown DD/MM/YYYY in the XLSX, amounts in euros but the IPS as a number,
the header bold and frozen with a filter; and the exports of the pages through it."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import Role, user_with_role
from tne.equipment import tabular_exports
from tne.equipment.enums import IncidentKind
from tne.equipment.models import Incident

from .asset_factories import at_school, school_in
from .signoff_factories import installed

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COLUMNS = [
    ("Nom", lambda r: r["name"], 20),
    ("Le", lambda r: r["day"], 12),
    ("À", lambda r: r["moment"], 12),
    ("Montant", lambda r: r["amount"], 12),
    ("IPS", lambda r: r["ips"], 8, "0.0"),
]
ROWS = [
    {
        "name": "=SOMME(A1)",
        "day": datetime.date(2026, 10, 1),
        # 23:30 UTC on 31 October is 1 November in Paris.
        "moment": datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC),
        "amount": Decimal("1234.50"),
        "ips": Decimal("85.2"),
    },
    {"name": "Sans date", "day": None, "moment": None, "amount": None, "ips": None},
]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_csv_writes_dates_in_iso_and_moments_as_their_local_date():
    rows = csv_rows(tabular_exports.response(ROWS, COLUMNS, "csv", stem="essai", sheet="Essai"))
    assert rows[0] == ["Nom", "Le", "À", "Montant", "IPS"]
    assert rows[1] == ["'=SOMME(A1)", "2026-10-01", "2026-11-01", "1234,50", "85,2"]
    assert rows[2] == ["Sans date", "", "", "", ""]


def test_the_xlsx_keeps_real_dates_amounts_in_euros_and_the_ips_as_a_number():
    response = tabular_exports.response(ROWS, COLUMNS, "xlsx", stem="essai", sheet="Essai")
    assert response["Content-Disposition"].startswith('attachment; filename="essai-')
    sheet = workbook(response).active
    assert sheet.title == "Essai" and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert all(cell.font.bold for cell in sheet[1])
    day, moment, amount, ips = sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"]
    assert day.value == datetime.datetime(2026, 10, 1) and day.number_format == "DD/MM/YYYY"
    assert moment.value == datetime.datetime(2026, 11, 1)
    assert amount.value == 1234.5 and "€" in amount.number_format
    assert ips.value == 85.2 and ips.number_format == "0.0"
    assert sheet["A2"].value == "'=SOMME(A1)"
    assert sheet.column_dimensions["A"].width == 20


def test_an_unknown_format_is_a_404():
    with pytest.raises(Http404):
        tabular_exports.response(ROWS, COLUMNS, "pdf", stem="essai", sheet="Essai")


# --- The pages' exports, through it --------------------------------------------------------


@pytest.fixture
def world(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    school = school_in(tree.laon, uai="0021001A")
    device = at_school(school, delivered_on=datetime.date(2026, 9, 14))
    Incident.objects.create(asset=device, kind=IncidentKind.BREAKDOWN, description="Panne")
    allocation = installed(school)
    return {
        "school": school,
        "allocation": allocation,
        "tech": user_with_role(Role.COORDINATOR, tree.aisne),
    }


@pytest.mark.parametrize(
    ("url_name", "args", "headers"),
    [
        ("equipment:asset_export", [], ["Livré le"]),
        ("equipment:incident_export", [], ["Signalé le"]),
        ("equipment:allocation_export", [], ["Commandée le", "Livrée le", "Installée le"]),
        ("equipment:signoff_export", [], ["Installée le"]),
    ],
)
def test_every_equipment_csv_writes_its_dates_in_iso(client, world, url_name, args, headers):
    client.force_login(world["tech"])
    response = client.get(reverse(url_name, args=[*args, "csv"]))
    assert response.status_code == 200
    header, *rows = csv_rows(response)
    assert rows
    for title in headers:
        column = header.index(title)
        values = [row[column] for row in rows if row[column]]
        assert values and all(ISO.match(value) for value in values), (title, values)
    xlsx = workbook(client.get(reverse(url_name, args=[*args, "xlsx"]))).active
    titles = [cell.value for cell in xlsx[1]]
    for title in headers:
        cell = xlsx.cell(row=2, column=titles.index(title) + 1)
        assert isinstance(cell.value, datetime.datetime) and cell.number_format == "DD/MM/YYYY"
