"""Granting and withdrawing roles: the one place that writes RoleAssignment rows (admin, demo,
CLI), each write with its audit event."""

from django.db import transaction

from tne.core import audit
from tne.core.models import AuditAction, AuditSource
from tne.territory.models import School, TerritoryNode

from .models import RoleAssignment, User


def target_lookup(target: TerritoryNode | School) -> dict:
    """The RoleAssignment field a target goes in: a school, or a node of the territory."""
    return {"school": target} if isinstance(target, School) else {"node": target}


@transaction.atomic
def grant_role(
    *,
    user: User,
    role: str,
    target: TerritoryNode | School,
    granted_by: User | None = None,
    source: str = AuditSource.UI,
) -> RoleAssignment:
    """Grant ``role`` to ``user`` on a node of the territory or on a school (idempotent)."""
    on = target_lookup(target)
    existing = RoleAssignment.objects.filter(user=user, role=role, **on).first()
    if existing:
        return existing
    assignment = RoleAssignment(user=user, role=role, granted_by=granted_by, **on)
    assignment.full_clean()
    assignment.save()
    audit.record(
        assignment,
        AuditAction.CREATE,
        actor=granted_by,
        source=source,
        changes={
            "user": [None, user.pk],
            "role": [None, role],
            **{name: [None, place.pk] for name, place in on.items()},
        },
    )
    forget_scope(user)
    return assignment


@transaction.atomic
def withdraw_role(
    *, assignment: RoleAssignment, withdrawn_by: User | None = None, source: str = AuditSource.UI
) -> None:
    audit.record(
        assignment,
        AuditAction.DELETE,
        actor=withdrawn_by,
        source=source,
        changes={
            "user": [assignment.user_id, None],
            "role": [assignment.role, None],
            **{name: [place.pk, None] for name, place in target_lookup(assignment.target).items()},
        },
    )
    assignment.delete()
    forget_scope(assignment.user)


def forget_scope(user: User) -> None:
    """Drop the grants and scope memoised on this user object."""
    user.__dict__.pop("grants", None)
    user.__dict__.pop("_tne_scopes", None)
