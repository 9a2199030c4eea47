import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import Role, SchoolFactory, user_with_role
from tne.core import charts
from tne.territory.enums import NodeKind, SchoolKind
from tne.territory.models import TerritoryNode

VDO_OUTLINES = settings.DATA_DIR / "geo" / "geo_communes-95-val-d-oise.geojson"


def _map(client, user, code):
    client.force_login(user)
    return client.get(reverse("territory:departement_map", args=[code]))


def _group(svg: str, name: str) -> str:
    """The markup of the mark group named ``name`` in the rendered Vega SVG."""
    start = svg.index(f'{name}_marks"')
    return svg[start : svg.index("</g>", start)]


def _svg(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>")]


@pytest.fixture
def vdo_schools(tree):
    return [
        SchoolFactory(
            commune=tree.cergy,
            name="Collège Les Touleuses",
            kind=SchoolKind.COLLEGE,
            latitude=49.04,
            longitude=2.06,
            ips=112.5,
        ),
        SchoolFactory(commune=tree.cergy, name="École du Bontemps", latitude=49.05, longitude=2.03),
        SchoolFactory(
            commune=tree.pontoise, name="École Ludovic Piette", latitude=49.05, longitude=2.1
        ),
    ]


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.vdo)


def test_it_draws_one_point_per_visible_school_over_the_commune_outlines(
    client, tree, vdo_schools, coordinator
):
    SchoolFactory(commune=tree.laon, name="École de l'Aisne", latitude=49.56, longitude=3.62)

    response = _map(client, coordinator, "95")

    assert response.status_code == 200
    svg = _svg(response.content.decode())
    points = _group(svg, "schools")
    assert points.count("<title>") == 3
    for school in vdo_schools:
        assert school.uai in points
    assert "École de l&#x27;Aisne" not in svg and "Aisne" not in points
    assert "Collège Les Touleuses" in points and "IPS 112,5" in points
    features = json.loads(VDO_OUTLINES.read_text(encoding="utf-8"))["features"]
    assert _group(svg, "communes").count("<path") == len(features)


def test_the_svg_is_accessible_and_served_without_javascript(client, vdo_schools, coordinator):
    html = _map(client, coordinator, "95").content.decode()

    svg = _svg(html)
    # A group of links, not an image (an image would hide its links from assistive technology).
    assert svg.startswith('<svg role="group" aria-labelledby="tne-map-title tne-map-desc"')
    assert (
        '<title id="tne-map-title">Carte des établissements — Val-d&#x27;Oise (95)</title>' in svg
    )
    assert '<desc id="tne-map-desc">3 établissements' in svg
    assert "<script" not in svg
    assert "Symbol legend" not in svg and "legend titled" not in svg  # Vega's English text
    assert "aria-roledescription" not in svg
    assert not re.search(r"https?://(?!www\.w3\.org)", svg)


def test_its_text_alternative_lists_the_schools_by_commune_with_links(
    client, vdo_schools, coordinator
):
    html = _map(client, coordinator, "95").content.decode()

    table = html[html.index('id="map-schools"') :]
    assert "par commune (2\xa0communes, 3\xa0établissements)</caption>" in table
    assert '<th scope="rowgroup" rowspan="2">Cergy</th>' in table
    assert '<th scope="rowgroup" rowspan="1">Pontoise</th>' in table
    for school in vdo_schools:
        url = reverse("territory:school_detail", args=[school.uai])
        assert f'<td><a href="{url}">{school.name}</a></td>' in table
    assert '<td class="tne-num">112,5</td>' in table


def test_each_point_is_a_keyboard_link_to_its_school_named_in_french(
    client, vdo_schools, coordinator
):
    points = _group(_svg(_map(client, coordinator, "95").content.decode()), "schools")

    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" class="tne-map-point">', points)
    assert len(links) == 3
    college = vdo_schools[0]
    assert (
        reverse("territory:school_detail", args=[college.uai]),
        f"Collège Les Touleuses ({college.uai}), Cergy — Collège — IPS 112,5",
    ) in links
    assert "xlink:href" not in points and "tabindex" not in points
    assert points.count('aria-hidden="true"') == 3  # The shapes inside: decorative.


def test_kinds_differ_by_shape_and_colour_with_an_html_legend(client, vdo_schools, coordinator):
    html = _map(client, coordinator, "95").content.decode()

    points = _group(_svg(html), "schools")
    college = re.search(
        r'aria-label="Collège[^"]*"[^>]*><path[^>]*d="([^"]+)"[^>]*fill="([^"]+)"', points
    )
    ecole = re.search(
        r'aria-label="École du[^"]*"[^>]*><path[^>]*d="([^"]+)"[^>]*fill="([^"]+)"', points
    )
    assert college.group(1) != ecole.group(1)  # Not colour alone.
    assert college.group(2).lower() != ecole.group(2).lower()
    legend = html[html.index('id="map-legend"') :]
    assert "Collège</li>" in legend and "École élémentaire</li>" in legend
    assert "Type d'établissement" not in _svg(html)  # The legend is no longer in the SVG.


