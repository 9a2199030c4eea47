"""The progress of the deployments: per measure and territory node, the allocations at each step
against the programme's target, one row per child node, and for a département a map of its
communes coloured by the share in service. Figures only (an evaluator reads it): no school,
no person. Read from the per-school tallies in a handful of queries."""

from html import escape

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from tne.core.pages import breadcrumb
from tne.programme.models import Measure
from tne.territory.enums import NodeKind

from .. import deployment_selectors as selectors
from ..deployment_forms import ProgressForm
from ..perms import can_view_equipment, can_view_progress
from ..progress_map import progress_map

TITLE = "Avancement des déploiements"
MEASURES = ("M4", "M5", "M7")


def _row_header(row, code: str, label: str, school_pages: bool) -> str:
    if row.node is not None:
        return f'<a href="?measure={code}&amp;node={escape(row.node_id_text)}">{label}</a>'
    if school_pages:
        return f'<a href="{escape(reverse("equipment:school", args=[row.school_id]))}">{label}</a>'
    return label


def _rows_html(progress, *, school_pages: bool = False) -> SafeString:
    """The rows of the table, each written by one f-string with every value escaped
    (``html.escape``, what Django's ``escape`` does): a département's hundreds of communes
    cost the template loop (or ``format_html`` per cell) ≈ 30 ms at national scale."""
    code = escape(progress.measure.code)
    out = []
    for row in progress.rows:
        label = escape(row.label)
        cells = "".join(f'<td class="tne-num">{escape(c)}</td>' for c in row.shown_cells)
        percent = escape(row.percent_text)
        share = (
            f'<progress max="100" value="{percent}" aria-label="Part en service, {label}">'
            f"{percent}&nbsp;%</progress> {percent}&nbsp;%"
            if percent
            else "—"
        )
        out.append(
            f'<tr><th scope="row">{_row_header(row, code, label, school_pages)}</th>{cells}'
            f'<td class="tne-num">{escape(row.target_text)}</td>'
            f"<td>{share}</td></tr>"
        )
    # Every value above is escaped.
    return mark_safe("\n".join(out))


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
    school_pages = can_view_equipment(user)
    result = selectors.measure_progress(
        user, measure=measure, node=node, child_kind=by, schools=school_pages
    )
    chart = None
    if node.kind == NodeKind.DEPARTEMENT and result.child_kind == NodeKind.COMMUNE:
        chart = progress_map(node, result.rows, measure=measure)
    context = {
        "title": TITLE,
        "breadcrumb_data": breadcrumb(TITLE, ("Équipement", reverse("equipment:index"))),
        "form": form,
        "progress": result,
        "rows_html": _rows_html(result, school_pages=school_pages),
        "school_pages": school_pages,
        "steps": [(s, s.label) for s in selectors.STEPS],
        "chart": chart,
        "parent": node.parent
        if node.parent_id and selectors.progress_nodes(user).filter(pk=node.parent_id).exists()
        else None,
    }
    return render(request, "equipment/campaigns/progress.html", context)
