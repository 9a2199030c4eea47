"""The school-list exports never fail on a control character already stored (before the importers
refused them): the character is dropped from the cell, the formula protection still holds."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import Role, SchoolFactory, user_with_role
from tne.core.exports import clean_text, csv_cell, xlsx_cell

pytestmark = pytest.mark.django_db


def stored_controls() -> str:
    # PostgreSQL cannot store NUL in a text column at all; SQLite can (the case found in review).
    return "\x1b" if connection.vendor == "postgresql" else "\x00\x1b"


def download(client, fmt) -> bytes:
    response = client.get(reverse("territory:school_export", args=[fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", [Role.NATIONAL, Role.COORDINATOR])
def test_exports_answer_and_open_with_a_stored_control_character_removed(client, tree, role):
    controls = stored_controls()
    school = SchoolFactory(commune=tree.laon, name=f"École{controls} Jean Macé")
    SchoolFactory(commune=tree.laon, name=f"{controls}=HYPERLINK(1)")
    client.force_login(user_with_role(role, tree.country if role == Role.NATIONAL else tree.aisne))

    sheet = load_workbook(io.BytesIO(download(client, "xlsx")), read_only=True).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    rows = csv.reader(io.StringIO(download(client, "csv").decode("utf-8-sig")), delimiter=";")
    csv_names = {row[1] for row in list(rows)[1:]}

    assert names == csv_names == {"École Jean Macé", "'=HYPERLINK(1)"}
    school.refresh_from_db()
    assert controls in school.name  # The export cleans what it writes, not what is stored.


@pytest.mark.parametrize("clean", [clean_text, csv_cell, xlsx_cell])
def test_every_cell_helper_drops_illegal_characters_and_keeps_tabs_and_line_breaks(clean):
    assert clean("a\x00b\x08c\x0bd\x1be\x7ff") == "abcdef"
    assert clean("ligne 1\nligne 2") == "ligne 1\nligne 2"
    assert clean("\t=1") == "'\t=1"
    assert clean("\x00@SUM(A1)") == "'@SUM(A1)"
