"""Linking a parent's account to a pupil, and unlinking it: the school head (``loans.declare_needs``
or ``loans.read_contact`` on the pupil's school) gives the address; the account is created if
there is none, gets the « Parent » role on the school (``accounts.roles.grant_role``) and a
``FamilyLink`` to the pupil. A parent who has no password yet receives, at their own address,
the one-time link to choose one, through the notification service (« Messages envoyés » shows
the message with the link masked: the manager never sees it). What the parent then sees is the
page « Mon prêt » and nothing else (``tne.loans.family_access``)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tne.accounts.access import ensure_user, is_privileged, send_password_link
from tne.accounts.models import RoleAssignment, User
from tne.accounts.roles import grant_role, withdraw_role
from tne.core import audit, notify
from tne.core.models import AuditAction, AuditSource
from tne.core.roles import Role

from ..models import FamilyLink, Pupil
from ..perms import can_declare_needs, can_read_contact

ALREADY_LINKED = "Ce compte est déjà rattaché à cet élève."
WELCOME_KIND = notify.message_kind(
    "loans.family_welcome", "Accès d'une famille au suivi du prêt (lien de mot de passe)"
)
WELCOME_SUBJECT = "TNE\u00a0: suivre le prêt de matériel de votre enfant"
PRIVILEGED = (
    "Cette adresse est celle d'un compte d'administration ou de pilotage national\u00a0: elle ne "
    "peut pas être rattachée à un élève."
)


def can_link_family(user, school) -> bool:
    """The school head and the M6 coordinator of the school, who know the family."""
    return can_declare_needs(user, school) or can_read_contact(user, school)


@dataclass(frozen=True)
class LinkOutcome:
    link: FamilyLink
    user_created: bool
    password_link_sent: bool


@transaction.atomic
def link_parent(
    *, actor: User, pupil: Pupil, email: str, source: str = AuditSource.UI, site_url: str = ""
) -> LinkOutcome:
    """Link the account of ``email`` (created if needed) to ``pupil``, with the « Parent » role
    on the pupil's school. Raises ``PermissionDenied`` when ``actor`` may not, and a
    ``ValidationError`` on ``email`` for an account that cannot be a parent's or is already
    linked."""
    school = pupil.school
    if not can_link_family(actor, school):
        raise PermissionDenied(
            "Vous ne pouvez pas rattacher une famille aux élèves de cette école."
        )
    parent, created = ensure_user(email=email, created_by=actor)
    # Two heads linking one address at once: the second waits, then sees the first's link.
    parent = User.objects.select_for_update().get(pk=parent.pk)
    if is_privileged(parent, actor):
        raise ValidationError({"email": PRIVILEGED})
    if FamilyLink.objects.filter(user=parent, pupil=pupil).exists():
        raise ValidationError({"email": ALREADY_LINKED})
    assignment = grant_role(
        user=parent, role=Role.PARENT, target=school, granted_by=actor, source=source
    )
    link = FamilyLink(user=parent, pupil=pupil, created_by=actor)
    link.full_clean()
    link.save()
    audit.record(
        link,
        AuditAction.CREATE,
        actor=actor,
        source=source,
        changes={"user": [None, parent.pk], "pupil": [None, pupil.pk]},
    )
    send = not parent.has_usable_password()
    if send:
        # After the commit: the one-time link's token covers the account's roles, so it is made
        # once every grant of the transaction is written (a rollback sends nothing).
        transaction.on_commit(
            lambda: send_welcome(link=link, assignment=assignment, actor=actor, site_url=site_url)
        )
    return LinkOutcome(link=link, user_created=created, password_link_sent=send)


@transaction.atomic
def unlink_parent(*, actor: User, link: FamilyLink, source: str = AuditSource.UI) -> None:
    """Remove ``link``; the « Parent » role on the school goes with the last link of that account
    to a pupil of the school (a parent of two pupils of the school keeps it for the other)."""
    link = FamilyLink.objects.select_related("pupil__school", "user").get(pk=link.pk)
    school = link.pupil.school
    if not can_link_family(actor, school):
        raise PermissionDenied("Vous ne pouvez pas retirer les familles des élèves de cette école.")
    audit.record(
        link,
        AuditAction.DELETE,
        actor=actor,
        source=source,
        changes={"user": [link.user_id, None], "pupil": [link.pupil_id, None]},
    )
    parent = link.user
    link.delete()
    if not FamilyLink.objects.filter(user=parent, pupil__school=school).exists():
        for assignment in RoleAssignment.objects.filter(
            user=parent, role=Role.PARENT, school=school
        ):
            withdraw_role(assignment=assignment, withdrawn_by=actor, source=source)


def send_welcome(
    *, link: FamilyLink, assignment: RoleAssignment, actor: User | None, site_url: str = ""
) -> notify.Message:
    """E-mail the parent of ``link`` the one-time link where they choose their password, in
    plain words (``accounts.access.send_password_link``: through ``tne.core.notify``, the link
    confidential), placed at the school, about the link."""
    return send_password_link(
        user=link.user,
        subject=WELCOME_SUBJECT,
        template="loans/family/email/welcome.txt",
        context={"school": assignment.school, "email": link.user.email},
        kind=WELCOME_KIND,
        place=assignment.school,
        reference=link,
        actor=actor,
        site_url=site_url,
    )
