from decimal import Decimal

import pytest

from tests.factories import SchoolFactory, UserFactory
from tne.core import audit
from tne.core.models import AuditAction, AuditSource


@pytest.mark.django_db
def test_diff_lists_only_the_fields_that_change(tree):
    school = SchoolFactory(commune=tree.laon, ips=Decimal("98.5"), name="École A")

    changes = audit.diff(school, {"ips": "101.2", "name": "École A"})

    assert changes == {"ips": ["98.5", "101.2"]}


@pytest.mark.django_db
def test_recorded_events_form_the_history_of_a_record(tree):
    school = SchoolFactory(commune=tree.laon)
    other = SchoolFactory(commune=tree.laon)
    actor = UserFactory()
    audit.record(school, AuditAction.CREATE, actor=actor, source=AuditSource.IMPORT)
    audit.record(school, AuditAction.UPDATE, changes={"ips": ["1", "2"]})
    audit.record(other, AuditAction.CREATE)

    history = list(audit.history_of(school))

    assert [e.action for e in history] == [AuditAction.UPDATE, AuditAction.CREATE]
    assert history[1].actor == actor
    assert history[0].changes == {"ips": ["1", "2"]}


@pytest.mark.django_db
def test_readable_changes_show_labels_and_related_objects(tree, django_assert_num_queries):
    from tne.territory.models import School

    school = SchoolFactory(commune=tree.laon)
    audit.record(
        school,
        AuditAction.UPDATE,
        changes={
            "kind": ["ELEMENTAIRE", "PRIMAIRE"],
            "commune_id": [tree.laon.pk, tree.soissons.pk],
        },
    )
    events = list(audit.history_of(school))

    with django_assert_num_queries(1):  # the communes, in one query
        audit.readable_changes(School, events)

    kind, commune = events[0].readable_changes
    assert (kind.label, kind.old, kind.new) == ("type", "École élémentaire", "École primaire")
    assert (commune.label, commune.old, commune.new) == ("commune", tree.laon, tree.soissons)


@pytest.mark.django_db
def test_readable_changes_write_decimals_the_french_way(tree):
    from tne.territory.models import School

    school = SchoolFactory(commune=tree.laon)
    audit.record(school, AuditAction.UPDATE, changes={"ips": [None, "77.5"]})
    audit.record(school, AuditAction.UPDATE, changes={"ips": ["77.5", "101.25"]})
    events = list(audit.history_of(school))

    audit.readable_changes(School, events)

    latest, first = (event.readable_changes[0] for event in events)
    assert (latest.old, latest.new) == ("77,5", "101,25")
    assert (first.old, first.new) == (None, "77,5")


@pytest.mark.django_db
def test_readable_changes_say_yes_and_no_and_a_grant_names_its_place(tree):
    from tests.factories import StaffFactory, grant
    from tne.accounts.models import RoleAssignment
    from tne.territory.models import Staff

    staff = StaffFactory(school=SchoolFactory(commune=tree.laon))
    audit.record(staff, AuditAction.UPDATE, changes={"is_new_teacher": [False, True]})
    assignment = grant(UserFactory(first_name="Ana", last_name="Lys"), "COORDINATOR", tree.aisne)
    [staff_event], [grant_event] = list(audit.history_of(staff)), list(audit.history_of(assignment))

    audit.readable_changes(Staff, [staff_event])
    audit.readable_changes(RoleAssignment, [grant_event])

    assert [str(c) for c in staff_event.readable_changes] == ["nouveau professeur\u00a0: non → oui"]
    assert sorted(str(c) for c in grant_event.readable_changes) == [  # jsonb reorders keys
        "rôle\u00a0: — → Coordination académique ou départementale",
        "territoire\u00a0: — → Aisne (02)",
        "utilisateur\u00a0: — → Ana Lys",
    ]
