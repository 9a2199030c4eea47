"""No audit event holds a person's name or e-mail address after the usual operations: an import,
the demo accounts, a grant and the « Accès » invitation of a new person, admin edits of staff
and accounts. The trail keeps references (« Personnel n° 12 ») and markers (« modifié »); a page
shows the current name through the object while it exists."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import Role, user_with_role
from tests.territory.helpers_importers import fixture
from tne.accounts.access import grant_access
from tne.accounts.models import User
from tne.core import audit
from tne.core.models import AuditEvent
from tne.demo.accounts import ensure_demo_accounts
from tne.demo.synthesis import synthesise
from tne.territory.importers import import_file
from tne.territory.models import Staff


def _texts() -> list[str]:
    """Every text column of the audit table, the JSON of the changes included."""
    return [
        f"{repr_} {json.dumps(changes, ensure_ascii=False)}"
        for repr_, changes in AuditEvent.objects.values_list("object_repr", "changes")
    ]


def _leaks(texts: list[str], words: set[str]) -> list[tuple[str, str]]:
    return [
        (word, text) for text in texts for word in words if word and word.lower() in text.lower()
    ]


@pytest.mark.django_db
def test_no_event_names_a_person_after_the_usual_operations(
    small_territory, calibration, fast_passwords, client, tree
):
    synthesise(calibration=calibration, seed=1)
    import_file(fixture("ips_ecoles.csv"))
    ensure_demo_accounts()
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
    grant_access(
        manager=coordinator,
        email="camille.invitee@example.org",
        role=Role.TECHNICIAN,
        target=tree.aisne,
        first_name="Camille",
        last_name="Invitée",
        site_url="http://testserver",
    )
    superuser = User.objects.get(is_superuser=True)
    client.force_login(superuser)
    staff = Staff.objects.filter(user__isnull=True).first()
    client.post(
        reverse("admin:territory_staff_change", args=[staff.pk]),
        {
            "school": staff.school_id,
            "role": staff.role,
            "first_name": "Philomène",
            "last_name": "Berthier-Audit",
            "email": "philomene.berthier@example.org",
        },
    )
    user = User.objects.get(email="camille.invitee@example.org")
    client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": "camille.renommee@example.org",
            "first_name": "Camillette",
            "last_name": "Renommée",
            "is_active": "on",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert Staff.objects.get(pk=staff.pk).last_name == "Berthier-Audit"
    assert User.objects.get(pk=user.pk).email == "camille.renommee@example.org"

    people = [
        *Staff.objects.values_list("first_name", "last_name", "email"),
        *User.objects.values_list("first_name", "last_name", "email"),
        ("Camille", "Invitée", "camille.invitee@example.org"),
    ]
    # Whole names and e-mails (a first name alone may be a word of a school's name).
    words = {f"{first} {last}" for first, last, _ in people} | {e for *_, e in people}
    words |= {"Berthier", "Philomène", "Invitée", "Camillette", "Renommée"}
    assert AuditEvent.objects.count() > 10
    assert _leaks(_texts(), words) == []
    staff_events = audit.history_of(staff)
    assert [e.object_repr for e in staff_events] == [f"Personnel n° {staff.pk}"]
    assert staff_events[0].changes == {
        "first_name": "modifié",
        "last_name": "modifié",
        "email": "renseigné",
        "is_synthetic": [True, False],  # not personal: kept with its values
    }


@pytest.mark.django_db
def test_a_history_shows_the_current_name_through_the_object(tree):
    from tests.factories import SchoolFactory, StaffFactory

    staff = StaffFactory(school=SchoolFactory(commune=tree.laon), first_name="Ana", last_name="Lys")
    event = audit.record(staff, audit.AuditAction.UPDATE, changes={"last_name": ["Lis", "Lys"]})
    ContentType.objects.clear_cache()

    [shown] = audit.with_current_labels([AuditEvent.objects.get(pk=event.pk)])
    assert (shown.object_repr, shown.label) == (f"Personnel n° {staff.pk}", "Ana Lys")
    staff.delete()  # the erasure of the person: no name anywhere any more
    [shown] = audit.with_current_labels([AuditEvent.objects.get(pk=event.pk)])
    assert shown.label == f"Personnel n° {event.object_id}"
    audit.readable_changes(Staff, [shown])
    assert [str(c) for c in shown.readable_changes] == ["nom\u00a0: modifié"]
