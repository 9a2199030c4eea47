"""The territory browser: départements → communes → schools, with the filtered school list and
its exports. Every page reads through ``.visible_to(request.user)``; a département or a commune
outside the user's territory is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from tne.core.pages import breadcrumb, paginate

from ..enums import NodeKind
from ..exports import EXPORTERS
from ..forms import SchoolFilterForm
from ..models import TerritoryNode
from ..selectors import (
    PagedSchools,
    departement_communes,
    filtered_schools,
    visible_departements,
)


def _fragment_requested(request, target: str) -> bool:
    return bool(request.htmx) and request.htmx.target == target


def territory_index(request):
    departements, school_count = visible_departements(request.user)
    context = {
        "title": "Territoire",
        "departements": departements,
        "school_count": school_count,
        "breadcrumb_data": breadcrumb("Territoire"),
    }
    return render(request, "territory/index.html", context)


def departement_detail(request, code):
    departement = get_object_or_404(
        TerritoryNode.objects.visible_to(request.user), kind=NodeKind.DEPARTEMENT, code=code
    )
    name = request.GET.get("q", "").strip()[:100]
    show_all = request.GET.get("toutes") == "1"
    communes = departement_communes(
        request.user, departement, name=name, with_schools_only=not show_all
    )
    context = {
        "title": str(departement),
        "departement": departement,
        "page_obj": paginate(request, communes),
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


def school_list(request):
    form = _filter_form(request)
    page = paginate(request, PagedSchools(request.user, form.filters()))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": "Établissements",
        "form": form,
        "page_obj": page,
        "export_query": query.urlencode(),
        "breadcrumb_data": breadcrumb("Établissements", ("Territoire", reverse("territory:index"))),
    }
    template = "territory/school_list.html"
    if _fragment_requested(request, "school-results"):
        template += "#results"
        # The communes offered depend on the département: refresh them, unless the user is
        # choosing one (replacing the select would take the focus away).
        context["refresh_communes"] = request.htmx.trigger_name != "commune"
    return render(request, template, context)


def school_export(request, fmt):
    """The filtered list in CSV or XLSX: same filters and same scope as the page, all rows."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404("Format d'export inconnu.")
    form = _filter_form(request)
    return exporter(filtered_schools(request.user, form.filters()))
