"""Writes of accounts made in the Django admin (creation, change, deletion), each with its audit
event. The trail names no one: ``User.PERSONAL_FIELDS`` (e-mail, names, password…) are recorded
as « modifié » and the account as « Utilisateur n° 12 »."""

from collections.abc import Iterable

from django.db import transaction

from tne.core import audit
from tne.core.models import AuditAction, AuditSource

from .models import User
from .roles import withdraw_role

# What the trail follows of an account (``last_login`` changes at each login: not an edit).
AUDITED_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "password",
    "is_active",
    "is_staff",
    "is_superuser",
    "external_id",
]


def _values(user: User) -> dict:
    return {name: getattr(user, name) for name in AUDITED_FIELDS}


@transaction.atomic
def save_account(*, user: User, actor: User | None, source: str = AuditSource.ADMIN) -> User:
    """Saves ``user`` as edited (a new account or a change of its fields), audited."""
    before = User.objects.filter(pk=user.pk).first() if user.pk else None
    user.full_clean(validate_unique=True, exclude=["password"])
    user.save()
    changes = audit.diff(before or User(), _values(user))
    if before is None:
        audit.record(user, AuditAction.CREATE, actor=actor, source=source, changes=changes)
    elif changes:
        audit.record(user, AuditAction.UPDATE, actor=actor, source=source, changes=changes)
    return user


@transaction.atomic
def delete_accounts(
    *, users: Iterable[User], actor: User | None, source: str = AuditSource.ADMIN
) -> None:
    """Deletes accounts; their roles are withdrawn first, each with its own event."""
    for user in users:
        for assignment in user.role_assignments.select_related("node", "school__commune"):
            withdraw_role(assignment=assignment, withdrawn_by=actor, source=source)
        audit.record(user, AuditAction.DELETE, actor=actor, source=source)
        user.delete()
