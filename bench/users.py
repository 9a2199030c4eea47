"""The two people the bench logs in as: national steering (scope: everything) and the
coordinator of one département. Created once in the bench database."""

from tne.accounts.models import RoleAssignment, User
from tne.core.roles import Role
from tne.territory.enums import NodeKind
from tne.territory.models import TerritoryNode

COORDINATED_DEPARTEMENT = ("02", "002")


def _user_with_grant(email: str, role: str, node: TerritoryNode) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password=None, first_name="Banc", last_name=role)
    if not RoleAssignment.objects.filter(user=user, role=role, node=node).exists():
        assignment = RoleAssignment(user=user, role=role, node=node)
        assignment.full_clean()
        assignment.save()
    return user


def coordinated_departement() -> TerritoryNode:
    node = (
        TerritoryNode.objects.filter(kind=NodeKind.DEPARTEMENT, code__in=COORDINATED_DEPARTEMENT)
        .order_by("code")
        .first()
    )
    if node is None:
        raise SystemExit("Le département de l'Aisne (02) est absent : l'import a-t-il eu lieu ?")
    return node


def bench_users() -> dict[str, User]:
    country = TerritoryNode.objects.filter(kind=NodeKind.COUNTRY).order_by("pk").first()
    if country is None:
        raise SystemExit("Aucun nœud « pays » : l'import n'a pas créé l'arbre du territoire.")
    departement = coordinated_departement()
    return {
        "national": _user_with_grant("banc-national@example.org", Role.NATIONAL, country),
        "coordination": _user_with_grant(
            f"banc-coordination-{departement.code}@example.org", Role.COORDINATOR, departement
        ),
    }
