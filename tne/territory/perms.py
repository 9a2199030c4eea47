"""Who may do what with the territory reference data: plain functions, one per action."""

from tne.accounts.enums import Role

# Roles whose holders keep the reference data up to date, each within their scope: the importer
# leaves out (and reports) the rows about schools outside it.
REFERENCE_DATA_ROLES = {Role.NATIONAL, Role.COORDINATOR}


def can_import_reference_data(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(g.role in REFERENCE_DATA_ROLES for g in user.grants)
