"""Lists in French alphabetical order: accents, case and hyphens do not decide the place of a
name (« Boué » before « Bourg-et-Comin », « Château-Thierry » before « Chivy »)."""

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, node, user_with_role
from tne.territory.enums import NodeKind
from tne.territory.forms import SchoolFilterForm
from tne.territory.models import School, school_search_text

COMMUNES = {
    "02104": "Bourg-et-Comin",
    "02107": "Boué",
    "02168": "Château-Thierry",
    "02189": "Chivy",
    "02190": "chivres",
    "02250": "Écuelle",
    "02300": "Étouvelles",
}
FRENCH_ORDER = [
    "Boué",
    "Bourg-et-Comin",
    "Château-Thierry",
    "chivres",
    "Chivy",
    "Écuelle",
    "Étouvelles",
    "Laon",
    "Soissons",
]


@pytest.fixture
def communes(tree):
    made = [node(NodeKind.COMMUNE, code, name, tree.aisne) for code, name in COMMUNES.items()]
    for commune in [*made, tree.laon, tree.soissons]:
        SchoolFactory(commune=commune, search_name=school_search_text("École", commune.name))
    return made


def test_the_communes_of_a_departement_are_in_french_order(client, tree, communes):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    response = client.get(reverse("territory:departement", args=["02"]))

    assert [c.name for c in response.context["page_obj"].object_list] == FRENCH_ORDER


def test_the_communes_offered_by_the_school_filter_are_in_french_order(tree, communes):
    form = SchoolFilterForm({"departement": "02"}, user=user_with_role(Role.NATIONAL, tree.country))

    assert [label for _, label in form.fields["commune"].choices][1:] == FRENCH_ORDER


def test_the_school_list_is_in_french_order(client, tree, settings):
    settings.TNE_PAGE_SIZE = 3
    names = [
        "Collège Condorcet",
        "Collège Cécile Sorel",
        "collège Anne Frank",
        "École Bara",
        "Ecole Ávila",
        "Lycée Europe",
    ]
    for name in names:
        SchoolFactory(commune=tree.laon, name=name, search_name=school_search_text(name, "Laon"))
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    pages = [client.get(reverse("territory:school_list"), {"page": n}) for n in (1, 2)]

    listed = [s.name for page in pages for s in page.context["page_obj"].object_list]
    assert listed == [
        "collège Anne Frank",
        "Collège Cécile Sorel",
        "Collège Condorcet",
        "Ecole Ávila",
        "École Bara",
        "Lycée Europe",
    ]


def test_schools_of_the_same_name_are_in_the_order_of_their_communes(client, tree):
    for commune in (tree.soissons, tree.laon):
        SchoolFactory(
            commune=commune,
            name="École Jean Macé",
            search_name=school_search_text("École Jean Macé", commune.name),
        )
    client.force_login(user_with_role(Role.NATIONAL, tree.country))

    response = client.get(reverse("territory:school_list"))

    assert [s.commune.name for s in response.context["page_obj"].object_list] == [
        "Laon",
        "Soissons",
    ]


def test_the_default_order_of_schools_is_the_french_one(tree):
    for name in ("Zola", "Émile Roux", "Anatole France"):
        SchoolFactory(commune=tree.laon, name=name, search_name=school_search_text(name, "Laon"))

    assert [s.name for s in School.objects.all()] == ["Anatole France", "Émile Roux", "Zola"]
