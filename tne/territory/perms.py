"""What the territory's reference data lets each role do: the permissions it declares, and the
plain functions that check them."""

from tne.core.permissions import declare
from tne.core.roles import Role
from tne.core.scope import holds

VIEW_SCHOOLS = declare(
    "territory.view_schools",
    "Consulter les établissements, leurs classes et leurs chiffres",
    roles=Role.values,
)
VIEW_PEOPLE = declare(
    "territory.view_people",
    "Lire les données nominatives (personnels, historique des modifications)",
    roles={
        Role.NATIONAL,
        Role.COORDINATOR,
        Role.IEN_ERUN,
        Role.SCHOOL_HEAD,
        Role.TEACHER,
        Role.TECHNICIAN,
        Role.TRAINER,
    },
)
# Within their scope: the importer leaves out (and reports) the rows about schools outside it.
IMPORT_REFERENCE = declare(
    "territory.import_reference",
    "Importer les données de référence (fichiers ouverts)",
    roles={Role.NATIONAL, Role.COORDINATOR},
)


def can_import_reference_data(user) -> bool:
    return holds(user, IMPORT_REFERENCE)


def can_view_history(user) -> bool:
    """« Historique du territoire »: the agents' record of their work, for those who read people."""
    return holds(user, VIEW_PEOPLE)
