"""What the programme's measures, targets and envelopes let each role do.

Targets and envelopes are the programme's own figures, published for the agents who carry it
out: every role but parents reads those of its territory (the national ones, those of the
régions, académies and départements above its places, and those below them). Parents follow the
programme through their child's school, not through its budget lines, so they do not get the
page. Setting targets and envelopes is steering: national steering everywhere, a coordinator on
the nodes of their territory (their node and below, never above it nor beside it)."""

from tne.core.permissions import declare
from tne.core.roles import Role
from tne.core.scope import holds, scope_of

VIEW = declare(
    "programme.view",
    "Consulter les mesures, objectifs et enveloppes du programme de son territoire",
    # The agents who steer, equip, train or evaluate; a teacher and a parent follow the programme
    # through their school, not its budget lines.
    roles=set(Role.values) - {Role.PARENT, Role.TEACHER},
)
EDIT_TARGETS = declare(
    "programme.edit_targets",
    "Fixer les objectifs des mesures sur son territoire",
    roles={Role.NATIONAL, Role.COORDINATOR},
)
EDIT_ENVELOPES = declare(
    "programme.edit_envelopes",
    "Fixer et répartir les enveloppes budgétaires sur son territoire",
    roles={Role.NATIONAL, Role.COORDINATOR},
)


def can_view_programme(user) -> bool:
    return holds(user, VIEW)


def can_edit_targets(user) -> bool:
    """Whether ``user`` sets targets somewhere (the « Ajouter » buttons)."""
    return holds(user, EDIT_TARGETS)


def can_edit_envelopes(user) -> bool:
    return holds(user, EDIT_ENVELOPES)


def can_edit_target_at(user, node) -> bool:
    """Whether ``user`` may set, change or remove a target held by ``node``."""
    return scope_of(user, EDIT_TARGETS).covers_node(node)


def can_edit_envelope_at(user, node) -> bool:
    return scope_of(user, EDIT_ENVELOPES).covers_node(node)
