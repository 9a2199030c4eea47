"""Who may do what with the territory reference data: plain functions, one per action."""

from tne.accounts.enums import Role

# Roles whose holders keep the reference data (schools, classes, staff) up to date.
REFERENCE_DATA_ROLES = {Role.NATIONAL, Role.COORDINATOR}


def can_import_reference_data(user) -> bool:
    """National steering and the coordinators import the reference files; the importer writes
    whatever the file holds, so it is not given to roles scoped on a school or a commune."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(g.role in REFERENCE_DATA_ROLES for g in user.grants)
