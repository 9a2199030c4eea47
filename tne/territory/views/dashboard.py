"""The territory's card of the home page (registered in ``registrations.py``): the real figures
of the user's scope, with the programme targets beside them for the national scope."""

from dataclasses import dataclass

from tne.core.scope import holds

from ..perms import VIEW_SCHOOLS, can_browse_territory
from ..selectors import (
    TARGET_CLASSES,
    TARGET_ELEMENTARY_CLASSES,
    TARGET_NEW_TEACHERS,
    DashboardFigures,
    dashboard_figures,
)

OPEN_DATA = "Données ouvertes du ministère de l'Éducation nationale"


@dataclass(frozen=True)
class Card:
    label: str
    value: int
    source: str
    synthetic: bool = False
    # The national target of the measure this population is the base of: shown beside the
    # figure, never as a percentage of it (the figure is what exists, not what is equipped).
    target: int | None = None
    measure: str = ""


def _source(synthetic: int, total: int, *, plural: str) -> tuple[str, bool]:
    if not synthetic:
        return f"{plural.capitalize()} importées", False
    if synthetic == total:
        return f"{plural.capitalize()} synthétisées par la démonstration", True
    return f"{plural.capitalize()} en partie synthétisées par la démonstration", True


def _cards(figures: DashboardFigures) -> tuple[list[Card], list[Card], list[Card]]:
    """Three groups of cards: schools, classes and pupils, teachers (empty when the user may
    not see people). Targets only for the national scope."""
    national = figures.national
    # A kind the scope has none of is not shown (no « 0 Collèges » to a parent of an école).
    schools = [Card("Établissements", figures.schools, OPEN_DATA)] + [
        card
        for card in (
            Card("Écoles", figures.ecoles, OPEN_DATA),
            Card("Collèges", figures.colleges, OPEN_DATA),
            Card("Lycées", figures.lycees, OPEN_DATA),
        )
        if card.value
    ]
    class_source, class_synthetic = _source(
        figures.synthetic_classes, figures.classes, plural="classes"
    )
    classes = [
        Card(
            "Classes",
            figures.classes,
            class_source,
            class_synthetic,
            TARGET_CLASSES if national else None,
            "Mesure 5",
        ),
        Card(
            "Classes élémentaires",
            figures.elementary_classes,
            class_source,
            class_synthetic,
            TARGET_ELEMENTARY_CLASSES if national else None,
            "Mesure 4",
        ),
        Card("Élèves (effectifs des classes)", figures.pupils, class_source, class_synthetic),
    ]
    staff: list[Card] = []
    if figures.teachers is not None:
        staff_source, staff_synthetic = _source(
            figures.synthetic_staff, figures.teachers, plural="données"
        )
        staff = [
            Card("Enseignants", figures.teachers, staff_source, staff_synthetic),
            Card(
                "Nouveaux professeurs",
                figures.new_teachers or 0,
                staff_source,
                staff_synthetic,
                TARGET_NEW_TEACHERS if national else None,
                "Mesure 7",
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
            browses=can_browse_territory(user),
        )
    return context
