"""Who may do what with the territory reference data: plain functions, one per action."""

from tne.accounts.enums import Role


def can_import_reference_data(user) -> bool:
    """National steering (granted on the country only) and the superusers import the reference
    files. The importer writes whatever the file holds, wherever its schools are, so it is not
    given to roles scoped on part of the territory: a coordinator of Aisne could otherwise write
    schools of Val-d'Oise."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(g.role == Role.NATIONAL for g in user.grants)
