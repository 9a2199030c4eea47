"""The school list's filters with and without htmx (errors always shown, dependent filters
cleared, communes without schools not offered), its sortable columns (order, ``aria-sort``, kept
with the filters and the pages), and the names to correct listed last with a badge."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, node, user_with_role
from tests.territory.factories_browse import build_world, people
from tne.territory.enums import NodeKind

LIST_URL = reverse("territory:school_list")
HTMX = {"HX-Request": "true", "HX-Target": "school-browser", "HX-Trigger-Name": "ips_min"}


@pytest.fixture
def world(tree):
    return build_world(tree)


@pytest.fixture
def coordinator(world, client):
    user, _ = people(world)["coordinator of Aisne"]
    client.force_login(user)
    return user


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="uai-([0-9A-Z]{8})"', html)


INVALID = [
    ({"ips_min": "120", "ips_max": "80"}, "L'IPS minimum doit être inférieur ou égal au maximum."),
    ({"ips_min": "abc"}, "Saisissez un nombre."),
    ({"ips_max": "-5"}, "supérieure ou égale à 0"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["without JavaScript", "with htmx"])
@pytest.mark.parametrize(("params", "message"), INVALID)
def test_invalid_ips_bounds_show_their_errors_with_and_without_htmx(
    client, coordinator, htmx, params, message
):
    response = client.get(LIST_URL, params, headers=HTMX if htmx else {})

    html = response.content.decode()
    assert response.status_code == 200
    assert ("<html" in html) is not htmx
    assert 'id="filter-errors"' in html
    assert message.replace("'", "&#x27;") in html
    assert 'id="exports"' not in html  # No export of a list whose filters are wrong.


def test_the_htmx_fragment_carries_the_form_as_the_url_says(client, coordinator):
    response = client.get(LIST_URL, {"kind": "COLLEGE", "tri": "-nom"}, headers=HTMX)

    html = response.content.decode()
    assert '<option value="COLLEGE" selected>' in html
    assert 'name="tri" value="-nom"' in html
    assert 'hx-target="#school-browser"' in html


def test_the_filters_are_debounced(client, coordinator):
    html = client.get(LIST_URL).content.decode()

    assert 'hx-trigger="submit, change delay:300ms' in html


def test_a_commune_outside_the_chosen_departement_is_dropped_from_the_url_state(
    client, world, tree
):
    national, _ = people(world)["national"]
    client.force_login(national)

    response = client.get(LIST_URL, {"departement": "95", "commune": "02408"}, headers=HTMX)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.data["commune"] == ""
    assert 'value="02408"' not in response.content.decode()


def test_the_commune_select_offers_only_communes_with_a_visible_school(client, world, tree):
    node(NodeKind.COMMUNE, "02001", "Abbécourt", tree.aisne)  # No school.
    national, _ = people(world)["national"]
    client.force_login(national)

    html = client.get(LIST_URL, {"departement": "02"}).content.decode()

    assert '<option value="02408">Laon</option>' in html
    assert "Abbécourt" not in html


def test_the_list_sorts_by_ips_both_ways_with_the_unknown_last(client, world, coordinator):
    asc = rows(client.get(LIST_URL, {"tri": "ips"}).content.decode())
    desc = rows(client.get(LIST_URL, {"tri": "-ips"}).content.decode())

    # Aisne: Jean Macé 78.5, collège 88.0, Saint-Crépin 112.3, maternelle without IPS.
    assert asc == [
        world.laon_ecole.uai,
        world.laon_college.uai,
        world.soissons_ecole.uai,
        world.laon_maternelle.uai,
    ]
    assert desc == [
        world.soissons_ecole.uai,
        world.laon_college.uai,
        world.laon_ecole.uai,
        world.laon_maternelle.uai,
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("type", ["laon_maternelle", "laon_ecole", "soissons_ecole", "laon_college"]),
        ("-classes", ["laon_college", "laon_ecole", "laon_maternelle", "soissons_ecole"]),
        ("commune", ["laon_college", "laon_ecole", "laon_maternelle", "soissons_ecole"]),
        ("-nom", ["soissons_ecole", "laon_maternelle", "laon_ecole", "laon_college"]),
    ],
)
def test_the_list_sorts_by_each_column_with_a_stable_secondary_order(
    client, world, coordinator, sort, expected
):
    listed = rows(client.get(LIST_URL, {"tri": sort}).content.decode())

    assert listed == [getattr(world, name).uai for name in expected]


def test_the_sorted_column_says_so_and_its_link_reverses_it_keeping_the_filters(
    client, coordinator
):
    html = client.get(LIST_URL, {"tri": "ips", "kind": "ECOLES", "page": "1"}).content.decode()

    header = re.search(r'<th scope="col"[^>]*aria-sort="ascending"[^>]*>(.*?)</th>', html, re.S)
    assert header is not None and 'id="sort-ips"' in header.group(1)
    assert html.count("aria-sort=") == 1
    assert 'href="?kind=ECOLES&amp;tri=-ips"' in html
    assert 'href="?kind=ECOLES&amp;tri=nom"' in html
    assert "triés par ips (ordre croissant)" in html
    # The exports follow the sort.
    assert 'export.csv?tri=ips&amp;kind=ECOLES"' in html


def test_an_unknown_sort_is_the_default_order(client, world, coordinator):
    assert client.get(LIST_URL, {"tri": "drop table"}).status_code == 200


def test_the_names_to_correct_come_last_with_a_badge(client, tree):
    flagged = SchoolFactory(commune=tree.laon, name="A COMPLETER", name_needs_review=True)
    named = SchoolFactory(commune=tree.laon, name="Zola", ips=Decimal("90"))
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    html = client.get(LIST_URL).content.decode()

    assert rows(html) == [named.uai, flagged.uai]
    assert html.count("Nom à corriger") == 1
    page = client.get(reverse("territory:school_detail", args=[flagged.uai])).content.decode()
    assert 'id="name-needs-review"' in page


def test_the_breadcrumb_of_a_commune_list_follows_the_tree(client, world, coordinator):
    html = client.get(LIST_URL, {"departement": "02", "commune": "02408"}).content.decode()

    trail = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r">([^<>]+)</a>", trail)[:3] == ["Accueil", "Territoire", "Aisne (02)"]
    assert 'aria-current="page">Laon<' in trail


def test_the_breadcrumb_of_a_school_goes_through_its_departement_and_commune(
    client, world, coordinator
):
    url = reverse("territory:school_detail", args=[world.laon_college.uai])

    trail = re.search(
        r'<ol class="fr-breadcrumb__list">(.*?)</ol>', client.get(url).content.decode(), re.S
    ).group(1)

    assert re.findall(r">([^<>]+)</a>", trail) == [
        "Accueil",
        "Aisne (02)",
        "Laon",
        "Collège Charles de Gaulle",
    ]
    assert "?departement=02&amp;commune=02408" in trail


def test_the_breadcrumb_of_an_iens_school_goes_through_the_circonscription(client, world):
    ien, _ = people(world)["IEN of the Laon circonscription"]
    client.force_login(ien)

    html = client.get(
        reverse("territory:school_detail", args=[world.laon_ecole.uai])
    ).content.decode()

    trail = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', html, re.S).group(1)
    assert "?departement=02&amp;circonscription=0201" in trail


def test_the_school_history_is_a_list_not_an_inner_scroll_area(client, world, coordinator):
    from tne.core import audit
    from tne.core.audit import AuditAction

    audit.record(world.laon_ecole, AuditAction.UPDATE, changes={"name": ["A", "B"]})
    html = client.get(
        reverse("territory:school_detail", args=[world.laon_ecole.uai])
    ).content.decode()

    history = html[html.index('id="history-title"') :]
    assert '<ol class="tne-history" id="history" aria-labelledby="history-title">' in history
    assert "fr-table__wrapper" not in history


def test_the_ips_read_through_a_partial_scope_keeps_one_decimal(client, world):
    world.laon_ecole.ips = Decimal("98.8")  # Not exact as a float: SQLite stores a REAL.
    world.laon_ecole.save()
    ien, _ = people(world)["IEN of the Laon circonscription"]
    client.force_login(ien)

    html = client.get(LIST_URL).content.decode()

    assert '<td class="tne-num">98,8</td>' in html
    assert "98,8000" not in html


def test_the_ips_sort_of_a_mixed_grant_orders_only_the_ips_it_may_read(client, world, tree):
    from tests.factories import grant

    # Parent at Soissons (IPS 112.3, not theirs to read), IEN of Laon (78.5 and unknown).
    user, _ = people(world)["IEN of the Laon circonscription"]
    grant(user, Role.PARENT, world.soissons_ecole)
    client.force_login(user)

    listed = rows(client.get(LIST_URL, {"tri": "-ips"}).content.decode())

    assert listed[0] == world.laon_ecole.uai  # Not Saint-Crépin, whose IPS it may not read.
    assert set(listed[1:]) == {world.laon_maternelle.uai, world.soissons_ecole.uai}