def test_the_map_shows_no_ips_to_a_role_that_may_not_read_it(client, tree, vdo_schools):
    officer = user_with_role(Role.LOCAL_AUTHORITY, tree.vdo)

    html = _map(client, officer, "95").content.decode()

    assert "IPS" not in _svg(html)
    assert ">IPS<" not in html


def test_a_trainer_sees_only_the_schools_of_their_circonscription_on_the_map(
    client, tree, vdo_schools
):
    trainer = user_with_role(Role.TRAINER, tree.circ_cergy)
    vdo_schools[1].circonscription = tree.circ_cergy
    vdo_schools[1].save()

    points = _group(_svg(_map(client, trainer, "95").content.decode()), "schools")

    assert points.count("<title>") == 1
    assert vdo_schools[1].uai in points
    assert _map(client, trainer, "02").status_code == 404


def test_a_teacher_does_not_browse_the_map(client, tree, vdo_schools):
    teacher = user_with_role(Role.TEACHER, vdo_schools[1])

    assert _map(client, teacher, "95").status_code == 403


def test_a_local_authority_sees_only_the_schools_it_owns(client, tree, vdo_schools):
    officer = user_with_role(Role.LOCAL_AUTHORITY, tree.vdo)  # the département owns collèges

    svg = _svg(_map(client, officer, "95").content.decode())

    points = _group(svg, "schools")
    assert points.count("<title>") == 1
    assert "Collège Les Touleuses" in points


def test_a_departement_outside_the_scope_gives_404(client, tree, coordinator):
    assert _map(client, coordinator, "02").status_code == 404
    assert _map(client, coordinator, "99").status_code == 404


def test_a_departement_without_outlines_still_shows_its_schools(client, tree):
    oise = TerritoryNode.objects.create(
        kind=NodeKind.DEPARTEMENT,
        code="60",
        name="Oise",
        parent=tree.amiens,
        path=TerritoryNode.path_for(NodeKind.DEPARTEMENT, "60", tree.amiens),
        depth=3,
    )
    beauvais = TerritoryNode.objects.create(
        kind=NodeKind.COMMUNE,
        code="60057",
        name="Beauvais",
        parent=oise,
        path=TerritoryNode.path_for(NodeKind.COMMUNE, "60057", oise),
        depth=4,
    )
    school = SchoolFactory(commune=beauvais, latitude=49.43, longitude=2.08)
    SchoolFactory(commune=beauvais)  # no coordinates
    national = user_with_role(Role.NATIONAL, tree.country)

    html = _map(client, national, "60").content.decode()

    assert "Pas de contour disponible" in html
    svg = _svg(html)
    assert "communes_marks" not in svg
    assert school.uai in _group(svg, "schools")
    assert "1\xa0établissement sans coordonnées ne figure pas sur la carte" in html


def test_the_rendered_map_is_cached_until_the_data_changes(
    client, tree, vdo_schools, coordinator, monkeypatch
):
    first = _map(client, coordinator, "95").content.decode()
    renders = []
    real_render = charts.render_svg
    monkeypatch.setattr(charts, "render_svg", lambda spec: renders.append(1) or real_render(spec))

    again = _map(client, coordinator, "95").content.decode()
    assert renders == []
    assert _svg(again) == _svg(first)

    SchoolFactory(commune=tree.pontoise, name="École nouvelle", latitude=49.06, longitude=2.09)
    changed = _map(client, coordinator, "95").content.decode()
    assert renders == [1]
    assert "École nouvelle" in _svg(changed)


def test_the_map_makes_a_fixed_number_of_queries(
    client, tree, coordinator, django_assert_max_num_queries
):
    SchoolFactory.create_batch(40, commune=tree.cergy, latitude=49.04, longitude=2.06)
    client.force_login(coordinator)
    url = reverse("territory:departement_map", args=["95"])

    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200


def test_a_school_without_coordinates_stands_at_the_centre_of_its_commune(client, tree):
    tree.laon.latitude, tree.laon.longitude = 49.56, 3.62
    tree.laon.save(update_fields=["latitude", "longitude"])
    school = SchoolFactory(commune=tree.laon)  # an école: open data gives no coordinates
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)

    html = _map(client, coordinator, "02").content.decode()

    assert school.uai in _group(_svg(html), "schools")
    assert "(centre de la commune)" in _group(_svg(html), "schools")
    assert "sans coordonnées" not in html
