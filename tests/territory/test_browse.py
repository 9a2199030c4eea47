"""The territory browser: départements → communes → schools, per role, with its filters, its
search, its htmx fragment and fixed query budgets."""

import re

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolClassFactory, SchoolFactory, node, user_with_role
from tests.territory.factories_browse import build_world, people
from tne.core.text import search_text
from tne.territory.enums import NodeKind
from tne.territory.services import refresh_school_figures

LIST_URL = reverse("territory:school_list")


@pytest.fixture
def world(tree):
    return build_world(tree)


def listed_uais(response) -> set[str]:
    assert response.status_code == 200
    return {school.uai for school in response.context["page_obj"].object_list}


def uais_in_html(response) -> set[str]:
    """The UAIs of the rows of an htmx fragment (no template context for a partial)."""
    return set(re.findall(r'<tr id="uai-([0-9A-Z]{8})"', response.content.decode()))


def get_list(client, user, **params):
    client.force_login(user)
    return client.get(LIST_URL, params)


@pytest.mark.parametrize(
    "role",
    [
        "national",
        "coordinator of Aisne",
        "IEN of the Laon circonscription",
        "local authority officer of Laon",
        "evaluator of Val-d'Oise",
        "technician of Val-d'Oise",
        "trainer of the Laon circonscription",
    ],
)
def test_the_school_list_shows_exactly_the_scope_of_each_role(client, world, role):
    user, expected = people(world)[role]

    response = get_list(client, user)

    assert listed_uais(response) == expected
    assert response.context["page_obj"].paginator.count == len(expected)
    for uai in expected:
        detail = reverse("territory:school_detail", args=[uai])
        assert f'href="{detail}"' in response.content.decode()


def test_the_local_authority_of_a_commune_does_not_see_the_college_of_its_commune(client, world):
    user, _ = people(world)["local authority officer of Laon"]

    uais = listed_uais(get_list(client, user))

    assert world.laon_college.uai not in uais


@pytest.mark.parametrize("role", ["school head", "parent", "teacher"])
def test_roles_of_one_school_do_not_browse_the_school_list(client, world, role):
    user, _ = people(world)[role]

    assert get_list(client, user).status_code == 403


def test_a_user_without_role_may_not_browse_the_school_list(client, world):
    from tests.factories import UserFactory

    assert get_list(client, UserFactory()).status_code == 403


@pytest.fixture
def national(world):
    return people(world)["national"][0]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "ECOLES"}, {"laon_ecole", "laon_maternelle", "soissons_ecole", "cergy_ecole"}),
        ({"kind": "MATERNELLE"}, {"laon_maternelle"}),
        ({"kind": "COLLEGE"}, {"laon_college"}),
        ({"kind": "LYCEES"}, {"cergy_lycee"}),
        ({"sector": "PRIVATE"}, {"soissons_ecole"}),
        ({"network": "REP_PLUS"}, {"laon_ecole"}),
        ({"network": "REP"}, {"laon_college"}),
        ({"network": "EP"}, {"laon_ecole", "laon_college"}),
        (
            {"network": "NONE"},
            {"laon_maternelle", "soissons_ecole", "cergy_ecole", "cergy_lycee"},
        ),
        ({"ips_min": "90", "ips_max": "105"}, {"cergy_ecole", "cergy_lycee"}),
        ({"ips_min": "100"}, {"soissons_ecole", "cergy_lycee"}),
        ({"departement": "95"}, {"cergy_ecole", "cergy_lycee"}),
        ({"departement": "02", "commune": "02722"}, {"soissons_ecole"}),
        ({"departement": "02", "kind": "ECOLES", "ips_max": "80"}, {"laon_ecole"}),
        ({"q": "crépin"}, {"soissons_ecole"}),
        ({"q": "jean macé"}, {"laon_ecole"}),
    ],
)
def test_the_filters_narrow_the_list(client, world, national, params, expected):
    uais = listed_uais(get_list(client, national, **params))

    assert uais == {getattr(world, name).uai for name in expected}


def test_a_uai_typed_exactly_finds_that_school_alone(client, world, national):
    uai = world.cergy_lycee.uai

    response = get_list(client, national, q=f" {uai.lower()} ")

    assert listed_uais(response) == {uai}
    assert f'id="uai-{uai}"' in response.content.decode()


def test_a_search_with_accents_finds_the_names_open_data_writes_without(client, world, national):
    school = SchoolFactory(name="ECOLE PRIMAIRE JEAN JAURES", commune=world.tree.laon)

    assert listed_uais(get_list(client, national, q="école primaire jean jaurès")) == {school.uai}


