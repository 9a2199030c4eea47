"""The progress of the deployments: per measure and territory node, the allocations at each step
against the programme's target, one row per child node, and for a département a map of its
communes coloured by the share in service. Figures only (an evaluator reads it): no school,
no person. Read from the per-school tallies in a handful of queries."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tne.core.pages import breadcrumb
from tne.programme.models import Measure
from tne.territory.enums import NodeKind

from .. import deployment_selectors as selectors
from ..deployment_forms import ProgressForm
from ..perms import can_view_progress
from ..progress_map import progress_map

TITLE = "Avancement des déploiements"
MEASURES = ("M4", "M5", "M7")


@login_required
@require_GET
def progress(request):
    user = request.user
    if not can_view_progress(user):
        raise PermissionDenied("L'avancement des déploiements est réservé aux agents.")
    measures = list(Measure.objects.filter(code__in=MEASURES))
    form = ProgressForm(request.GET or None, measures=measures)
    code = form.cleaned_data["measure"] if form.is_valid() else "M5"
    measure = next((m for m in measures if m.code == code), None)
    if measure is None:
        raise Http404("Mesure inconnue.")
    node_id = request.GET.get("node", "")
    if node_id:
        if not node_id.isdigit():
            raise Http404("Territoire inconnu.")
        node = selectors.progress_nodes(user).filter(pk=int(node_id)).first()
        if node is None:
            raise Http404("Territoire inconnu.")
    else:
        node = selectors.default_node(user)
        if node is None:
            raise Http404("Aucun territoire à suivre.")
    by = form.cleaned_data.get("by", "") if form.is_valid() else ""
    result = selectors.measure_progress(user, measure=measure, node=node, child_kind=by)
    chart = None
    if node.kind == NodeKind.DEPARTEMENT and result.child_kind == NodeKind.COMMUNE:
        chart = progress_map(node, result.rows, measure=measure)
    context = {
        "title": TITLE,
        "breadcrumb_data": breadcrumb(TITLE, ("Équipement", reverse("equipment:index"))),
        "form": form,
        "progress": result,
        "steps": [(s, s.label) for s in selectors.STEPS],
        "chart": chart,
        "parent": node.parent
        if node.parent_id and selectors.progress_nodes(user).filter(pk=node.parent_id).exists()
        else None,
    }
    return render(request, "equipment/campaigns/progress.html", context)
