"""``GET /me``: who the API thinks you are, your roles and your scope."""

from ninja import Field, Router, Schema

from tne.accounts.enums import Role
from tne.core.api.schemas import ChoiceOut, choice
from tne.core.scope import scope_of

router = Router(tags=["Compte"])


class GrantOut(Schema):
    """Un rôle attribué sur un établissement ou un nœud du territoire."""

    role: ChoiceOut
    target_kind: str = Field(description="SCHOOL, ou le type du nœud du territoire.")
    target_code: str = Field(description="UAI de l'établissement ou code du nœud.")
    target_name: str


class ScopeOut(Schema):
    """Le périmètre de l'utilisateur."""

    everything: bool = Field(description="Voit tout le territoire national.")
    people: bool = Field(description="Peut lire les données nominatives (personnels).")


class MeOut(Schema):
    """L'utilisateur authentifié."""

    email: str
    first_name: str
    last_name: str
    roles: list[GrantOut]
    scope: ScopeOut


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
    description="L'utilisateur authentifié, ses rôles et son périmètre.",
)
def me(request):
    user = request.auth
    scope = scope_of(user)
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": [_grant(g) for g in user.grants],
        "scope": {"everything": scope.everything, "people": scope.people},
    }