def test_the_beginning_of_a_uai_finds_the_schools_it_starts(client, world, national):
    uais = listed_uais(get_list(client, national, q="095"))

    assert uais == {world.cergy_ecole.uai, world.cergy_lycee.uai}


def test_the_search_stays_inside_the_scope(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    assert listed_uais(get_list(client, coordinator, q=world.cergy_lycee.uai)) == set()


def test_an_ips_range_upside_down_shows_an_error_and_filters_nothing(client, world, national):
    response = get_list(client, national, ips_min="110", ips_max="90")

    assert "L&#x27;IPS maximum doit être supérieur" in response.content.decode()
    assert listed_uais(response) == {school.uai for school in world.all_schools}


def test_the_school_list_is_sorted_by_name_in_french_order(client, world, national):
    names = [s.name for s in get_list(client, national).context["page_obj"].object_list]

    assert names == sorted(names, key=search_text)


def test_the_list_shows_the_classes_of_the_current_year(client, world, national):
    response = get_list(client, national, q=world.laon_ecole.uai)

    (school,) = response.context["page_obj"].object_list
    assert school.class_count == 2


def test_the_list_is_paginated(client, world, national, settings):
    settings.TNE_PAGE_SIZE = 4

    first = get_list(client, national)
    second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["page_obj"].object_list) == 4
    assert len(second.context["page_obj"].object_list) == 2
    assert listed_uais(first) | listed_uais(second) == {s.uai for s in world.all_schools}
    assert 'aria-label="Pagination"' in first.content.decode()


def test_an_aisne_coordinator_gets_404_when_filtering_on_a_val_d_oise_territory(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    assert client.get(LIST_URL, {"departement": "95"}).status_code == 404
    assert client.get(LIST_URL, {"commune": "95127"}).status_code == 404


def test_a_commune_of_another_visible_departement_is_dropped_when_the_departement_changes(
    client, world, national
):
    uais = listed_uais(get_list(client, national, departement="95", commune="02408"))

    assert uais == {world.cergy_ecole.uai, world.cergy_lycee.uai}


def test_htmx_filtering_returns_the_form_and_the_results_without_the_page(client, world, national):
    client.force_login(national)

    response = client.get(
        LIST_URL,
        {"departement": "02", "kind": "ECOLES"},
        headers={"HX-Request": "true", "HX-Target": "school-browser", "HX-Trigger-Name": "q"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="school-table"' in html
    assert uais_in_html(response) == {
        world.laon_ecole.uai,
        world.laon_maternelle.uai,
        world.soissons_ecole.uai,
    }
    # The form comes with the results, saying which filters the list follows: the communes
    # of the chosen département are offered, the type chosen is selected.
    assert 'id="school-filters"' in html
    assert '<option value="02722">Soissons</option>' in html
    assert '<option value="ECOLES" selected>' in html


def test_the_list_page_offers_the_exports_of_the_filtered_list(client, world, national):
    html = get_list(client, national, kind="COLLEGE", page="1").content.decode()

    assert f'href="{reverse("territory:school_export", args=["csv"])}?kind=COLLEGE"' in html
    assert f'href="{reverse("territory:school_export", args=["xlsx"])}?kind=COLLEGE"' in html


def _add_schools(tree, count):
    for _ in range(count):
        school = SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon)
        SchoolClassFactory(school=school)
    refresh_school_figures()


@pytest.mark.parametrize("count", [5, 50])
def test_the_school_list_makes_a_fixed_number_of_queries(
    client, tree, count, django_assert_max_num_queries, settings
):
    settings.TNE_PAGE_SIZE = 100
    _add_schools(tree, count)
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)

    # 8: one more than before the circonscription filter (its select), whatever the count.
    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL, {"departement": "02", "kind": "ECOLES"})

    assert len(response.context["page_obj"].object_list) == count
    assert all(school.class_count == 1 for school in response.context["page_obj"].object_list)


# --- Territory index and département page -------------------------------------------------------


