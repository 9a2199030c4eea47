"""CSV and XLSX exports of the school list: the same filters and the same scope as the page,
every row, French headers; the CSV opens in Excel (UTF-8 with BOM, « ; », decimal comma)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import Role, SchoolClassFactory, SchoolFactory, user_with_role
from tests.territory.factories_browse import build_world, people
from tne.territory.exports import HEADERS
from tne.territory.services import refresh_school_figures


@pytest.fixture
def world(tree):
    return build_world(tree)


def export(client, user, fmt, **params):
    client.force_login(user)
    response = client.get(reverse("territory:school_export", args=[fmt]), params)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def csv_rows(client, user, **params) -> list[list[str]]:
    response, body = export(client, user, "csv", **params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(client, user, **params) -> list[list[object]]:
    response, body = export(client, user, "xlsx", **params)
    assert response["Content-Disposition"].startswith('attachment; filename="etablissements-')
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_csv_export_holds_the_filtered_rows_of_the_scope(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    rows = csv_rows(client, coordinator, kind="ECOLES")

    assert rows[0] == HEADERS
    assert rows[0][:3] == ["UAI", "Nom", "Type"]
    by_uai = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    assert set(by_uai) == {
        world.laon_ecole.uai,
        world.laon_maternelle.uai,
        world.soissons_ecole.uai,
    }
    jean_mace = by_uai[world.laon_ecole.uai]
    assert jean_mace["Nom"] == "École Jean Macé"
    assert jean_mace["Type"] == "École élémentaire"
    assert jean_mace["Éducation prioritaire"] == "REP+"
    assert jean_mace["IPS"] == "78,5"
    assert jean_mace["Classes (année en cours)"] == "2"
    assert jean_mace["Commune"] == "Laon"
    assert jean_mace["Code département"] == "02"
    assert by_uai[world.laon_maternelle.uai]["IPS"] == ""


def test_the_xlsx_export_holds_the_same_rows_as_the_csv(client, world):
    national, _ = people(world)["national"]
    filters = {"network": "EP"}

    csv_uais = [row[0] for row in csv_rows(client, national, **filters)[1:]]
    rows = xlsx_rows(client, national, **filters)

    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == csv_uais
    assert set(csv_uais) == {world.laon_ecole.uai, world.laon_college.uai}
    college = next(row for row in rows if row[0] == world.laon_college.uai)
    assert college[HEADERS.index("IPS")] == 88.0
    assert college[HEADERS.index("Classes (année en cours)")] == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "role",
    ["IEN of the Laon circonscription", "local authority officer of Laon"],
)
def test_an_export_contains_exactly_the_scope_of_the_user(client, world, role, fmt):
    user, expected = people(world)[role]

    rows = csv_rows(client, user) if fmt == "csv" else xlsx_rows(client, user)

    assert {row[0] for row in rows[1:]} == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "role", ["parent", "teacher", "school head", "trainer of the Laon circonscription"]
)
def test_roles_without_the_export_permission_get_403_on_the_export(client, world, role, fmt):
    user, _ = people(world)[role]
    client.force_login(user)

    response = client.get(reverse("territory:school_export", args=[fmt]))

    assert response.status_code == 403


def test_an_export_without_the_ips_permission_has_no_ips_column(client, world):
    officer, expected = people(world)["local authority officer of Laon"]

    rows = csv_rows(client, officer)

    assert "IPS" not in rows[0]
    assert rows[0] == [h for h in HEADERS if h != "IPS"]
    assert {row[0] for row in rows[1:]} == expected


def test_the_export_has_the_circonscription_of_each_school(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    rows = csv_rows(client, coordinator)

    by_uai = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    assert by_uai[world.laon_ecole.uai]["Circonscription"] == "Laon"
    assert by_uai[world.laon_ecole.uai]["Code circonscription"] == "0201"
    assert by_uai[world.laon_college.uai]["Circonscription"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "params",
    [{"ips_min": "120", "ips_max": "80"}, {"ips_min": "abc"}, {"ips_max": "-5"}],
)
def test_an_export_with_invalid_filters_is_refused_with_the_errors(client, world, fmt, params):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    response = client.get(reverse("territory:school_export", args=[fmt]), params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Export impossible&nbsp;: des filtres sont invalides" in html
    assert 'id="filter-errors"' in html
    assert 'id="exports"' not in html  # No export button on a list with invalid filters.


def test_the_export_follows_the_sort_of_the_list(client, world):
    national, _ = people(world)["national"]

    rows = csv_rows(client, national, tri="-ips")

    ips = [row[HEADERS.index("IPS")] for row in rows[1:]]
    assert ips == ["112,3", "104,2", "95,0", "88,0", "78,5", ""]


def test_an_export_holds_every_row_not_only_the_first_page(client, world, settings):
    settings.TNE_PAGE_SIZE = 2
    national, uais = people(world)["national"]

    assert len(csv_rows(client, national)) == 1 + len(uais)


def test_a_formula_in_a_name_is_not_run_by_the_spreadsheet(client, world):
    national, _ = people(world)["national"]
    SchoolFactory(name="=HYPERLINK(1)", commune=world.tree.laon)

    rows = csv_rows(client, national, q="hyperlink")

    assert rows[1][1] == "'=HYPERLINK(1)"


def test_an_export_outside_the_scope_is_a_404(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    url = reverse("territory:school_export", args=["csv"])
    assert client.get(url, {"departement": "95"}).status_code == 404


def test_an_unknown_export_format_is_a_404(client, world):
    national, _ = people(world)["national"]
    client.force_login(national)

    assert client.get(reverse("territory:school_export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_makes_a_fixed_number_of_queries(
    client, tree, count, fmt, django_assert_max_num_queries
):
    for _ in range(count):
        SchoolClassFactory(school=SchoolFactory(commune=tree.laon))
    refresh_school_figures()
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    # 7: one more than before the circonscription filter (its select), whatever the count.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("territory:school_export", args=[fmt]))
        body = b"".join(response.streaming_content)

    assert body


def test_the_workbook_is_ready_to_read_widths_frozen_filtered_header(client, world):
    national, uais = people(world)["national"]
    _, body = export(client, national, "xlsx")

    sheet = load_workbook(io.BytesIO(body)).active

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:N{1 + len(uais)}"
    assert sheet["A1"].font.b and sheet["B1"].value == "Nom"
    assert sheet.column_dimensions["B"].width == 45
    ips = HEADERS.index("IPS") + 1
    assert all(sheet.cell(row, ips).number_format == "0.0" for row in range(2, 2 + len(uais)))


def test_a_school_outside_priority_education_says_so_in_the_export(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    rows = csv_rows(client, coordinator, q=world.soissons_ecole.uai)

    assert rows[1][HEADERS.index("Éducation prioritaire")] == "Hors éducation prioritaire"
