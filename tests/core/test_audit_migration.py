"""The data migration of the audit trail (core 0003): the events written before it get their
place where it can be derived, and lose the names and e-mails they held."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from tests.factories import Role, SchoolClassFactory, SchoolFactory, StaffFactory, UserFactory
from tne.accounts.models import RoleAssignment
from tne.core.models import AuditAction, AuditEvent, AuditSource

migration = importlib.import_module("tne.core.migrations.0003_audit_event_places_and_no_names")

pytestmark = pytest.mark.django_db


def legacy(obj, repr_, changes) -> AuditEvent:
    """An event as the trail wrote it before: no place, the name in it."""
    return AuditEvent.objects.create(
        source=AuditSource.ADMIN,
        action=AuditAction.UPDATE,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=repr_,
        changes=changes,
    )


def test_old_events_get_their_place_and_lose_names_and_emails(tree):
    school = SchoolFactory(commune=tree.laon)
    school_class = SchoolClassFactory(school=school)
    staff = StaffFactory(school=school, first_name="Ana", last_name="Lys")
    user = UserFactory(email="Ana.Lys@example.org")
    grant = RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, node=tree.aisne)
    events = {
        "school": legacy(school, school.name, {"ips": ["1", "2"]}),
        "class": legacy(school_class, str(school_class), {}),
        "staff": legacy(staff, "Ana Lys", {"last_name": ["Lis", "Lys"]}),
        "user": legacy(user, "Ana Lys", {"email": [None, "ana.lys@example.org"]}),
        "grant": legacy(
            grant, "Coordination — Aisne (02)", {"user": [None, "ana.lys@example.org"]}
        ),
        "node": legacy(tree.soissons, "Soissons", {}),
    }

    migration.forwards(apps, None)

    got = {k: AuditEvent.objects.get(pk=e.pk) for k, e in events.items()}
    assert {k: (e.place_path, e.place_school_id) for k, e in got.items()} == {
        "school": (tree.laon.path, school.pk),
        "class": (tree.laon.path, school.pk),
        "staff": (tree.laon.path, school.pk),
        "user": ("", None),
        "grant": (tree.aisne.path, None),
        "node": (tree.soissons.path, None),
    }
    assert (got["staff"].object_repr, got["staff"].changes) == (
        f"Personnel n° {staff.pk}",
        {"last_name": "modifié"},
    )
    assert (got["user"].object_repr, got["user"].changes) == (
        f"Utilisateur n° {user.pk}",
        {"email": "renseigné"},
    )
    assert got["grant"].changes == {"user": [None, user.pk]}
    assert got["school"].changes == {"ips": ["1", "2"]}
