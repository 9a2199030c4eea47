"""The school page and the map of a département's schools. Both start from the user's scope: an
object outside it is a 404, never a 403, so its existence does not leak."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from tne.core.audit import history_of, readable_changes
from tne.core.pages import breadcrumb
from tne.core.registry import school_links_for
from tne.core.scope import scope_of

from .. import maps
from ..enums import Level, NodeKind, StaffRole, Stage
from ..models import School, SchoolClass, SchoolYear, Staff, TerritoryNode, class_order_key
from ..perms import BROWSE, VIEW_IPS, VIEW_PEOPLE, can_browse_territory, can_view_ips

HISTORY_LENGTH = 20


@dataclass(frozen=True)
class StageTotal:
    stage: str
    classes: int
    pupils: int


def _level_label(code: str) -> str:
    return Level(code).label if code in Level.values else code


def _stage_totals(classes: list[SchoolClass]) -> list[StageTotal]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for school_class in classes:
        counts[school_class.stage][0] += 1
        counts[school_class.stage][1] += school_class.headcount
    return [
        StageTotal(stage=Stage(stage).label, classes=counts[stage][0], pupils=counts[stage][1])
        for stage in Stage.values
        if stage in counts
    ]


def _staff_counts(user, school: School) -> dict | None:
    """Teachers and new teachers of the school, or None for roles that may not read people."""
    if not scope_of(user, VIEW_PEOPLE).contains_school(school):
        return None
    teacher = Q(role=StaffRole.TEACHER)
    return (
        Staff.objects.visible_to(user)
        .filter(school=school)
        .aggregate(
            total=Count("pk"),
            teachers=Count("pk", filter=teacher),
            new_teachers=Count("pk", filter=teacher & Q(is_new_teacher=True)),
            synthetic=Count("pk", filter=Q(is_synthetic=True)),
        )
    )


# A lycée has at most ~200 staff; past this the page says how many are not listed.
STAFF_LIST_LIMIT = 300


def _staff_list(user, school: School) -> list[Staff]:
    """The school's staff by function then name, for roles that may read people (else empty)."""
    if not scope_of(user, VIEW_PEOPLE).contains_school(school):
        return []
    return list(
        Staff.objects.visible_to(user)
        .filter(school=school)
        .order_by("role", "last_name", "first_name", "pk")[:STAFF_LIST_LIMIT]
    )


def _history(school: School, *, steering: bool) -> list:
    """The last changes and who made them. Only for roles that may see people: the history
    is the agents' record of their work, not public information about the school. Those who
    steer the programme read where a change came from (« Ligne de commande », « Import »…);
    for the others a change made by no one is « Mise à jour des données ouvertes »."""
    events = list(history_of(school)[:HISTORY_LENGTH])
    readable_changes(School, events)
    for event in events:
        event.author = event.actor or ("Système" if steering else "Mise à jour des données")
    return events


def _breadcrumb(user, school: School) -> dict:
    """Accueil › Aisne (02) › Laon › the school, following the tree: the commune of the school,
    or for an école followed by a circonscription the user browses from it, that
    circonscription. Without the browser (a parent, a teacher), Accueil › the school."""
    if not can_browse_territory(user):
        return breadcrumb(school.name)
    browse = scope_of(user, BROWSE)
    links = []
    departement = school.departement
    if browse.can_browse(departement):
        links.append((str(departement), reverse("territory:departement", args=[departement.code])))
    place, kind = school.commune, "commune"
    # An IEN works by circonscription: their schools are reached through it.
    if school.circonscription_id and any(
        g.node_id == school.circonscription_id for g in user.grants
    ):
        place, kind = school.circonscription, "circonscription"
    if browse.can_browse(place):
        query = f"?departement={departement.code}&{kind}={place.code}"
        links.append((place.name, reverse("territory:school_list") + query))
    return breadcrumb(school.name, *links)


def school_detail(request, uai):
    school = get_object_or_404(
        School.objects.visible_to(request.user).select_related(
            "region", "academie", "departement", "commune", "circonscription", "owner"
        ),
        uai=uai,
    )
    year = SchoolYear.objects.current()
    classes = sorted(school.classes.filter(year=year), key=class_order_key) if year else []
    for school_class in classes:
        school_class.level_labels = ", ".join(_level_label(code) for code in school_class.levels)
    reads_people = scope_of(request.user, VIEW_PEOPLE).contains_school(school)
    steering = can_browse_territory(request.user)
    context = {
        "title": school.name,
        "school": school,
        "synthesised": set(school.synthesised_fields or ()),
        "year": year,
        "classes": classes,
        "stage_totals": _stage_totals(classes),
        "class_total": len(classes),
        "pupil_total": sum(c.headcount for c in classes),
        "has_synthetic_classes": any(c.is_synthetic for c in classes),
        "pupils_by_level": [
            (_level_label(code), count) for code, count in (school.pupils_by_level or {}).items()
        ],
        "staff": _staff_counts(request.user, school),
        "staff_list": _staff_list(request.user, school),
        "history": _history(school, steering=steering) if reads_people else None,
        "history_sources": steering,
        "show_ips": scope_of(request.user, VIEW_IPS).contains_school(school),
        "show_map_link": steering and scope_of(request.user, BROWSE).can_browse(school.departement),
        # The other apps' pages about this school (equipment…), registered in tne.core.registry.
        "school_links": school_links_for(request.user, school),
        "breadcrumb_data": _breadcrumb(request.user, school),
    }
    return render(request, "territory/school_detail.html", context)


def departement_map(request, code):
    if not can_browse_territory(request.user):
        raise PermissionDenied("Votre rôle ne donne pas accès au parcours du territoire.")
    departement = get_object_or_404(
        TerritoryNode.objects.visible_to(request.user), kind=NodeKind.DEPARTEMENT, code=code
    )
    schools = School.objects.visible_to(request.user).filter(departement=departement)
    school_map = maps.departement_school_map(
        departement=departement, schools=schools, with_ips=can_view_ips(request.user)
    )
    context = {
        "title": f"Carte des établissements — {departement}",
        "departement": departement,
        "map": school_map,
        "breadcrumb_data": breadcrumb(
            "Carte des établissements",
            (str(departement), reverse("territory:departement", args=[code])),
        ),
    }
    return render(request, "territory/departement_map.html", context)
