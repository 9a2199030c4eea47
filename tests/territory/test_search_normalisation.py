"""Searching names whatever their accents, case, hyphens, apostrophes and word order: the
communes of a département by name, the schools by name and commune; and the stored searchable
text of every node, whichever way it was created."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from tests.factories import Role, SchoolFactory, node, user_with_role
from tests.territory.helpers_importers import copy_with, fixture
from tne.core.text import search_text
from tne.demo.circonscriptions import create_circonscriptions
from tne.territory.enums import NodeKind
from tne.territory.importers import import_file
from tne.territory.models import School, TerritoryNode, school_search_text

LIST_URL = reverse("territory:school_list")


def test_the_school_search_text_holds_its_name_then_its_commune():
    assert school_search_text("École Jean-Jaurès", "Laon") == "ECOLE JEAN JAURES LAON"


# --- Communes of a département ---------------------------------------------------------------


@pytest.fixture
def communes(tree):
    """Communes of the Aisne with a school each, next to the tree's Laon and Soissons."""
    names = {
        "02168": "Château-Thierry",
        "02691": "Saint-Quentin",
        "02692": "Saint-Quentin-le-Petit",
        "02383": "Jeancourt",
        "02680": "Saint-Jean-de-Bassel",
    }
    made = {}
    for code, name in names.items():
        made[name] = node(NodeKind.COMMUNE, code, name, tree.aisne)
        SchoolFactory(commune=made[name])
    return made


def commune_names(client, tree, q: str) -> list[str]:
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    response = client.get(reverse("territory:departement", args=["02"]), {"q": q})
    assert response.status_code == 200
    return [commune.name for commune in response.context["page_obj"].object_list]


@pytest.mark.parametrize("q", ["chateau", "CHÂTEAU", "chateau-thierry", "château thierry"])
def test_a_commune_is_found_whatever_its_accents_and_hyphens(client, tree, communes, q):
    assert commune_names(client, tree, q) == ["Château-Thierry"]


@pytest.mark.parametrize("q", ["saint quentin", "quentin saint", "st quentin", "St-Quentin"])
def test_every_word_typed_must_be_in_the_commune_name_in_any_order(client, tree, communes, q):
    assert commune_names(client, tree, q) == ["Saint-Quentin", "Saint-Quentin-le-Petit"]


def test_a_word_missing_from_the_name_excludes_the_commune(client, tree, communes):
    assert commune_names(client, tree, "saint jean") == ["Saint-Jean-de-Bassel"]
    assert commune_names(client, tree, "quentin laon") == []


def test_the_commune_search_has_a_fixed_query_budget(
    client, tree, communes, django_assert_max_num_queries
):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    # 7: the département page lists its circonscriptions too (one query).
    with django_assert_max_num_queries(7):
        response = client.get(
            reverse("territory:departement", args=["02"]), {"q": "saint quentin le petit"}
        )
    assert [c.name for c in response.context["page_obj"].object_list] == ["Saint-Quentin-le-Petit"]


# --- Schools by name and commune --------------------------------------------------------------


def school(commune, name, **extra):
    """A school whose searchable text is written as the importers write it."""
    return SchoolFactory(
        commune=commune, name=name, search_name=school_search_text(name, commune.name), **extra
    )


@pytest.fixture
def schools(tree):
    return {
        "laon_jaures": school(tree.laon, "École élémentaire Jean-Jaurès"),
        "laon_college": school(tree.laon, "Collège Charles de Gaulle"),
        "soissons_jaures": school(tree.soissons, "École élémentaire Jean-Jaurès"),
        "cergy": school(tree.cergy, "Lycée Alfred Kastler"),
    }


def school_keys(client, tree, schools, q: str) -> set[str]:
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    response = client.get(LIST_URL, {"q": q})
    assert response.status_code == 200
    found = {s.uai for s in response.context["page_obj"].object_list}
    return {key for key, s in schools.items() if s.uai in found}


def test_typing_a_town_finds_its_schools(client, tree, schools):
    assert school_keys(client, tree, schools, "laon") == {"laon_jaures", "laon_college"}


@pytest.mark.parametrize("q", ["jaures laon", "Laon jean-jaurès", "JEAN JAURES LAON"])
def test_a_school_name_and_a_town_find_that_school_of_that_town(client, tree, schools, q):
    assert school_keys(client, tree, schools, q) == {"laon_jaures"}


def test_a_school_name_alone_finds_it_in_every_town(client, tree, schools):
    assert school_keys(client, tree, schools, "jean jaures") == {"laon_jaures", "soissons_jaures"}


def test_a_uai_still_finds_its_school_alone(client, tree, schools):
    uai = schools["cergy"].uai
    assert school_keys(client, tree, schools, uai.lower()) == {"cergy"}


# --- Every node carries its searchable text ---------------------------------------------------


def assert_every_node_searchable():
    for name, stored in TerritoryNode.objects.values_list("name", "search_name"):
        assert stored == search_text(name), name


def test_the_factories_and_get_or_create_write_the_search_name(tree):
    assert TerritoryNode.objects.get(kind=NodeKind.COMMUNE, code="02408").search_name == "LAON"
    assert_every_node_searchable()


def test_the_importers_bulk_create_nodes_with_their_search_name(db):
    import_file(fixture("communes.csv"))
    import_file(fixture("ips_ecoles.csv"))  # Creates other communes from the school file.

    assert TerritoryNode.objects.filter(kind=NodeKind.COMMUNE).count() > 3
    assert_every_node_searchable()


def test_renaming_a_commune_rewrites_its_search_name_and_its_schools(tmp_path, db):
    import_file(fixture("communes.csv"))
    laon = TerritoryNode.objects.get(kind=NodeKind.COMMUNE, code="02408")
    ecole = SchoolFactory(commune=laon, name="École Jean-Jaurès", search_name="")
    other = SchoolFactory(commune=TerritoryNode.objects.get(kind=NodeKind.COMMUNE, code="02722"))
    before = other.search_name

    import_file(copy_with(tmp_path, "communes.csv", {"Laon;02": "Laon-Ville;02"}))

    assert_every_node_searchable()
    ecole.refresh_from_db()
    other.refresh_from_db()
    assert ecole.search_name == "ECOLE JEAN JAURES LAON VILLE"
    assert other.search_name == before


def test_the_demo_circonscriptions_are_created_and_renamed_with_their_search_name(tree):
    for commune in (tree.laon, tree.soissons):
        SchoolFactory(commune=commune)

    create_circonscriptions(departement=tree.aisne, seed=1)

    circonscriptions = TerritoryNode.objects.filter(
        kind=NodeKind.CIRCONSCRIPTION, parent=tree.aisne
    )
    assert circonscriptions.exclude(name="Laon").exists()  # The tree's one was renamed.
    assert_every_node_searchable()


def test_the_migration_fills_the_search_names_of_existing_rows(tree):
    ecole = SchoolFactory(commune=tree.laon, name="École Saint-Exupéry")
    TerritoryNode.objects.update(search_name="")
    School.objects.update(search_name="")
    migration = importlib.import_module("tne.territory.migrations.0005_search_text")

    migration.fill_search_names(apps, None)

    assert_every_node_searchable()
    ecole.refresh_from_db()
    assert ecole.search_name == "ECOLE SAINT EXUPERY LAON"
