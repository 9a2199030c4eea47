"""Access management: who may grant and withdraw roles, on what, and the writes behind the
« Accès » pages. National steering (and superusers) manage everything; a coordinator manages the
part of the territory below their node, except the roles that decide who manages
(``STEERING_ONLY_ROLES``). Every role write goes through ``grant_role`` / ``withdraw_role``."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tne.core import audit, notify
from tne.core.models import AuditAction, AuditSource
from tne.core.roles import Role
from tne.core.scope import Scope, holds, scope_of
from tne.territory.models import School, TerritoryNode

from .models import RoleAssignment, User, normalize_email
from .perms import MANAGE_ACCESS
from .roles import forget_scope, grant_role, target_lookup, withdraw_role

INVITATION_KIND = notify.message_kind(
    "accounts.invitation", "Attribution d'un rôle à un nouveau compte (lien de mot de passe)"
)
INVITATION_SUBJECT = "TNE\u00a0: choisissez votre mot de passe"

# Roles only national steering and superusers grant or withdraw: they decide who manages.
STEERING_ONLY_ROLES = {Role.NATIONAL, Role.COORDINATOR}


def can_manage_access(user) -> bool:
    return holds(user, MANAGE_ACCESS)


def is_steering(user) -> bool:
    """National steering or a superuser: manages access on the whole country."""
    return scope_of(user, MANAGE_ACCESS).everything


def management_scope(user) -> Scope:
    """Where ``user`` manages access: the nodes at or below the nodes of their grants carrying
    ``accounts.manage_access``, and the schools there (everything for steering)."""
    return scope_of(user, MANAGE_ACCESS)


def grantable_roles(user) -> list[Role]:
    if not can_manage_access(user):
        return []
    steering = is_steering(user)
    return [role for role in Role if steering or role not in STEERING_ONLY_ROLES]


def target_in_scope(scope: Scope, target: TerritoryNode | School) -> bool:
    if isinstance(target, School):
        return scope.contains_school(target)
    return scope.covers_node(target)


def can_grant(user, role: str, target: TerritoryNode | School | None) -> bool:
    """Whether ``user`` may grant (or withdraw) ``role`` on ``target``. Whether the role fits
    the kind of target is ``RoleAssignment.clean``'s business, not this one's."""
    if target is None or role not in grantable_roles(user):
        return False
    return target_in_scope(management_scope(user), target)


def can_withdraw(user, assignment: RoleAssignment) -> bool:
    return can_grant(user, assignment.role, assignment.target)


def withdraw_refusal(user, assignment: RoleAssignment) -> str | None:
    """Why ``user`` may not withdraw ``assignment`` although it is theirs to manage: it is the
    last role that lets them manage access (a superuser keeps managing without it)."""
    if assignment.user_id != user.pk or not MANAGE_ACCESS.carried_by(assignment.role):
        return None
    if user.is_superuser:
        return None
    if any(MANAGE_ACCESS.carried_by(g.role) and g.pk != assignment.pk for g in user.grants):
        return None
    return (
        "C'est votre dernier rôle de gestion des accès\u00a0: en le retirant, vous ne pourriez "
        "plus gérer les accès. Demandez à une autre personne habilitée de le retirer."
    )


def assignments_visible_to(user) -> QuerySet[RoleAssignment]:
    """The role assignments on a node or a school of the user's management scope."""
    scope = management_scope(user)
    return RoleAssignment.objects.filter(scope.node_q("node__") | scope.school_q("school__"))


