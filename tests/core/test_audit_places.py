"""Each audit event knows the place it concerns (the path of its node, a school's commune's, and
the school), so that « what changed in my territory » is one query."""

import pytest

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    UserFactory,
    grant,
    user_with_role,
)
from tests.territory.helpers_importers import fixture
from tne.core import audit
from tne.core.models import AuditAction, AuditEvent
from tne.territory.history import events_visible_to
from tne.territory.importers import import_file
from tne.territory.models import School

pytestmark = pytest.mark.django_db


def test_a_school_a_class_and_a_staff_member_are_placed_at_the_school(tree):
    school = SchoolFactory(commune=tree.laon)

    events = [
        audit.record(obj, AuditAction.UPDATE)
        for obj in (school, SchoolClassFactory(school=school), StaffFactory(school=school))
    ]

    assert {(e.place_path, e.place_school_id) for e in events} == {(tree.laon.path, school.pk)}
    assert tree.laon.path == "/FR/R32/A20/D02/C02408/"


def test_a_grant_is_placed_at_its_target_and_a_node_at_its_path(tree):
    school = SchoolFactory(commune=tree.cergy)
    on_school = grant(UserFactory(), Role.TEACHER, school)
    on_node = grant(UserFactory(), Role.COORDINATOR, tree.aisne)

    assert audit.history_of(on_school).get().place_path == tree.cergy.path
    assert audit.history_of(on_school).get().place_school_id == school.pk
    assert audit.history_of(on_node).get().place_path == tree.aisne.path
    assert audit.history_of(on_node).get().place_school_id is None
    event = audit.record(tree.laon, AuditAction.UPDATE)
    assert (event.place_path, event.place_school_id) == (tree.laon.path, None)


def test_an_explicit_place_wins_and_nowhere_is_empty(tree):
    school = SchoolFactory(commune=tree.laon)

    moved = audit.record(school, AuditAction.UPDATE, place=tree.soissons)
    national = audit.record(UserFactory(), AuditAction.UPDATE)

    assert (moved.place_path, moved.place_school_id) == (tree.soissons.path, None)
    assert (national.place_path, national.place_school_id) == ("", None)


def test_imported_schools_are_placed_at_their_commune(tree):
    import_file(fixture("ips_ecoles.csv"))

    events = AuditEvent.objects.filter(action=AuditAction.CREATE, place_school_id__isnull=False)
    schools = School.objects.in_bulk([e.place_school_id for e in events])
    assert events.count() == School.objects.count() > 0
    for event in events.select_related():
        school = schools[event.place_school_id]
        assert event.object_id == str(school.pk)
        assert event.place_path == school.commune.path


@pytest.fixture
def places(tree):
    laon = SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon)
    soissons = SchoolFactory(commune=tree.soissons)
    cergy = SchoolFactory(commune=tree.cergy)
    for school in (laon, soissons, cergy):
        audit.record(school, AuditAction.UPDATE, changes={"name": ["A", "B"]})
    aisne_grant = grant(UserFactory(), Role.COORDINATOR, tree.aisne)
    vdo_grant = grant(UserFactory(), Role.COORDINATOR, tree.vdo)
    return laon, soissons, cergy, aisne_grant, vdo_grant


def _seen(user) -> set[tuple[str, str]]:
    return {(e.content_type.model, e.object_id) for e in events_visible_to(user)}


def test_each_role_lists_the_events_of_its_own_places(tree, places):
    laon, soissons, cergy, aisne_grant, vdo_grant = places
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    ien = user_with_role(Role.IEN_ERUN, tree.circ_laon)
    head = user_with_role(Role.SCHOOL_HEAD, soissons)
    evaluator = user_with_role(Role.EVALUATOR, tree.country)  # no right on people

    assert {
        ("school", str(laon.pk)),
        ("school", str(soissons.pk)),
        ("roleassignment", str(aisne_grant.pk)),
    } <= _seen(coordinator)
    assert not {("school", str(cergy.pk)), ("roleassignment", str(vdo_grant.pk))} & _seen(
        coordinator
    )
    own_grant = ("roleassignment", str(ien.role_assignments.get().pk))  # on the circonscription
    assert _seen(ien) == {("school", str(laon.pk)), own_grant}
    assert ("school", str(soissons.pk)) in _seen(head)
    assert ("school", str(laon.pk)) not in _seen(head)
    assert _seen(evaluator) == set()


def test_the_events_of_a_territory_are_one_query(tree, places, django_assert_max_num_queries):
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    list(events_visible_to(coordinator))  # the grants, loaded once per request

    with django_assert_max_num_queries(1):
        events = list(events_visible_to(coordinator)[:50])
        for event in events:
            str(event.actor), event.content_type.model
