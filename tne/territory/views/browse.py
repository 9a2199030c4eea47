"""The territory browser: départements → communes or circonscriptions → schools, with the
filtered school list and its exports. Every page reads through ``.visible_to(request.user)``; a
département, a commune or a circonscription outside the user's territory is a 404. The browser
is the steering tool: a role without ``territory.browse`` (a parent, a teacher) gets 403, and
the exports need ``territory.export``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from tne.core.pages import breadcrumb, paginate

from ..enums import NodeKind
from ..exports import EXPORTERS
from ..forms import SchoolFilterForm
from ..models import TerritoryNode
from ..perms import EXPORT, can_browse_territory, can_export_schools, can_view_ips
from ..selectors import (
    SORTS,
    PagedSchools,
    departement_circonscriptions,
    departement_communes,
    filtered_schools,
    visible_departements,
)

# The columns of the school list a user may sort by: (key of SORTS, header).
SORTABLE_COLUMNS = [
    ("nom", "Nom"),
    ("type", "Type"),
    ("commune", "Commune"),
    ("circonscription", "Circonscription"),
    ("ips", "IPS"),
    ("classes", "Classes"),
]
assert {key for key, _ in SORTABLE_COLUMNS} <= set(SORTS)


def _fragment_requested(request, *targets: str) -> bool:
    return bool(request.htmx) and request.htmx.target in targets


def _require_browse(user) -> None:
    if not can_browse_territory(user):
        raise PermissionDenied("Votre rôle ne donne pas accès au parcours du territoire.")


def territory_index(request):
    _require_browse(request.user)
    departements, school_count = visible_departements(request.user)
    context = {
        "title": "Territoire",
        "departements": departements,
        "school_count": school_count,
        "breadcrumb_data": breadcrumb("Territoire"),
    }
    return render(request, "territory/index.html", context)


def _departement(request, code) -> TerritoryNode:
    _require_browse(request.user)
    return get_object_or_404(
        TerritoryNode.objects.visible_to(request.user), kind=NodeKind.DEPARTEMENT, code=code
    )


def departement_detail(request, code):
    departement = _departement(request, code)
    name = request.GET.get("q", "").strip()[:100]
    show_all = request.GET.get("toutes") == "1"
    communes = departement_communes(
        request.user, departement, name=name, with_schools_only=not show_all
    )
    context = {
        "title": str(departement),
        "departement": departement,
        "page_obj": paginate(request, communes),
        "circonscriptions": departement_circonscriptions(request.user, departement),
        "q": name,
        "show_all": show_all,
        "breadcrumb_data": breadcrumb(str(departement), ("Territoire", reverse("territory:index"))),
    }
    template = "territory/departement_detail.html"
    if _fragment_requested(request, "commune-results"):
        template += "#results"
    return render(request, template, context)


def _filter_form(request) -> SchoolFilterForm:
    form = SchoolFilterForm(request.GET, user=request.user)
    if form.out_of_scope:
        raise Http404("Ce territoire ne fait pas partie de votre périmètre.")
    return form


def _sort_headers(form: SchoolFilterForm, query) -> list[dict]:
    """Each sortable column header: its link (the filters kept, page 1, the sort toggled), and
    its ``aria-sort`` when the list is sorted by it."""
    current = form.filters().sort
    headers = []
    for key, label in SORTABLE_COLUMNS:
        if key == "ips" and not form.shows_ips:
            continue
        params = query.copy()
        params.pop("page", None)
        params.pop("tri", None)
        ascending, descending = current == key, current == f"-{key}"
        params["tri"] = f"-{key}" if ascending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + params.urlencode(),
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
                "numeric": key in ("ips", "classes"),
                "next": "décroissant" if ascending else "croissant",
            }
        )
    return headers


def _list_breadcrumb(form: SchoolFilterForm) -> dict:
    """Accueil › Territoire › Aisne (02) › Laon: the list narrowed to a commune (or a
    circonscription) is that place's page of schools."""
    links = [("Territoire", reverse("territory:index"))]
    places = form.chosen_places()
    for kind, code, label in places[:-1]:
        if kind == "departement":
            links.append((label, reverse("territory:departement", args=[code])))
    if not places:
        return breadcrumb("Établissements", *links)
    kind, _, label = places[-1]
    if kind == "departement":
        return breadcrumb(f"Établissements — {label}", *links)
    return breadcrumb(label, *links)


def _school_list_context(request, form: SchoolFilterForm) -> dict:
    query = request.GET.copy()
    query.pop("page", None)
    filters = form.filters()
    valid = not form.errors
    return {
        "title": "Établissements",
        "form": form,
        "page_obj": paginate(request, PagedSchools(request.user, filters)),
        "export_query": query.urlencode(),
        "sort_headers": _sort_headers(form, query),
        "can_export": valid and can_export_schools(request.user),
        "show_ips": can_view_ips(request.user),
        "breadcrumb_data": _list_breadcrumb(form),
    }


def school_list(request):
    _require_browse(request.user)
    form = _filter_form(request)
    context = _school_list_context(request, form)
    template = "territory/school_list.html"
    # The form and the results are swapped together: the form then always says which filters
    # the list follows (its errors too), and the history snapshots match their address.
    if _fragment_requested(request, "school-browser", "school-results"):
        template += "#browser"
    return render(request, template, context)


def school_export(request, fmt):
    """The filtered list in CSV or XLSX: same filters, same order and same scope as the page
    (the schools ``territory.export`` reaches), all rows. Invalid filters are not ignored: the
    list page answers 400 with their errors, never a file of another list."""
    _require_browse(request.user)
    if not can_export_schools(request.user):
        raise PermissionDenied("Votre rôle ne permet pas d'exporter la liste des établissements.")
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404("Format d'export inconnu.")
    form = _filter_form(request)
    if not form.is_valid():
        context = _school_list_context(request, form)
        context["export_refused"] = True
        return render(request, "territory/school_list.html", context, status=400)
    schools = filtered_schools(request.user, form.filters(), permission=EXPORT)
    return exporter(schools, with_ips=form.shows_ips)
