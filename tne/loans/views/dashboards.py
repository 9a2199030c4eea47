"""The loans dashboard (``loans:dashboard``): the M6 figures of a territory node (``?node=``) or
of a school (``?school=``), a row per child node, a chart and the exports of the rows. Figures
only (an evaluator reads it): no pupil code, no contact."""

from html import escape

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from tne.core.formats import de, fr_number, plural
from tne.core.pages import breadcrumb
from tne.territory.enums import NodeKind

from ..dashboard_chart import needs_chart
from ..perms import can_view_dashboard
from ..selectors import dashboards as selectors

TITLE = "Tableau de bord des prêts"
ROWS_OF = {
    NodeKind.DEPARTEMENT: "des départements",
    NodeKind.COMMUNE: "des communes",
    NodeKind.CIRCONSCRIPTION: "des circonscriptions",
    "": "des écoles",
}
BY_CHOICES = [(NodeKind.COMMUNE, "Communes"), (NodeKind.CIRCONSCRIPTION, "Circonscriptions")]


def _pk(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise Http404("Territoire ou école inconnu.")
    return int(value)


def place_of(request):
    """The node or the school the request asks (``?node=`` / ``?school=``), within the reader's
    reach, else where their dashboard opens; 404 for anything else."""
    user = request.user
    school_pk, node_pk = _pk(request, "school"), _pk(request, "node")
    if school_pk is not None:
        school = (
            selectors.dashboard_schools(user).select_related("commune").filter(pk=school_pk).first()
        )
        if school is None:
            raise Http404("École inconnue ou hors de votre périmètre.")
        return None, school
    if node_pk is not None:
        node = selectors.dashboard_nodes(user).filter(pk=node_pk).first()
        if node is None:
            raise Http404("Territoire inconnu ou hors de votre périmètre.")
        return node, None
    node, school = selectors.default_place(user)
    if node is None and school is None:
        raise Http404("Aucun territoire à suivre.")
    return node, school


def dashboard_for(request):
    node, school = place_of(request)
    if school is not None:
        return selectors.school_dashboard(request.user, school=school)
    return selectors.node_dashboard(request.user, node=node, child_kind=request.GET.get("by", ""))


def _cell(n: int) -> str:
    return f'<td class="tne-num">{fr_number(n)}</td>'


def _percent(value: int | None, label: str) -> str:
    if value is None:
        return "<td>—</td>"
    return (
        f'<td><progress max="100" value="{value}" aria-label="{label}">{value}&nbsp;%</progress>'
        f" {value}&nbsp;%</td>"
    )


def rows_html(rows) -> SafeString:
    """The rows of the table, each written by one f-string with every text escaped
    (``html.escape``): the 800 communes of a département cost a template loop ≈ 30 ms."""
    out = []
    for row in rows:
        label = escape(row.label)
        if row.node is not None:
            head = f'<a href="?node={row.node.pk}">{label}</a>'
        else:
            head = f'<a href="?school={row.school_id}">{label}</a>'
        f = row.figures
        target = "—" if row.target is None else fr_number(row.target)
        out.append(
            f'<tr><th scope="row">{head}</th>{_cell(f.needs)}{_cell(f.served)}'
            f"{_cell(f.waiting)}{_percent(f.percent, f'Part des besoins couverts, {label}')}"
            f"{_cell(f.active)}{_cell(f.overdue)}{_cell(f.lost)}{_cell(f.stock)}"
            f'<td class="tne-num">{target}</td></tr>'
        )
    # Every text above is escaped; the numbers are ours.
    return mark_safe("\n".join(out))


def cost_text(cost) -> str:
    """Which price each device lent is counted at, in a sentence."""
    if not cost.devices:
        return "Aucun matériel n'a encore été remis."
    parts = []
    if cost.from_order_lines:
        their = "sa" if cost.from_order_lines == 1 else "leur"
        parts.append(f"{fr_number(cost.from_order_lines)} au prix de {their} ligne de commande")
    if cost.from_reference:
        one = cost.from_reference == 1
        parts.append(
            f"{fr_number(cost.from_reference)} au prix de référence de {'sa' if one else 'leur'} "
            f"catégorie ({'entré' if one else 'entrés'} au registre sans commande)"
        )
    if cost.unpriced:
        counted = "non compté" if cost.unpriced == 1 else "non comptés"
        parts.append(f"{fr_number(cost.unpriced)} sans prix connu ({counted})")
    devices = plural(cost.devices, "matériel prêté|matériels prêtés")
    return f"{devices}, chacun compté une fois\u00a0: {', '.join(parts)}."


def _parent(user, dashboard):
    """The node above (for « Remonter »), when the reader may open it."""
    if dashboard.school is not None:
        return dashboard.node if _can_open(user, dashboard.node) else None
    parent_id = dashboard.node.parent_id
    if parent_id is None:
        return None
    return selectors.dashboard_nodes(user).filter(pk=parent_id).first()


def _can_open(user, node) -> bool:
    return selectors.dashboard_nodes(user).filter(pk=node.pk).exists()


@login_required
@require_GET
def dashboard(request):
    user = request.user
    if not can_view_dashboard(user):
        raise PermissionDenied("Les tableaux de bord des prêts sont réservés aux agents.")
    board = dashboard_for(request)
    place = str(board.school.name if board.school else board.node)
    chart = None
    if board.rows:
        chart = needs_chart(board.rows, place=place, kind_label=ROWS_OF[board.child_kind])
    query = f"school={board.school.pk}" if board.school else f"node={board.node.pk}"
    if board.child_kind and board.node.kind == NodeKind.DEPARTEMENT:
        query += f"&by={board.child_kind}"
    spent = board.envelope.percent_spent(board.cost) if board.envelope else None
    # The rows with neither need, loan nor stock (most communes of a rural département) are
    # left out unless asked: the table stays the size of what happens (the exports hold all).
    show_empty = request.GET.get("vides") == "1"
    busy = [row for row in board.rows if not row.figures.is_empty]
    rows = board.rows if show_empty else busy
    context = {
        "title": TITLE,
        "breadcrumb_data": breadcrumb(TITLE, ("Prêts (M6)", reverse("loans:index"))),
        "board": board,
        "place": place,
        "rows_html": rows_html(rows),
        "shown_rows": rows,
        "empty_rows": len(board.rows) - len(busy),
        "show_empty": show_empty,
        "empty_query": f"{query}&vides=1",
        "rows_of": ROWS_OF[board.child_kind],
        "chart": chart,
        "parent": _parent(user, board),
        "by_choices": BY_CHOICES if board.node.kind == NodeKind.DEPARTEMENT else [],
        "export_query": query,
        "cost_text": cost_text(board.cost),
        "node_de": de(
            board.node, board.node.code if board.node.kind == NodeKind.DEPARTEMENT else ""
        ),
        "remaining": board.envelope.remaining(board.cost) if board.envelope else None,
        "spent_percent": spent,
        "spent_bar": None if spent is None else min(spent, 100),
    }
    return render(request, "loans/dashboards/dashboard.html", context)
