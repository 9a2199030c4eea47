"""What the accounts app lets each role do."""

from tne.core.permissions import declare
from tne.core.roles import Role

# National steering manages every role everywhere; a coordinator the roles below theirs in their
# territory (see ``access.py``).
MANAGE_ACCESS = declare(
    "accounts.manage_access",
    "Attribuer et retirer des rôles (page « Accès »)",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
