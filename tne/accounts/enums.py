"""How roles are granted (the roles themselves are ``tne.core.roles.Role``)."""

from tne.core.roles import Role

# Roles granted on a school rather than on a node of the territory tree.
SCHOOL_ROLES = {Role.SCHOOL_HEAD, Role.TEACHER, Role.PARENT}
