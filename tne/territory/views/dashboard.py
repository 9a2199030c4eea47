"""The home page: the real figures of the user's scope (what exists, without targets beside
them), and the measures of the programme with the targets of the user's territory."""

from dataclasses import dataclass

from django.shortcuts import render

from tne.core.scope import holds

from ..perms import VIEW_SCHOOLS
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
    schools = [
        Card("Établissements", figures.schools, OPEN_DATA),
        Card("Écoles", figures.ecoles, OPEN_DATA),
        Card("Collèges", figures.colleges, OPEN_DATA),
        Card("Lycées", figures.lycees, OPEN_DATA),
    ]
    class_source, class_synthetic = _source(
        figures.synthetic_classes, figures.classes, plural="classes"
    )
    classes = [
        Card("Classes", figures.classes, class_source, class_synthetic),
        Card("Classes élémentaires", figures.elementary_classes, class_source, class_synthetic),
        Card("Élèves (effectifs des classes)", figures.pupils, class_source, class_synthetic),
    ]
    staff: list[Card] = []
    if figures.teachers is not None:
        staff_source, staff_synthetic = _source(
            figures.synthetic_staff, figures.teachers, plural="données"
        )
        staff = [
            Card("Enseignants", figures.teachers, staff_source, staff_synthetic),
            Card("Nouveaux professeurs", figures.new_teachers or 0, staff_source, staff_synthetic),
        ]
    return schools, classes, staff


def dashboard(request):
    user = request.user
    context = {"title": "Tableau de bord", "has_scope": holds(user, VIEW_SCHOOLS)}
    if context["has_scope"]:
        figures = dashboard_figures(user)
        school_cards, class_cards, staff_cards = _cards(figures)
        context.update(
            figures=figures,
            school_cards=school_cards,
            class_cards=class_cards,
            staff_cards=staff_cards,
            # The schools a role held in a school is granted on (already loaded with the scope).
            own_schools=[g.school for g in user.grants if g.school_id],
        )
    return render(request, "territory/dashboard.html", context)
