"""``GET /me``: who the API thinks you are, your roles and your scope."""

from ninja import Field, Router, Schema

from tne.core.api.schemas import ChoiceOut, choice
from tne.core.permissions import declared
from tne.core.roles import Role
from tne.core.scope import scope_of

router = Router(tags=["Compte"])


class GrantOut(Schema):
    """Un rôle attribué sur un établissement ou un nœud du territoire."""

    role: ChoiceOut
    target_kind: str = Field(description="SCHOOL, ou le type du nœud du territoire.")
    target_code: str = Field(description="UAI de l'établissement ou code du nœud.")
    target_name: str


class PermissionOut(Schema):
    """Une permission que portent certains des rôles de l'utilisateur, là où ils sont attribués."""

    code: str = Field(description="Code stable de la permission (« territory.view_people »…).")
    label: str
    everything: bool = Field(description="Vaut pour tout le territoire national.")


class MeOut(Schema):
    """L'utilisateur authentifié."""

    email: str
    first_name: str
    last_name: str
    roles: list[GrantOut]
    permissions: list[PermissionOut] = Field(
        description="Ce que les rôles permettent ; chaque permission ne vaut que sur les lieux "
        "des rôles qui la portent."
    )


def _grant(grant) -> dict:
    if grant.school_id:
        kind, code, name = "SCHOOL", grant.school.uai, grant.school.name
    else:
        kind, code, name = grant.node.kind, grant.node.code, grant.node.name
    return {
        "role": choice(Role, grant.role),
        "target_kind": kind,
        "target_code": code,
        "target_name": name,
    }


@router.get(
    "/me",
    response=MeOut,
    summary="Mon compte",
    description="L'utilisateur authentifié, ses rôles et ce qu'ils lui permettent.",
)
def me(request):
    user = request.auth
    held = [(p, scope_of(user, p)) for p in declared()]
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": [_grant(g) for g in user.grants],
        "permissions": [
            {"code": p.code, "label": p.label, "everything": scope.everything}
            for p, scope in held
            if not scope.is_empty
        ],
    }
