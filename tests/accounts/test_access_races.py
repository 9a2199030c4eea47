"""Check-then-act races of « Accès »: the rules read the account's roles, so the account rows are
locked before they are read. Real threads on PostgreSQL (SQLite serialises writers anyway)."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import Role, UserFactory, grant, territory_tree
from tne.accounts.access import withdraw_access
from tne.accounts.models import RoleAssignment, User
from tne.core.models import AuditAction, AuditEvent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The in-memory SQLite test database (shared cache) raises « table is locked » "
        "instead of waiting.",
    ),
    pytest.mark.django_db(transaction=True),
]


def _at_once(calls) -> list[object]:
    """Run each call in its own thread, all released together; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_withdrawals_of_ones_two_managing_roles_at_once_leave_one():
    tree = territory_tree()
    person = UserFactory()
    national = grant(person, Role.NATIONAL, tree.country)
    coordination = grant(person, Role.COORDINATOR, tree.aisne)

    def withdraw(pk):
        return lambda: withdraw_access(
            manager=User.objects.get(pk=person.pk),
            assignment=RoleAssignment.objects.get(pk=pk),
        )

    outcomes = _at_once([withdraw(national.pk), withdraw(coordination.pk)])

    # One goes through; the other, decided on the roles the first left, is refused: as the last
    # managing role (the national one is left) or as a coordinator's, who may not withdraw a
    # coordination (the coordination is left). Either way the account keeps one.
    assert outcomes.count(None) == 1
    refused = next(o for o in outcomes if o is not None)
    assert isinstance(refused, ValidationError | PermissionDenied), refused
    assert RoleAssignment.objects.filter(user=person).count() == 1


def test_six_withdrawals_of_one_assignment_at_once_withdraw_it_once():
    tree = territory_tree()
    steering = UserFactory()
    grant(steering, Role.NATIONAL, tree.country)
    target = grant(UserFactory(), Role.TECHNICIAN, tree.aisne)

    def withdraw():
        return withdraw_access(
            manager=User.objects.get(pk=steering.pk),
            assignment=RoleAssignment.objects.get(pk=target.pk),
        )

    outcomes = _at_once([withdraw] * 6)

    assert [o for o in outcomes if not isinstance(o, RoleAssignment.DoesNotExist)] == [None]
    assert not RoleAssignment.objects.filter(pk=target.pk).exists()
    deletions = AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=str(target.pk))
    assert deletions.count() == 1
