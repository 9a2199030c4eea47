"""Inviting many people at once from a CSV file (page « Inviter depuis un fichier » of « Accès »):
one line per role to grant, ``email;role;uai;territoire``. Every line is checked first (an
address, a role this manager grants, a school by UAI or a territory by code within their
authority, a role that fits it); then every role is granted in one transaction through
:func:`tne.accounts.access.grant_access` (which mails the password link to the people without a
password), or none if one line fails."""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from tne.core.roles import Role
from tne.core.rowerrors import ErrorCollector, ImportFileError
from tne.core.tabular import CsvTable
from tne.territory.models import School, TerritoryNode

from .access import grant_access, grantable_roles, management_scope, target_in_scope
from .enums import SCHOOL_ROLES
from .models import ALLOWED_NODE_KINDS, RoleAssignment, User

COLUMNS = ("email", "role", "uai", "territoire")
REQUIRED = ("email", "role")
# The example lines of the downloadable template.
EXAMPLE_ROWS = [
    ["direction.ecole@example.org", "SCHOOL_HEAD", "0021234A", ""],
    ["ien.laon@example.org", "IEN_ERUN", "", "0201"],
]


@dataclass
class InviteLine:
    line: int
    email: str
    role: str
    target: TerritoryNode | School


@dataclass
class InviteSummary:
    granted: list[InviteLine] = field(default_factory=list)
    already: list[InviteLine] = field(default_factory=list)


def _role_of(value: str, roles: list[Role]) -> Role | None:
    """A role by its code (« SCHOOL_HEAD ») or its French label, whatever the case."""
    wanted = " ".join(value.split()).casefold()
    for role in roles:
        if wanted in (role.value.casefold(), str(role.label).casefold()):
            return role
    return None


def _target(cells: dict, line: int, role: Role, scope, errors: ErrorCollector):
    if role in SCHOOL_ROLES:
        uai = cells.get("uai", "").strip().upper()
        if not uai:
            errors.add(line, "uai", "indiquez l'UAI de l'établissement pour ce rôle.")
            return None
        school = School.objects.filter(scope.school_q(), uai=uai).first()
        if school is None:
            errors.add(line, "uai", f"aucun établissement de votre périmètre n'a l'UAI « {uai} ».")
        return school
    code = cells.get("territoire", "").strip().upper()
    if not code:
        errors.add(line, "territoire", "indiquez le code du territoire pour ce rôle.")
        return None
    nodes = list(
        TerritoryNode.objects.filter(scope.node_q(), code=code, kind__in=ALLOWED_NODE_KINDS[role])
    )
    if len(nodes) != 1:
        message = (
            f"aucun territoire de votre périmètre où ce rôle s'attribue n'a le code « {code} »."
            if not nodes
            else f"le code « {code} » désigne plusieurs territoires."
        )
        errors.add(line, "territoire", message)
        return None
    return nodes[0]


def check_invitations(path: str | Path, *, manager: User, label: str) -> list[InviteLine]:
    """Every line of the file, checked; raises :class:`ImportFileError` with every error (file,
    line, column) when one line is wrong."""
    table = CsvTable(path, label=label)
    table.header = [name.strip().lower() for name in table.header]
    table.require(REQUIRED)
    errors = ErrorCollector(label)
    roles = grantable_roles(manager)
    scope = management_scope(manager)
    lines: list[InviteLine] = []
    seen: dict[tuple, int] = {}
    for line, raw in table.rows(errors.add):
        cells = {key: (value or "").strip() for key, value in raw.items()}
        email = cells.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.add(line, "email", f"adresse électronique invalide « {email} ».")
            email = ""
        role = _role_of(cells.get("role", ""), roles)
        if role is None:
            errors.add(
                line,
                "role",
                f"rôle « {cells.get('role', '')} » inconnu ou que vous ne pouvez pas attribuer.",
            )
            continue
        target = _target(cells, line, role, scope, errors)
        if target is None or not email:
            continue
        school = target if isinstance(target, School) else None
        node = None if school else target
        try:
            RoleAssignment(role=role, node=node, school=school).clean()
        except ValidationError as error:
            column = "uai" if school else "territoire"
            for message in error.messages:
                errors.add(line, column, message[:1].lower() + message[1:])
            continue
        if not target_in_scope(scope, target):
            errors.add(line, "role", "vous ne pouvez pas attribuer ce rôle sur ce périmètre.")
            continue
        key = (email, role, target.pk, bool(school))
        if key in seen:
            errors.add(line, "email", f"même rôle, même personne qu'à la ligne {seen[key]}.")
            continue
        seen[key] = line
        lines.append(InviteLine(line=line, email=email, role=role, target=target))
    errors.raise_if_any()
    if not lines:
        errors.add(None, None, "le fichier n'a aucune ligne à traiter après son en-tête.")
        errors.raise_if_any()
    return lines


@transaction.atomic
def invite_from_file(upload, *, manager: User, site_url: str = "") -> InviteSummary:
    """Check every line of the uploaded file, then grant all its roles or none."""
    with tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        lines = check_invitations(copy.name, manager=manager, label=Path(upload.name).name)
    summary = InviteSummary()
    errors = ErrorCollector(Path(upload.name).name)
    for invite in lines:
        try:
            with transaction.atomic():
                outcome = grant_access(
                    manager=manager,
                    email=invite.email,
                    role=invite.role,
                    target=invite.target,
                    site_url=site_url,
                )
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            for message in messages:
                errors.add(invite.line, "email", message[:1].lower() + message[1:])
            continue
        (summary.already if outcome.already_granted else summary.granted).append(invite)
    if errors.errors:
        # Nothing of the file is kept (nor are its messages sent: they go on commit).
        transaction.set_rollback(True)
        raise ImportFileError(errors.errors)
    return summary
