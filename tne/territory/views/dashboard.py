"""The territory's cards of the home page (registered in ``registrations.py``): the real figures
of the user's scope (what exists, without targets beside them), and the ways to browse it."""

from dataclasses import dataclass

from tne.core.formats import plural_word
from tne.core.scope import holds

from ..perms import VIEW_SCHOOLS, can_browse_territory
from ..selectors import DashboardFigures, dashboard_figures

OPEN_DATA = "Données ouvertes du ministère de l'Éducation nationale"


@dataclass(frozen=True)
class Card:
    label: str
    value: int
    source: str
    synthetic: bool = False


def _source(synthetic: int, total: int, *, plural: str) -> tuple[str, bool]:
    if not synthetic:
        return f"{plural.capitalize()} importées", False
    if synthetic == total:
        return f"{plural.capitalize()} synthétisées par la démonstration", True
    return f"{plural.capitalize()} en partie synthétisées par la démonstration", True


def _cards(figures: DashboardFigures) -> tuple[list[Card], list[Card], list[Card]]:
    """Three groups of cards: schools, classes and pupils, teachers (empty when the user may
    not see people)."""
    # A kind the scope has none of is not shown (no « 0 Collèges » to a parent of an école).
    schools = [
        Card(
            plural_word(figures.schools, "Établissement|Établissements"), figures.schools, OPEN_DATA
        )
    ] + [
        card
        for card in (
            Card(plural_word(figures.ecoles, "École|Écoles"), figures.ecoles, OPEN_DATA),
            Card(plural_word(figures.colleges, "Collège|Collèges"), figures.colleges, OPEN_DATA),
            Card(plural_word(figures.lycees, "Lycée|Lycées"), figures.lycees, OPEN_DATA),
        )
        if card.value
    ]
    class_source, class_synthetic = _source(
        figures.synthetic_classes, figures.classes, plural="classes"
    )
    classes = [
        Card(
            plural_word(figures.classes, "Classe|Classes"),
            figures.classes,
            class_source,
            class_synthetic,
        ),
        Card(
            plural_word(figures.elementary_classes, "Classe élémentaire|Classes élémentaires"),
            figures.elementary_classes,
            class_source,
            class_synthetic,
        ),
        Card(
            plural_word(figures.pupils, "Élève|Élèves") + " (effectifs des classes)",
            figures.pupils,
            class_source,
            class_synthetic,
        ),
    ]
    staff: list[Card] = []
    if figures.teachers is not None:
        staff_source, staff_synthetic = _source(
            figures.synthetic_staff, figures.teachers, plural="données"
        )
        staff = [
            Card(
                plural_word(figures.teachers, "Enseignant|Enseignants"),
                figures.teachers,
                staff_source,
                staff_synthetic,
            ),
            Card(
                plural_word(figures.new_teachers or 0, "Nouveau professeur|Nouveaux professeurs"),
                figures.new_teachers or 0,
                staff_source,
                staff_synthetic,
            ),
        ]
    return schools, classes, staff


def _own_schools(user) -> list:
    schools: dict[int, object] = {}
    for grant in user.grants:
        if grant.school_id:
            school = schools.setdefault(grant.school_id, grant.school)
            school.own_roles = [*getattr(school, "own_roles", []), grant.get_role_display()]
    return list(schools.values())


def dashboard(request) -> dict:
    """The first card: the figures of what exists in the user's scope (or why there is none)."""
    user = request.user
    context = {"has_scope": holds(user, VIEW_SCHOOLS)}
    if context["has_scope"]:
        figures = dashboard_figures(user)
        school_cards, class_cards, staff_cards = _cards(figures)
        context.update(
            figures=figures,
            school_cards=school_cards,
            class_cards=class_cards,
            staff_cards=staff_cards,
            # The schools a role held in a school is granted on (already loaded with the scope),
            # each once, with the roles held there.
            own_schools=_own_schools(user),
        )
    return context


def browse_card(request) -> dict | None:
    """The last card: the ways into the territory browser, for those who may browse it."""
    return {} if can_browse_territory(request.user) else None