def filtered_assignments(
    user, *, role: str = "", text: str = "", departement: TerritoryNode | None = None
) -> QuerySet[RoleAssignment]:
    """The assignments the manager sees, filtered, with what the list shows (one query)."""
    assignments = assignments_visible_to(user)
    if role:
        assignments = assignments.filter(role=role)
    for word in text.split():
        assignments = assignments.filter(
            Q(user__email__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
        )
    if departement is not None:
        assignments = assignments.filter(
            Q(node__path__startswith=departement.path) | Q(school__departement=departement)
        )
    return assignments.select_related("user", "node", "school", "granted_by").order_by(
        "user__email", "role", "pk"
    )


@dataclass(frozen=True)
class GrantOutcome:
    assignment: RoleAssignment
    user_created: bool
    already_granted: bool
    # Whether a message was sent to the person to choose a password (they have none yet).
    password_link_sent: bool


PRIVILEGED_ACCOUNT = (
    "Cette adresse ne peut pas recevoir de rôle depuis cette page\u00a0: adressez-vous au pilotage "
    "national."
)


def is_privileged(person: User, manager: User) -> bool:
    """Accounts that « Accès » does not touch: superusers and staff (managed in the
    administration), and, for anyone but national steering, the accounts of national steering."""
    if person.is_superuser or person.is_staff:
        return True
    return not is_steering(manager) and person.role_assignments.filter(role=Role.NATIONAL).exists()


@transaction.atomic
def ensure_user(
    *, email: str, first_name: str = "", last_name: str = "", created_by: User | None = None
) -> tuple[User, bool]:
    """The account with this e-mail address, created without a usable password if there is none
    (its owner chooses one through a password-set link)."""
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    audit.record(
        user,
        AuditAction.CREATE,
        actor=created_by,
        source=AuditSource.UI,
        changes={"email": [None, user.email]},
    )
    return user, True


@transaction.atomic
def grant_access(
    *,
    manager: User,
    email: str,
    role: str,
    target: TerritoryNode | School,
    site_url: str = "",
    first_name: str = "",
    last_name: str = "",
) -> GrantOutcome:
    """Grant ``role`` on ``target`` to the account with this e-mail, creating it if needed,
    and send a person who has no password yet the link to choose one (``site_url``: the
    address of the site for the link, ``TNE_SITE_URL`` by default). Granting a role the person
    already has changes nothing."""
    if not can_grant(manager, role, target):
        raise PermissionDenied("Vous ne pouvez pas attribuer ce rôle sur ce périmètre.")
    user, created = ensure_user(
        email=email, first_name=first_name, last_name=last_name, created_by=manager
    )
    # Two managers granting to one account at once: the second waits, then sees the first's roles.
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_privileged(user, manager):
        raise ValidationError({"email": PRIVILEGED_ACCOUNT})
    on = target_lookup(target)
    already = not created and RoleAssignment.objects.filter(user=user, role=role, **on).exists()
    assignment = grant_role(
        user=user, role=role, target=target, granted_by=manager, source=AuditSource.UI
    )
    # The link to choose a password goes to the person's own address, never to the manager:
    # nobody can open an account by granting it a role, and the page reads the same whether the
    # address had an account or not.
    send = not user.has_usable_password()
    if send:
        transaction.on_commit(
            lambda: send_password_set_link(
                user=user, assignment=assignment, site_url=site_url, actor=manager
            )
        )
    return GrantOutcome(
        assignment=assignment,
        user_created=created,
        already_granted=already,
        password_link_sent=send,
    )


def send_password_link(
    *,
    user: User,
    subject: str,
    template: str,
    context: dict,
    kind: str,
    place,
    reference,
    actor: User | None,
    site_url: str = "",
) -> notify.Message:
    """E-mail ``user`` a text (``template`` with ``context``, plus ``link`` and
    ``timeout_days``) carrying the one-time link where they choose their password, through
    ``tne.core.notify``: the link is confidential, only the person's mailbox gets it, « Messages
    envoyés » masks it. Call it after the commit of the grants (the token covers the roles)."""
    link = (site_url or settings.TNE_SITE_URL).rstrip("/") + password_set_path(user)
    context = context | {"link": link, "timeout_days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    return notify.send(
        channel=notify.Channel.EMAIL,
        to=user.email,
        subject=subject,
        body=render_to_string(template, context),
        kind=kind,
        place=place,
        reference=reference,
        actor=actor,
        confidential=[link],
    )


def send_password_set_link(
    *, user: User, assignment: RoleAssignment, site_url: str, actor: User | None = None
) -> notify.Message:
    """The invitation of a person granted a role without a password yet: placed where the role
    is, about the grant, the manager as sender."""
    return send_password_link(
        user=user,
        subject=INVITATION_SUBJECT,
        template="accounts/email/password_set.txt",
        context={"user": user, "assignment": assignment},
        kind=INVITATION_KIND,
        place=assignment,
        reference=assignment,
        actor=actor,
        site_url=site_url,
    )


@transaction.atomic
def withdraw_access(*, manager: User, assignment: RoleAssignment) -> None:
    """Withdraw ``assignment``. The rules read the account's roles: its row is locked first, so
    two withdrawals at once are decided one after the other, on the roles as the first left
    them (the second finds its assignment gone: ``RoleAssignment.DoesNotExist``)."""
    # Both accounts, in one statement and in the order of their keys (no deadlock between two
    # managers withdrawing each other's roles).
    list(
        User.objects.select_for_update()
        .filter(pk__in={assignment.user_id, manager.pk})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    forget_scope(manager)  # the rules below read the manager's roles as they are now
    assignment = RoleAssignment.objects.select_related("user", "node", "school").get(
        pk=assignment.pk
    )
    if not can_withdraw(manager, assignment):
        raise PermissionDenied("Vous ne pouvez pas retirer ce rôle.")
    refusal = withdraw_refusal(manager, assignment)
    if refusal:
        raise ValidationError(refusal)
    withdraw_role(assignment=assignment, withdrawn_by=manager, source=AuditSource.UI)


class PasswordSetTokenGenerator(PasswordResetTokenGenerator):
    """Django's password reset token, also void once the account's roles change: a link shown
    to one manager must not open the account after another manager gave it roles elsewhere."""

    key_salt = "tne.accounts.access.PasswordSetTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        roles = sorted(user.role_assignments.values_list("pk", "role", "node_id", "school_id"))
        return f"{super()._make_hash_value(user, timestamp)}{roles}"


password_set_tokens = PasswordSetTokenGenerator()


def password_set_path(user: User) -> str:
    """The path of a one-time link where ``user`` chooses their password (Django's password
    reset token: it stops working once the password is set, or after PASSWORD_RESET_TIMEOUT)."""
    return reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": password_set_tokens.make_token(user),
        },
    )