def test_the_territory_page_lists_the_visible_departements_with_their_school_counts(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    response = client.get(reverse("territory:index"))

    assert [(d.code, d.school_count) for d in response.context["departements"]] == [("02", 4)]
    assert response.context["school_count"] == 4


def test_the_territory_page_of_a_national_user_lists_both_departements(client, world, national):
    client.force_login(national)

    response = client.get(reverse("territory:index"))

    counts = [(d.code, d.school_count) for d in response.context["departements"]]
    assert counts == [("02", 4), ("95", 2)]


def test_the_territory_page_of_an_ien_lists_the_departement_of_the_circonscription(client, world):
    ien, _ = people(world)["IEN of the Laon circonscription"]
    client.force_login(ien)

    response = client.get(reverse("territory:index"))

    assert [(d.code, d.school_count) for d in response.context["departements"]] == [("02", 2)]
    assert 'id="no-departement"' not in response.content.decode()


def test_a_school_head_does_not_browse_the_territory(client, world):
    head, _ = people(world)["school head"]
    client.force_login(head)

    assert client.get(reverse("territory:index")).status_code == 403
    assert client.get(reverse("territory:departement", args=["02"])).status_code == 403


def test_the_departement_page_lists_its_communes_with_their_school_counts(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    response = client.get(reverse("territory:departement", args=["02"]))

    assert response.status_code == 200
    communes = [(c.name, c.school_count) for c in response.context["page_obj"].object_list]
    assert communes == [("Laon", 3), ("Soissons", 1)]
    assert 'class="fr-breadcrumb"' in response.content.decode()


def test_the_departement_page_counts_only_the_schools_in_scope(client, world):
    officer = user_with_role(Role.LOCAL_AUTHORITY, world.tree.aisne)  # Owns the collèges.
    client.force_login(officer)

    url = reverse("territory:departement", args=["02"])

    everywhere = client.get(url, {"toutes": "1"}).context["page_obj"].object_list
    with_schools = client.get(url).context["page_obj"].object_list
    assert [(c.name, c.school_count) for c in everywhere] == [("Laon", 1), ("Soissons", 0)]
    assert [(c.name, c.school_count) for c in with_schools] == [("Laon", 1)]


def test_the_departement_page_searches_communes_by_name(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    response = client.get(
        reverse("territory:departement", args=["02"]),
        {"q": "soiss"},
        headers={"HX-Request": "true", "HX-Target": "commune-results"},
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "<td>Soissons</td>" in html
    assert "<td>Laon</td>" not in html


def test_an_aisne_coordinator_gets_404_on_the_val_d_oise_departement_page(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    client.force_login(coordinator)

    assert client.get(reverse("territory:departement", args=["95"])).status_code == 404


def test_a_commune_code_is_not_a_departement(client, world, national):
    client.force_login(national)

    assert client.get(reverse("territory:departement", args=["02408"])).status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_the_departement_page_makes_a_fixed_number_of_queries(
    client, tree, count, django_assert_max_num_queries
):
    for index in range(count):
        commune = node(NodeKind.COMMUNE, f"02{index:03d}", f"Commune {index}", tree.aisne)
        SchoolFactory(commune=commune)
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(coordinator)

    # 7: one more than before the list of circonscriptions, whatever the count.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("territory:departement", args=["02"]))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_the_territory_page_makes_a_fixed_number_of_queries(
    client, tree, count, django_assert_max_num_queries
):
    _add_schools(tree, count)
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    with django_assert_max_num_queries(6):
        response = client.get(reverse("territory:index"))

    assert response.status_code == 200


def test_the_filters_are_not_each_marked_optional(client, world, national):
    client.force_login(national)

    html = client.get(reverse("territory:school_list")).content.decode()

    assert "Département" in html
    assert "(Optionnel)" not in html


@pytest.mark.parametrize("role", [Role.IEN_ERUN, Role.TECHNICIAN, Role.LOCAL_AUTHORITY])
def test_roles_below_the_departement_reach_their_departement_page(client, tree, role):
    SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon)
    SchoolFactory(commune=tree.soissons)
    target = {Role.IEN_ERUN: tree.circ_laon}.get(role, tree.laon)
    client.force_login(user_with_role(role, target))

    assert 'href="/territoire/departements/02/"' in client.get(reverse("territory:index")).text
    page = client.get(reverse("territory:departement", args=["02"]))
    assert page.status_code == 200
    assert "Laon" in page.text
    assert "Soissons" not in page.text  # no school they see there
    assert client.get(reverse("territory:departement", args=["95"])).status_code == 404


@pytest.mark.parametrize("query", ["gerard", "GÉRARD", "Gérard", "gérard philipe"])
def test_the_search_ignores_accents_and_case_both_ways(client, tree, query):
    accented = SchoolFactory(commune=tree.laon, name="Collège Gérard Philipe")
    capitals = SchoolFactory(commune=tree.laon, name="ECOLE ELEMENTAIRE GERARD PHILIPE")
    SchoolFactory(commune=tree.laon, name="École Jean Macé")

    response = get_list(client, user_with_role(Role.NATIONAL, tree.country), q=query)

    assert listed_uais(response) == {accented.uai, capitals.uai}
