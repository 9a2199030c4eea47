"""What the equipment of measures M4, M5 and M7 lets each role do.

Equipment is about schools: who reads the devices, allocations and audits of a school is said by
the grants carrying ``equipment.view`` on it (a local authority: the buildings it owns, so a
commune sees every installation in its schools and co-signs it, which no anchor offers). The
catalogue and the kits are the programme's shared reference: every agent who reads equipment
reads them; national steering and coordinators edit them. Orders are charged to envelopes, so
ordering follows the envelope's node (``covers_node``), like the envelopes themselves. An
evaluator reads aggregates only (progress, ledger totals), never a device or a person."""

from tne.core.permissions import declare
from tne.core.roles import Role
from tne.core.scope import holds, scope_of

VIEW = declare(
    "equipment.view",
    "Consulter l'équipement des écoles de son périmètre (matériels, affectations, audits)",
    roles={
        Role.NATIONAL,
        Role.COORDINATOR,
        Role.IEN_ERUN,
        Role.SCHOOL_HEAD,
        Role.TECHNICIAN,
        Role.LOCAL_AUTHORITY,
    },
)
VIEW_PROGRESS = declare(
    "equipment.view_progress",
    "Consulter l'avancement des déploiements et le suivi budgétaire (chiffres agrégés)",
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
EDIT_CATALOGUE = declare(
    "equipment.edit_catalogue",
    "Modifier le catalogue des matériels et la composition des kits",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
AUDIT = declare(
    "equipment.audit",
    "Renseigner l'audit du socle numérique des écoles de son périmètre",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.IEN_ERUN, Role.SCHOOL_HEAD, Role.TECHNICIAN},
)
ALLOCATE = declare(
    "equipment.allocate",
    "Affecter des kits aux classes et aux enseignants de son territoire (campagnes)",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
ORDER = declare(
    "equipment.order",
    "Passer des commandes imputées aux enveloppes de son territoire et saisir les factures",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
OVERRIDE_ENVELOPE = declare(
    "equipment.override_envelope",
    "Engager une commande au-delà de son enveloppe, en motivant la dérogation",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
MANAGE_ASSETS = declare(
    "equipment.manage_assets",
    "Gérer le registre des matériels de son périmètre (livraisons, états, étiquettes)",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.TECHNICIAN},
)
REPORT_INCIDENT = declare(
    "equipment.report_incident",
    "Signaler une panne, une casse, une perte ou un vol d'un matériel de son école",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.SCHOOL_HEAD, Role.TECHNICIAN},
)
SIGN_INSTALLATION = declare(
    "equipment.sign_installation",
    "Valider ou refuser, pour son école, l'installation d'un équipement",
    roles={Role.SCHOOL_HEAD},
)
COSIGN_INSTALLATION = declare(
    "equipment.cosign_installation",
    "Contresigner l'installation d'un équipement dans un bâtiment de sa collectivité",
    roles={Role.LOCAL_AUTHORITY},
)
HAND_OVER = declare(
    "equipment.hand_over",
    "Remettre l'équipement d'un nouvel enseignant et enregistrer sa restitution",
    roles={Role.NATIONAL, Role.COORDINATOR, Role.SCHOOL_HEAD, Role.TECHNICIAN},
)


def can_view_equipment(user) -> bool:
    return holds(user, VIEW)


def can_view_progress(user) -> bool:
    return holds(user, VIEW_PROGRESS)


def can_edit_catalogue(user) -> bool:
    return holds(user, EDIT_CATALOGUE)


def can_audit_school(user, school) -> bool:
    return scope_of(user, AUDIT).contains_school(school)


def can_allocate(user) -> bool:
    return holds(user, ALLOCATE)


def can_allocate_at(user, node) -> bool:
    return scope_of(user, ALLOCATE).covers_node(node)


def can_order(user) -> bool:
    return holds(user, ORDER)


def can_order_on(user, envelope) -> bool:
    """Whether ``user`` may charge an order to ``envelope`` (held by a node of their territory)."""
    return scope_of(user, ORDER).covers_node(envelope.node)


def can_override_on(user, envelope) -> bool:
    return scope_of(user, OVERRIDE_ENVELOPE).covers_node(envelope.node)


def can_manage_assets(user) -> bool:
    return holds(user, MANAGE_ASSETS)


def can_manage_asset(user, asset) -> bool:
    """A device at a school: the school in the scope; a device in stock: its node covered."""
    scope = scope_of(user, MANAGE_ASSETS)
    if asset.school_id is not None:
        return scope.contains_school(asset.school)
    return asset.stock_node_id is not None and scope.covers_node(asset.stock_node)


def can_report_incident(user, asset) -> bool:
    return asset.school_id is not None and scope_of(user, REPORT_INCIDENT).contains_school(
        asset.school
    )


def can_sign_installation(user, school) -> bool:
    return scope_of(user, SIGN_INSTALLATION).contains_school(school)


def can_cosign_installation(user, school) -> bool:
    return scope_of(user, COSIGN_INSTALLATION).contains_school(school)


def can_hand_over(user, school) -> bool:
    return scope_of(user, HAND_OVER).contains_school(school)
