"""The API shows each role exactly its scope, like the pages; outside it, 404."""

import pytest

from tests.factories import Role, UserFactory

pytestmark = pytest.mark.django_db


def uais(response):
    assert response.status_code == 200, response.content
    return {item["uai"] for item in response.json()["items"]}


def test_a_coordinator_of_aisne_lists_the_schools_of_aisne(api_as, tree, schools):
    api = api_as(Role.COORDINATOR, tree.aisne)

    assert uais(api.get("/schools")) == {
        schools.laon_ecole.uai,
        schools.soissons_ecole.uai,
        schools.laon_college.uai,
    }


def test_an_ien_lists_the_schools_of_the_circonscription(api_as, tree, schools):
    api = api_as(Role.IEN_ERUN, tree.circ_laon)

    assert uais(api.get("/schools")) == {schools.laon_ecole.uai}


def test_a_school_head_lists_only_the_school(api_as, schools):
    api = api_as(Role.SCHOOL_HEAD, schools.soissons_ecole)

    assert uais(api.get("/schools")) == {schools.soissons_ecole.uai}


def test_a_local_authority_officer_lists_the_buildings_it_owns(api_as, tree, schools):
    api = api_as(Role.LOCAL_AUTHORITY, tree.laon)

    # The collège of Laon belongs to the département, not to the commune.
    assert uais(api.get("/schools")) == {schools.laon_ecole.uai}


def test_an_evaluator_lists_the_schools_but_no_staff(api_as, tree, schools):
    api = api_as(Role.EVALUATOR, tree.vdo)

    assert uais(api.get("/schools")) == {schools.cergy_ecole.uai, schools.pontoise_college.uai}
    staff = api.get(f"/schools/{schools.cergy_ecole.uai}/staff")
    assert staff.status_code == 200
    assert staff.json() == {"items": [], "next_cursor": None}


def test_national_steering_lists_every_school(api_as, tree, schools):
    api = api_as(Role.NATIONAL, tree.country)

    assert uais(api.get("/schools")) == {school.uai for school in schools.all()}


def test_a_user_without_role_lists_nothing(client, schools):
    client.force_login(UserFactory())

    assert uais(client.get("/api/v1/schools")) == set()


@pytest.mark.parametrize("suffix", ["", "/classes", "/staff"])
def test_an_aisne_user_gets_404_on_a_val_d_oise_school(api_as, tree, schools, suffix):
    api = api_as(Role.COORDINATOR, tree.aisne)

    response = api.get(f"/schools/{schools.cergy_ecole.uai}{suffix}")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("Introuvable")


@pytest.mark.parametrize("suffix", ["", "/classes", "/staff"])
def test_an_aisne_user_reads_an_aisne_school(api_as, tree, schools, suffix):
    api = api_as(Role.COORDINATOR, tree.aisne)

    response = api.get(f"/schools/{schools.laon_ecole.uai}{suffix}")

    assert response.status_code == 200


def test_the_classes_list_is_scoped(api_as, tree, schools):
    api = api_as(Role.COORDINATOR, tree.vdo)

    data = api.get("/classes").json()

    assert {item["school_uai"] for item in data["items"]} == {
        schools.cergy_ecole.uai,
        schools.pontoise_college.uai,
    }


def test_a_class_filter_on_an_outside_school_gives_nothing(api_as, tree, schools):
    api = api_as(Role.COORDINATOR, tree.vdo)

    data = api.get("/classes", school=schools.laon_ecole.uai).json()

    assert data["items"] == []


def test_the_territory_nodes_are_scoped(api_as, tree, schools):
    api = api_as(Role.COORDINATOR, tree.aisne)

    data = api.get("/territory/nodes").json()

    assert {(n["kind"]["code"], n["code"]) for n in data["items"]} == {
        ("DEPARTEMENT", "02"),
        ("COMMUNE", "02408"),
        ("COMMUNE", "02722"),
        ("CIRCONSCRIPTION", "0201"),
    }
    assert api.get("/territory/nodes/COMMUNE/02408").status_code == 200
    assert api.get("/territory/nodes/COMMUNE/95127").status_code == 404
    assert api.get("/territory/nodes/DEPARTEMENT/95").status_code == 404


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        (Role.TEACHER, "school:laon_ecole", {"laon_ecole"}),
        (Role.TECHNICIAN, "vdo", {"cergy_ecole", "pontoise_college"}),
        (Role.TRAINER, "circ_cergy", {"cergy_ecole"}),
        (
            Role.EVALUATOR,
            "country",
            {"laon_ecole", "soissons_ecole", "laon_college", "cergy_ecole", "pontoise_college"},
        ),
    ],
)
def test_the_other_roles_list_exactly_their_scope(api_as, tree, schools, role, target, expected):
    if target.startswith("school:"):
        on = getattr(schools, target.removeprefix("school:"))
    else:
        on = getattr(tree, target)
    api = api_as(role, on)

    assert uais(api.get("/schools")) == {getattr(schools, name).uai for name in expected}


@pytest.mark.parametrize("role", [Role.TEACHER])
def test_school_roles_get_404_on_another_school_of_the_same_commune(api_as, tree, schools, role):
    api = api_as(role, schools.laon_ecole)

    assert api.get(f"/schools/{schools.laon_college.uai}").status_code == 404


def test_a_parent_gets_403_everywhere_but_their_family_route(api_as, tree, schools):
    """Loans (M6): an account whose only role is « Parent » reads « Mon prêt » only
    (``tne.loans.family_access``), its own school's record included."""
    api = api_as(Role.PARENT, schools.soissons_ecole)

    assert api.get("/schools").status_code == 403
    assert api.get(f"/schools/{schools.soissons_ecole.uai}").status_code == 403
    assert api.get(f"/schools/{schools.laon_college.uai}").status_code == 403
    assert api.get("/loans/family").status_code == 200
