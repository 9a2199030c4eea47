"""What the school, class, staff and node endpoints return, and their filters."""

import pytest

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolYearFactory,
    current_school_year_label,
)
from tne.territory.enums import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(api_as, tree):
    return api_as(Role.NATIONAL, tree.country)


def test_a_school_row_carries_its_identity_place_and_owner(national, schools):
    school = schools.laon_college
    school.latitude, school.longitude = 49.56, 3.62
    school.save(update_fields=["latitude", "longitude"])

    item = national.get("/schools", q=school.uai).json()["items"][0]

    assert item == {
        "uai": school.uai,
        "name": "Collège Les Frères Le Nain",
        "kind": {"code": "COLLEGE", "label": "Collège"},
        "sector": {"code": "PUBLIC", "label": "Public"},
        "network": {"code": "REP", "label": "REP"},
        "ips": 88.0,
        "commune": {"kind": "COMMUNE", "code": "02408", "name": "Laon"},
        "departement": {"kind": "DEPARTEMENT", "code": "02", "name": "Aisne"},
        "owner": {"kind": "DEPARTEMENT", "code": "02", "name": "Aisne"},
        "latitude": 49.56,
        "longitude": 3.62,
    }


def test_the_school_page_adds_the_territory_links(national, tree, schools):
    data = national.get(f"/schools/{schools.laon_ecole.uai.lower()}").json()

    assert data["uai"] == schools.laon_ecole.uai
    assert data["circonscription"] == {"kind": "CIRCONSCRIPTION", "code": "0201", "name": "Laon"}
    assert data["academie"]["name"] == "Amiens"
    assert data["region"]["code"] == "32"
    assert data["network"] == {"code": "REP_PLUS", "label": "REP+"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"departement": "95"}, {"cergy_ecole", "pontoise_college"}),
        ({"commune": "02408"}, {"laon_ecole", "laon_college"}),
        ({"kind": "COLLEGE"}, {"laon_college", "pontoise_college"}),
        ({"sector": "PRIVATE"}, {"soissons_ecole"}),
        ({"network": "REP_PLUS"}, {"laon_ecole"}),
        ({"network": "REP"}, {"laon_college"}),
        ({"ips_min": 80, "ips_max": 100}, {"laon_college", "cergy_ecole", "pontoise_college"}),
        ({"q": "pissarro"}, {"pontoise_college"}),
        ({"departement": "02", "kind": "ELEMENTAIRE"}, {"laon_ecole", "soissons_ecole"}),
        ({"departement": "99"}, set()),
        ({"commune": "99999"}, set()),
    ],
)
def test_the_school_filters(national, schools, params, expected):
    items = national.get("/schools", **params).json()["items"]

    assert {item["uai"] for item in items} == {getattr(schools, name).uai for name in expected}


def test_the_school_search_matches_an_exact_uai(national, schools):
    items = national.get("/schools", q=schools.cergy_ecole.uai.lower()).json()["items"]

    assert [item["uai"] for item in items] == [schools.cergy_ecole.uai]


def test_an_unknown_filter_value_is_a_422(national, schools):
    assert national.get("/schools", kind="UNIVERSITE").status_code == 422


def test_the_classes_of_a_school_filter_by_year_and_stage(national, schools):
    school = schools.laon_ecole
    old_year = SchoolYearFactory(
        label="2024-2025",
        starts_on="2024-09-02",
        ends_on="2025-07-05",
    )
    SchoolClassFactory(school=school, year=old_year, name="CP ancien", levels=["CP"])
    SchoolClassFactory(school=school, name="PS A", levels=["PS"], stage=Stage.PRE_ELEMENTARY)

    this_year = current_school_year_label()
    current = national.get(f"/schools/{school.uai}/classes", year=this_year).json()["items"]
    maternelle = national.get(f"/schools/{school.uai}/classes", stage="PRE_ELEMENTARY").json()

    assert len(current) == 2
    assert {item["year"] for item in current} == {this_year}
    assert [item["name"] for item in maternelle["items"]] == ["PS A"]
    assert maternelle["items"][0]["stage"] == {"code": "PRE_ELEMENTARY", "label": "Préélémentaire"}


def test_the_classes_list_filters_by_school(national, schools):
    items = national.get("/classes", school=schools.pontoise_college.uai).json()["items"]

    assert [item["school_uai"] for item in items] == [schools.pontoise_college.uai]


def test_the_staff_of_a_school(api_as, schools):
    head = api_as(Role.SCHOOL_HEAD, schools.laon_ecole)
    member = schools.laon_ecole.staff.get()

    items = head.get(f"/schools/{schools.laon_ecole.uai}/staff").json()["items"]

    assert items == [
        {
            "id": member.pk,
            "school_uai": schools.laon_ecole.uai,
            "role": {"code": "TEACHER", "label": "Enseignant"},
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": "",
            "is_new_teacher": False,
            "is_synthetic": False,
        }
    ]


def test_the_nodes_filter_by_kind_and_parent(national, tree):
    data = national.get("/territory/nodes", kind="COMMUNE", parent="95").json()

    assert [(n["code"], n["parent"]["code"]) for n in data["items"]] == [
        ("95127", "95"),
        ("95500", "95"),
    ]


def test_a_node_is_read_by_kind_and_code(national, tree):
    data = national.get("/territory/nodes/DEPARTEMENT/02").json()

    assert data["name"] == "Aisne"
    assert data["is_pilot"] is True
    assert data["parent"] == {"kind": "ACADEMIE", "code": "20", "name": "Amiens"}


def test_the_api_search_is_the_search_of_the_pages(api_as, tree, schools):
    api = api_as(Role.NATIONAL, tree.country)

    # « École Jean Macé » found without its accents, as in the school list.
    items = api.get("/schools", q="ecole jean mace").json()["items"]

    assert [item["uai"] for item in items] == [schools.laon_ecole.uai]
