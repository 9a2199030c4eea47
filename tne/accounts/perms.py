"""What the accounts app lets each role do."""

from tne.core.permissions import declare
from tne.core.roles import Role
from tne.core.scope import holds

# National steering manages every role everywhere; a coordinator the roles below theirs in their
# territory (see ``access.py``).
MANAGE_ACCESS = declare(
    "accounts.manage_access",
    "Attribuer et retirer des rôles (page « Accès »)",
    roles={Role.NATIONAL, Role.COORDINATOR},
)

# Personal API tokens (page « Jetons d'API »): for the roles that feed or read the programme's
# data from other tools. The API refuses the token of a person who lost this permission.
USE_API = declare(
    "accounts.use_api",
    "Utiliser l'API (jetons d'API personnels)",
    # School heads and local authorities sign and co-sign installations through the API too.
    roles={
        Role.NATIONAL,
        Role.COORDINATOR,
        Role.IEN_ERUN,
        Role.SCHOOL_HEAD,
        Role.TECHNICIAN,
        Role.LOCAL_AUTHORITY,
        Role.EVALUATOR,
    },
)


def can_use_api(user) -> bool:
    return holds(user, USE_API)
