"""What the loans of measure M6 let each role do.

A pupil's record is pseudonymous (a code given by the school, no name), so reading the loans of a
school is the school's and its authorities' business (``loans.view``). The guardian's contact is
another matter: it is sealed at rest and only the school head and the M6 coordinator of that school
open it (``loans.read_contact``), every opening logged. The school declares needs with the
families and hands devices out; the coordinator sets the priority weights and the quotas of their
territory, runs the allocation and confirms offers to the next families on the waiting lists. An
evaluator reads the dashboards' aggregates, never a pupil. A parent sees only their own child's
loan, through the link of their account to that pupil (``FamilyLink``), not through a permission
on a place."""

from tne.core.permissions import declare
from tne.core.roles import Role
from tne.core.scope import holds, scope_of

VIEW = declare(
    "loans.view",
    "Consulter les besoins et les prêts des élèves des écoles de son périmètre (pseudonymes)",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.IEN_ERUN, Role.SCHOOL_HEAD},
)
VIEW_DASHBOARD = declare(
    "loans.view_dashboard",
    "Consulter les tableaux de bord des prêts (chiffres agrégés)",
    roles={
        Role.NATIONAL,
        Role.COORDINATOR,
        Role.IEN_ERUN,
        Role.SCHOOL_HEAD,
        Role.EVALUATOR,
    },
)
DECLARE_NEEDS = declare(
    "loans.declare_needs",
    "Déclarer les besoins d'équipement des élèves de son école avec les familles",
    roles={Role.SCHOOL_HEAD},
)
READ_CONTACT = declare(
    "loans.read_contact",
    "Lire et saisir les coordonnées des responsables légaux (chaque lecture est tracée)",
    roles={Role.SCHOOL_HEAD, Role.COORDINATOR},
)
HAND_OUT = declare(
    "loans.hand_out",
    "Remettre et reprendre les matériels prêtés aux familles de son école",
    roles={Role.SCHOOL_HEAD, Role.TECHNICIAN},
)
SET_RULES = declare(
    "loans.set_rules",
    "Régler les poids de priorité et les quotas des écoles de son territoire",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
ALLOCATE = declare(
    "loans.allocate",
    "Lancer l'attribution des prêts de son territoire et confirmer les propositions",
    roles={Role.NATIONAL, Role.COORDINATOR},
)


def can_view_loans(user) -> bool:
    return holds(user, VIEW)


def can_view_dashboard(user) -> bool:
    return holds(user, VIEW_DASHBOARD)


def can_declare_needs(user, school) -> bool:
    return scope_of(user, DECLARE_NEEDS).contains_school(school)


def can_read_contact(user, school) -> bool:
    return scope_of(user, READ_CONTACT).contains_school(school)


def can_hand_out(user, school) -> bool:
    return scope_of(user, HAND_OUT).contains_school(school)


def can_set_rules_at(user, node) -> bool:
    return scope_of(user, SET_RULES).covers_node(node)


def can_allocate_at(user, node) -> bool:
    return scope_of(user, ALLOCATE).covers_node(node)
