"""The demo accounts: one per role, each with exactly one role on a fixed part of the territory,
plus an administrator. Passwords are random, generated on the first run and kept in
``VAR_DIR/demo-logins.json`` (git-ignored) so that re-runs reuse them; none is in the code."""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tne.accounts.models import User
from tne.accounts.roles import grant_role, withdraw_role
from tne.core.models import AuditSource
from tne.core.roles import Role
from tne.territory.enums import NodeKind, Sector, StaffRole
from tne.territory.models import School, Staff, TerritoryNode

DOMAIN = "demo.tne.invalid"
LOGINS_FILE = "demo-logins.json"
PILOT_COMMUNE = "02408"  # Laon: the demo école, its commune and circonscription are there.


@dataclass(frozen=True)
class DemoAccount:
    local_part: str
    role: str | None  # None: the administrator (superuser, no role)
    target: str  # which demo target the role is granted on
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DOMAIN}"


ACCOUNTS = (
    DemoAccount("pilotage", Role.NATIONAL, "country", "Nadia", "Pilote"),
    DemoAccount("coordination", Role.COORDINATOR, "aisne", "Claire", "Coordinatrice"),
    DemoAccount("circonscription", Role.IEN_ERUN, "circonscription", "Julien", "Inspecteur"),
    DemoAccount("direction", Role.SCHOOL_HEAD, "ecole", "Camille", "Directrice"),
    DemoAccount("enseignant", Role.TEACHER, "ecole", "Lucas", "Enseignant"),
    DemoAccount("parent", Role.PARENT, "ecole", "Sophie", "Parent"),
    DemoAccount("technicien", Role.TECHNICIAN, "val-d-oise", "Karim", "Technicien"),
    DemoAccount("formation", Role.TRAINER, "aisne", "Élise", "Formatrice"),
    DemoAccount("collectivite", Role.LOCAL_AUTHORITY, "commune", "Marc", "Collectivité"),
    DemoAccount("evaluation", Role.EVALUATOR, "country", "Inès", "Évaluatrice"),
    DemoAccount("admin", None, "", "Admin", "Démonstration"),
)
# The account linked to a Staff row of the demo école, and the role of that row.
STAFF_LINKS = {Role.SCHOOL_HEAD: StaffRole.HEAD, Role.TEACHER: StaffRole.TEACHER}


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    scope: str


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / LOGINS_FILE


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only, never world-readable even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(json.dumps(passwords, indent=2, sort_keys=True) + "\n")


def demo_ecole(aisne: TerritoryNode) -> School:
    """A public école of Laon with a circonscription (else of anywhere in Aisne)."""
    ecoles = (
        School.objects.first_degree()
        .filter(departement=aisne, sector=Sector.PUBLIC, circonscription__isnull=False)
        .select_related("commune", "circonscription")
        .order_by("uai")
    )
    ecole = ecoles.filter(commune__code=PILOT_COMMUNE).first() or ecoles.first()
    if ecole is None:
        raise ValueError("Aucune école publique de l'Aisne rattachée à une circonscription.")
    return ecole


def demo_targets() -> dict[str, TerritoryNode | School]:
    country = TerritoryNode.objects.get(kind=NodeKind.COUNTRY)
    aisne = TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="02")
    ecole = demo_ecole(aisne)
    return {
        "country": country,
        "aisne": aisne,
        "val-d-oise": TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="95"),
        "ecole": ecole,
        "circonscription": ecole.circonscription,
        "commune": ecole.commune,
    }


def _ensure_user(account: DemoAccount, password: str, *, reset: bool, staff: Staff | None):
    # The accounts linked to a Staff row bear its name.
    first, last = (staff or account).first_name, (staff or account).last_name
    user = User.objects.filter(email=account.email).first()
    if user is None:
        create = User.objects.create_superuser if account.role is None else User.objects.create_user
        return create(account.email, password, first_name=first, last_name=last)
    if reset:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _link_staff(user: User, staff: Staff | None) -> None:
    if staff is not None and staff.user_id != user.pk:
        Staff.objects.filter(user=user).exclude(pk=staff.pk).update(user=None)
        staff.user = user
        staff.save(update_fields=["user"])


def _staff_row(ecole: School, role: str | None, email: str) -> Staff | None:
    if role not in STAFF_LINKS:
        return None
    rows = Staff.objects.filter(school=ecole, role=STAFF_LINKS[role]).order_by("pk")
    return rows.filter(user__email=email).first() or rows.filter(user__isnull=True).first()


@transaction.atomic
def ensure_demo_accounts() -> list[Login]:
    """Creates (or keeps) the demo accounts and their single role; returns their logins."""
    path = logins_path()
    passwords = _read_passwords(path)
    stored = dict(passwords)
    targets = demo_targets()
    logins = []
    for account in ACCOUNTS:
        known = account.email in passwords
        password = passwords.get(account.email) or secrets.token_urlsafe(12)
        passwords[account.email] = password
        staff = _staff_row(targets["ecole"], account.role, account.email)
        user = _ensure_user(account, password, reset=not known, staff=staff)
        _link_staff(user, staff)
        if account.role is None:
            logins.append(Login("Administration", account.email, password, "Tout le territoire"))
            continue
        target = targets[account.target]
        kept = grant_role(user=user, role=account.role, target=target, source=AuditSource.CLI)
        for other in user.role_assignments.exclude(pk=kept.pk):
            withdraw_role(assignment=other, source=AuditSource.CLI)
        logins.append(Login(Role(account.role).label, account.email, password, str(target)))
    if passwords != stored:
        _write_passwords(path, passwords)
    return logins
