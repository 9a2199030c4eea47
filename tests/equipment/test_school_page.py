"""A school's equipment page: its classes with the kits and their step, its devices by class, its
open incidents, its audit status; a school head sees their school only, a local authority its
buildings, Val-d'Oise gets 404; a fixed number of queries whatever the size."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import Role, SchoolYearFactory, user_with_role
from tne.equipment.enums import AssetState, IncidentKind
from tne.equipment.models import Allocation, ClassAudit, Incident, SchoolAudit
from tne.equipment.services import deployments
from tne.equipment.services.deployments import Selection

from .deployment_factories import campaign_on, pilot
from .factories import AssetFactory, DeviceModelFactory, category


@pytest.fixture
def p(tree):
    data = pilot(tree)
    school = data.laon[0]
    deployments.allocate(
        campaign=campaign_on(tree.aisne),
        selection=Selection(school_ids=(school.pk,)),
        actor=data.coordinator,
    )
    data.school = school
    return data


def page(client, user, school, status=200):
    client.force_login(user)
    response = client.get(reverse("equipment:school", args=[school.pk]))
    assert response.status_code == status
    return unescape(response.content.decode()).replace("\u00a0", " ")


def add_devices(school, school_class, n):
    model = DeviceModelFactory(category=category("webcam"))
    return [
        AssetFactory(
            model=model, school=school, school_class=school_class, state=AssetState.INSTALLED
        )
        for _ in range(n)
    ]


def test_it_shows_classes_kits_devices_incidents_and_audit(client, p):
    ce1 = p.classes[p.school.pk][0]
    devices = add_devices(p.school, ce1, 2)
    Incident.objects.create(
        asset=devices[0], kind=IncidentKind.BREAKDOWN, description="Ne s'allume plus"
    )
    audit = SchoolAudit.objects.create(school=p.school, year=SchoolYearFactory())
    ClassAudit.objects.create(audit=audit, school_class=ce1, has_laptop=True)
    html = page(client, p.coordinator, p.school)
    assert "CE1" in html and "CE2" in html and "GS1" in html
    assert "Kit d'enseignement hybride : prévue" in html
    assert devices[0].asset_tag in html and devices[1].asset_tag in html
    assert 'id="open-incidents"' in html and ">1<" in html.split('id="open-incidents"')[1][:200]
    assert "renseigné le" in html
    assert "ordinateur portable de l'enseignant oui" in html


def test_scoping(client, p):
    head = user_with_role(Role.SCHOOL_HEAD, p.school)
    page(client, head, p.school)
    page(client, head, p.laon[1], 404)
    authority = user_with_role(Role.LOCAL_AUTHORITY, p.tree.laon)
    page(client, authority, p.school)
    page(client, authority, p.soissons, 404)
    page(client, p.vdo_coordinator, p.school, 404)
    page(client, user_with_role(Role.PARENT, p.school), p.school, 403)
    # A parent here who heads a school of Cergy reads Cergy's equipment only: the parent's
    # grant lends no reach to the head's.
    from tests.factories import grant

    both = user_with_role(Role.PARENT, p.school)
    grant(both, Role.SCHOOL_HEAD, p.cergy)
    page(client, both, p.cergy)
    page(client, both, p.school, 404)


def test_it_makes_a_fixed_number_of_queries(client, p):
    client.force_login(p.coordinator)
    url = reverse("equipment:school", args=[p.school.pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for school_class in p.classes[p.school.pk]:
        devices = add_devices(p.school, school_class, 3)
        Incident.objects.create(asset=devices[0], kind=IncidentKind.LOSS, description="x")
    deployments.allocate(
        campaign=campaign_on(p.tree.aisne, code="socle-ecole"),
        selection=Selection(school_ids=(p.school.pk,)),
        actor=p.coordinator,
    )
    assert Allocation.objects.filter(school=p.school).count() == 4
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small)


# --- The territory's page of the school links here (through tne.core.registry) ----------------


def school_links(client, user, school) -> str:
    client.force_login(user)
    response = client.get(reverse("territory:school_detail", args=[school.uai]))
    assert response.status_code == 200
    html = response.content.decode()
    if 'id="school-links"' not in html:
        return ""
    start = html.index('id="school-links"')
    return html[start : html.index("</ul>", start)]


def test_the_school_page_of_the_territory_links_to_its_equipment(client, p):
    url = reverse("equipment:school", args=[p.school.pk])
    for user in (
        p.coordinator,
        user_with_role(Role.SCHOOL_HEAD, p.school),
        user_with_role(Role.LOCAL_AUTHORITY, p.tree.laon),
    ):
        links = school_links(client, user, p.school)
        assert f'href="{url}"' in links and "Équipement de l'école" in unescape(links)
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_no_link_for_who_does_not_read_the_schools_equipment(client, p):
    """A teacher or a parent of the school does not read its equipment; a person head at
    another school and parent here gets the link on their own school's page only."""
    assert school_links(client, user_with_role(Role.TEACHER, p.school), p.school) == ""
    # A parent and nothing else sees « Mon prêt » only: the school's page is refused.
    client.force_login(user_with_role(Role.PARENT, p.school))
    page = client.get(reverse("territory:school_detail", args=[p.school.uai]))
    assert page.status_code == 403
    from tests.factories import grant

    person = user_with_role(Role.SCHOOL_HEAD, p.laon[1])
    grant(person, Role.PARENT, p.school)
    assert school_links(client, person, p.school) == ""
    assert reverse("equipment:school", args=[p.laon[1].pk]) in school_links(
        client, person, p.laon[1]
    )
