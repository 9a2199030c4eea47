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


# « Historique du territoire »: the agents' record of their work in the places they steer (a
# teacher works in a school, they do not steer it).
VIEW_HISTORY = declare(
    "territory.view_history",
    "Consulter l'historique des modifications de son territoire",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.IEN_ERUN, Role.SCHOOL_HEAD},
)


def can_view_history(user) -> bool:
    return holds(user, VIEW_HISTORY)


# The steering tool: the browser of départements, communes and circonscriptions, the school list
# and the map. A parent, a teacher or a school head works with their own school(s), reached from
# the home page; they do not walk the territory.
BROWSE = declare(
    "territory.browse",
    "Parcourir le territoire (départements, communes, circonscriptions, liste et carte des "
    "établissements)",
    roles={
        Role.NATIONAL,
        Role.COORDINATOR,
        Role.IEN_ERUN,
        Role.TECHNICIAN,
        Role.TRAINER,
        Role.LOCAL_AUTHORITY,
        Role.EVALUATOR,
    },
)
# Exports of the school list (CSV, XLSX): the rows are those the export permission reaches.
EXPORT = declare(
    "territory.export",
    "Exporter la liste des établissements (CSV, XLSX)",
    roles={
        Role.NATIONAL,
        Role.COORDINATOR,
        Role.IEN_ERUN,
        Role.TECHNICIAN,
        Role.LOCAL_AUTHORITY,
        Role.EVALUATOR,
    },
)
# The IPS (indice de position sociale) is a social index of the families of a school: read by
# those who steer and evaluate the programme and by the head of the school, not by parents,
# teachers, local authorities, technicians or trainers.
VIEW_IPS = declare(
    "territory.view_ips",
    "Lire l'indice de position sociale (IPS) des établissements",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.IEN_ERUN, Role.SCHOOL_HEAD, Role.EVALUATOR},
)


def can_browse_territory(user) -> bool:
    return holds(user, BROWSE)


def can_export_schools(user) -> bool:
    return holds(user, EXPORT)


def can_view_ips(user) -> bool:
    return holds(user, VIEW_IPS)
