"""The pages of the asset register: the list (filters, prefix search, keyset pages, exports,
bulk state change, labels), a device (its place or holder, order line, warranty, history,
incidents, the actions the user may take), its moves and state changes, the incidents and what
follows them, and the scan-speed screen.

Reading needs ``equipment.view`` (403 otherwise), and a device outside what the user reads is a
404; changing it needs ``equipment.manage_assets`` on its school or stock (403), reporting an
incident ``equipment.report_incident`` on its school. Each permission is checked on its own
grants: a school head here who is a technician there manages only there."""

from datetime import date
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.documents import file_response
from tne.core.formats import fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.registry import asset_links_for
from tne.core.scope import scope_of
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .. import labels as label_sheets
from ..enums import AssetState, IncidentKind, IncidentStatus
from ..exports_assets import FORMATS, assets_response, incidents_response
from ..forms.assets import (
    AssetCreateForm,
    AssetFilterForm,
    IncidentForm,
    LabelForm,
    MoveForm,
    NoteForm,
    ResolutionForm,
    SwapForm,
    filter_assets,
)
from ..models import Asset, Incident
from ..perms import (
    MANAGE_ASSETS,
    VIEW,
    can_manage_asset,
    can_manage_assets,
    can_report_incident,
    can_view_equipment,
)
from ..services import assets as services

PAGE_SIZE = 50
BULK_MAX = 1000
TITLE = "Registre des matériels"
STATE_BADGES = {
    AssetState.IN_STOCK: "info",
    AssetState.ALLOCATED: "new",
    AssetState.INSTALLED: "success",
    AssetState.LENT: "info",
    AssetState.IN_REPAIR: "warning",
    AssetState.LOST: "error",
    AssetState.STOLEN: "error",
    AssetState.RETIRED: "",
}
# States that end a device's use here: set after a confirmation page.
CONFIRMED_STATES = frozenset({AssetState.RETIRED, AssetState.LOST, AssetState.STOLEN})
STOCK_KINDS = (NodeKind.COUNTRY, NodeKind.REGION, NodeKind.ACADEMIE, NodeKind.DEPARTEMENT)
LIST_FIELDS = (
    "asset_tag",
    "serial_number",
    "state",
    "school_id",
    "school_class_id",
    "stock_node_id",
    "model__name",
    "model__maker",
    "model__category__name",
    "school__name",
    "school__uai",
    "school_class__name",
    "stock_node__name",
    "stock_node__kind",
    "stock_node__code",
)


# --- Fetch and authorise ----------------------------------------------------------------------


def _require_viewer(request) -> None:
    if not can_view_equipment(request.user):
        raise PermissionDenied("Le registre des matériels est réservé aux agents qui le suivent.")


def _asset(request, asset_id: int, *, manage: bool = False) -> Asset:
    """The device ``asset_id`` if the user reads it (else 404); ``manage``: and manages it
    (else 403)."""
    _require_viewer(request)
    asset = get_object_or_404(
        Asset.objects.visible_to(request.user, VIEW).select_related(
            "model__category",
            "school__commune",
            "school_class",
            "holder",
            "stock_node",
            "allocation__campaign",
            "order_line__order__supplier",
        ),
        pk=asset_id,
    )
    if manage and not can_manage_asset(request.user, asset):
        raise PermissionDenied(f"Vous ne gérez pas le matériel {asset.asset_tag}.")
    return asset


def _incident(request, incident_id: int, *, manage: bool = False) -> Incident:
    _require_viewer(request)
    incident = get_object_or_404(
        Incident.objects.visible_to(request.user, VIEW).select_related(
            "asset__model",
            "asset__school__commune",
            "asset__stock_node",
            "reported_by",
            "replacement",
        ),
        pk=incident_id,
    )
    if manage and not can_manage_asset(request.user, incident.asset):
        raise PermissionDenied(f"Vous ne gérez pas le matériel {incident.asset.asset_tag}.")
    return incident


def _managed_schools(user):
    return School.objects.filter(scope_of(user, MANAGE_ASSETS).school_q())


def _stock_nodes(user):
    return TerritoryNode.objects.filter(
        scope_of(user, MANAGE_ASSETS).node_q(), kind__in=STOCK_KINDS
    ).order_by("path")


def _crumbs(current: str, *links) -> dict:
    return breadcrumb(
        current,
        ("Équipement", reverse("equipment:index")),
        (TITLE, reverse("equipment:asset_list")),
        *links,
    )


def _error_text(error: ValidationError) -> str:
    return fr_typo(" ".join(error.messages))


def _decorate(asset: Asset) -> Asset:
    asset.badge = STATE_BADGES.get(asset.state, "")
    return asset


# --- The list ------------------------------------------------------------------------------


def _filtered(request, data: QueryDict, permission=VIEW):
    form = AssetFilterForm(data)
    rows = filter_assets(Asset.objects.visible_to(request.user, permission), form.filters())
    return form, rows


def _query(data: QueryDict, **extra) -> str:
    kept = data.copy()
    for name in ("apres", "avant", *extra):
        kept.pop(name, None)
    for name, value in extra.items():
        if value:
            kept[name] = value
    text = kept.urlencode()
    return f"?{text}" if text else ""


def _printable(value: str) -> str:
    """``value`` without control characters (PostgreSQL takes no NUL in a query)."""
    return "".join(char for char in value if char >= " " and char != "\x7f")


def _rows_html(assets, *, selectable: bool) -> SafeString:
    """The rows of the list, each written by one f-string with every value escaped
    (``html.escape``, what Django's ``escape`` does): the template loop of 50 rows cost about a
    third of the page's time at national scale. ``selectable``: a check box per row."""
    out = []
    for asset in assets:
        pk, tag = asset.pk, escape(asset.asset_tag)
        select = (
            '<td><div class="fr-checkbox-group fr-checkbox-group--sm">'
            f'<input type="checkbox" name="asset" value="{pk}" id="select-{pk}">'
            f'<label class="fr-label" for="select-{pk}"><span class="fr-sr-only">Choisir {tag}'
            "</span></label></div></td>"
            if selectable
            else ""
        )
        model = asset.model
        badge = f" fr-badge--{escape(asset.badge)}" if asset.badge else ""
        if asset.school_id:
            school = asset.school
            url = reverse("territory:school_detail", args=[school.uai])
            place = (
                f'<a class="fr-link" href="{escape(url)}">{escape(school.name)}</a> '
                f'<span class="fr-text--xs">({escape(school.uai)})</span>'
            )
            if asset.school_class_id:
                place += f" — {escape(asset.school_class.name)}"
        elif asset.stock_node_id:
            place = f"Stock — {escape(asset.stock_node.name)}"
        else:
            place = "—"
        detail = escape(reverse("equipment:asset_detail", args=[pk]))
        out.append(
            f'<tr id="asset-{pk}">{select}'
            f'<th scope="row"><a class="fr-link" href="{detail}">{tag}</a></th>'
            f"<td>{escape(asset.serial_number)}</td>"
            f"<td>{escape(model.maker)} {escape(model.name)}<br>"
            f'<span class="fr-text--xs">{escape(model.category.name)}</span></td>'
            f'<td><p class="fr-badge fr-badge--sm fr-badge--no-icon{badge}">'
            f"{escape(asset.get_state_display())}</p></td>"
            f"<td>{place}</td></tr>"
        )
    # Every value above is escaped.
    return mark_safe("\n".join(out))


def _list_rows(rows):
    return rows.select_related("model__category", "school", "school_class", "stock_node").only(
        *LIST_FIELDS
    )


def scoped_branches(user, permission, filters: dict) -> list:
    """The devices ``user`` reads with ``permission``, filtered, as querysets with no OR across
    a join (what ``Asset.objects.visible_to`` says, in a form PostgreSQL plans well at
    1,000,000 devices): all of them for national steering; else those at the scope's schools
    and those in stock on its nodes, two disjoint branches."""
    base = filter_assets(Asset.objects.all(), filters)
    scope = scope_of(user, permission)
    if scope.everything:
        return [base]
    # Literal lists (one query each): PostgreSQL then filters a walk of the tag index with a
    # hashed set, or reads the few schools' devices by school, whichever is cheaper.
    schools = list(School.objects.filter(scope.school_q()).values_list("pk", flat=True))
    nodes = list(TerritoryNode.objects.filter(scope.node_q()).values_list("pk", flat=True))
    return [
        base.filter(school_id__in=schools),
        base.filter(school__isnull=True, stock_node_id__in=nodes),
    ]


def keyset(branches: list, data: QueryDict, fetch, size: int = PAGE_SIZE):
    """One page of the union of ``branches`` by asset tag: after ``apres`` or before ``avant``
    (the tags at the edges of the page shown), whether there are pages before and after, no
    COUNT. On PostgreSQL each branch gives its first ``size + 1`` keys in order (an index
    range each) and the page is their merge, then ``fetch`` (a queryset) loads its rows; SQLite
    (no ordered branches in a UNION) reads the OR of the branches."""
    after, before = (_printable(data.get(name, ""))[:40] for name in ("apres", "avant"))
    order = "-asset_tag" if before else "asset_tag"

    def edge(rows):
        if before:
            return rows.filter(asset_tag__lt=before)
        return rows.filter(asset_tag__gt=after) if after else rows

    if len(branches) > 1 and connection.features.supports_slicing_ordering_in_compound:
        keys = [
            edge(branch).order_by(order).values_list("asset_tag", "pk")[: size + 1]
            for branch in branches
        ]
        merged = keys[0].union(*keys[1:], all=True).order_by(order)[: size + 1]
        pks = [pk for _, pk in merged]
        found = fetch(Asset.objects.all()).in_bulk(pks) if pks else {}
        page = [found[pk] for pk in pks if pk in found]
    else:
        rows = branches[0]
        for branch in branches[1:]:
            rows = rows | branch
        page = list(fetch(edge(rows)).order_by(order)[: size + 1])
    more = len(page) > size
    page = page[:size]
    if before:
        return page[::-1], more, True
    return page, bool(after), more


@require_GET
@login_required
def asset_list(request):
    _require_viewer(request)
    form = AssetFilterForm(request.GET)
    if form.is_valid():
        branches = scoped_branches(request.user, VIEW, form.filters())
    else:
        branches = [Asset.objects.none()]
    page, has_previous, has_next = keyset(branches, request.GET, _list_rows)
    for asset in page:
        _decorate(asset)
    manager = can_manage_assets(request.user)
    context = {
        "title": TITLE,
        "form": form,
        "assets": page,
        "rows_html": _rows_html(page, selectable=manager),
        "filtered": bool(form.is_valid() and form.filters()),
        "previous_query": _query(request.GET, avant=page[0].asset_tag)
        if has_previous and page
        else "",
        "next_query": _query(request.GET, apres=page[-1].asset_tag) if has_next and page else "",
        "first_query": _query(request.GET) if has_previous else "",
        "export_query": _query(request.GET),
        "formats": FORMATS,
        "can_manage": manager,
        "states": AssetState.choices,
        "breadcrumb_data": breadcrumb(TITLE, ("Équipement", reverse("equipment:index"))),
    }
    return render(request, "equipment/assets/list.html", context)


@require_GET
@login_required
def asset_export(request, fmt: str):
    _require_viewer(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    form, rows = _filtered(request, request.GET)
    if not form.is_valid():
        rows = Asset.objects.none()
    rows = rows.select_related(
        "model__category", "school", "school_class", "stock_node", "order_line__order"
    ).order_by("asset_tag")
    return assets_response(rows, fmt)


# --- A device -------------------------------------------------------------------------------


def _actions(user, asset: Asset) -> dict:
    manage = can_manage_asset(user, asset)
    states = services.allowed_states(asset) if manage else []
    lent = asset.state == AssetState.LENT
    return {
        # Lent to a family: its state and place change at the loans' counter only.
        "lent_notice": services.LENT_ONLY_BY_LOANS if lent else "",
        "asset_links": asset_links_for(user, asset),
        "can_manage": manage,
        "can_report": can_report_incident(user, asset) and asset.state != AssetState.RETIRED,
        "states": [
            {"code": s, "label": AssetState(s).label, "confirm": s in CONFIRMED_STATES}
            for s in states
            if s != AssetState.LENT  # a hand-over to a person is its own page (M7)
        ],
        "can_repair": manage and asset.state == AssetState.IN_REPAIR,
        "can_move": manage and asset.state != AssetState.RETIRED and not lent,
    }


@require_GET
@login_required
def asset_detail(request, asset_id: int):
    asset = _decorate(_asset(request, asset_id))
    events = list(asset.events.select_related("actor", "school").order_by("-at", "-pk"))
    incidents = list(asset.incidents.select_related("reported_by", "replacement"))
    today = date.today()
    context = {
        "title": f"Matériel {asset.asset_tag}",
        "asset": asset,
        "events": events,
        "incidents": incidents,
        "under_warranty": bool(asset.warranty_ends_on and asset.warranty_ends_on >= today),
        **_actions(request.user, asset),
        "breadcrumb_data": _crumbs(asset.asset_tag),
    }
    return render(request, "equipment/assets/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def asset_create(request):
    _require_viewer(request)
    if not can_manage_assets(request.user):
        raise PermissionDenied("Seuls les gestionnaires du registre y entrent des matériels.")
    schools, nodes = _managed_schools(request.user), _stock_nodes(request.user)
    form = AssetCreateForm(request.POST or None, nodes=nodes, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset = services.create_asset(
                actor=request.user,
                serial_number=data["serial_number"],
                asset_tag=data["asset_tag"],
                model=data["model"],
                school=data["school"],
                stock_node=None if data["school"] else data["stock_node"],
                state=data["state"] if data["school"] else AssetState.IN_STOCK,
                warranty_ends_on=data["warranty_ends_on"],
                note=data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Le matériel {asset.asset_tag} est entré au registre.")
            return redirect("equipment:asset_detail", asset_id=asset.pk)
    title = "Entrer un matériel"
    return render(
        request,
        "equipment/assets/form.html",
        {
            "title": title,
            "form": form,
            "submit": "Entrer au registre",
            "breadcrumb_data": _crumbs(title),
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
@login_required
def asset_state(request, asset_id: int):
    """GET: the confirmation of a change of state (``?etat=``); POST: the change."""
    asset = _asset(request, asset_id, manage=True)
    state = (request.POST if request.method == "POST" else request.GET).get("etat", "")
    if request.method == "GET" and state not in services.allowed_states(asset):
        raise Http404("Ce changement d'état n'est pas possible.")
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_state(
                actor=request.user, asset=asset, state=state, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                f"Le matériel {asset.asset_tag} est «\u00a0{asset.get_state_display()}\u00a0».",
            )
        return redirect("equipment:asset_detail", asset_id=asset.pk)
    title = f"{AssetState(state).label}\u00a0: {asset.asset_tag}"
    return render(
        request,
        "equipment/assets/confirm_state.html",
        {
            "title": title,
            "asset": asset,
            "state": state,
            "state_label": AssetState(state).label,
            "form": form,
            "breadcrumb_data": _crumbs(
                title, (asset.asset_tag, reverse("equipment:asset_detail", args=[asset.pk]))
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def asset_move(request, asset_id: int):
    asset = _asset(request, asset_id, manage=True)
    if asset.state == AssetState.RETIRED:
        raise PermissionDenied("Un matériel réformé ne bouge plus.")
    if asset.state == AssetState.LENT:
        raise PermissionDenied(services.LENT_ONLY_BY_LOANS)
    initial = {
        "school": asset.school.uai if asset.school_id else "",
        "stock_node": asset.stock_node_id,
    }
    form = MoveForm(
        request.POST or None,
        asset=asset,
        nodes=_stock_nodes(request.user),
        schools=_managed_schools(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.move(
                actor=request.user,
                asset=asset,
                school=data["school"],
                school_class=data["school_class"],
                stock_node=None if data["school"] else data["stock_node"],
                note=data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Le matériel {asset.asset_tag} a changé de lieu.")
            return redirect("equipment:asset_detail", asset_id=asset.pk)
    title = f"Déplacer {asset.asset_tag}"
    return render(
        request,
        "equipment/assets/form.html",
        {
            "title": title,
            "form": form,
            "asset": asset,
            "submit": "Déplacer",
            "intro": (
                "Vers une école de votre périmètre (et l'une de ses classes), ou retour au "
                "stock d'un territoire."
            ),
            "breadcrumb_data": _crumbs(
                title, (asset.asset_tag, reverse("equipment:asset_detail", args=[asset.pk]))
            ),
        },
    )


@require_POST
@login_required
def asset_repaired(request, asset_id: int):
    asset = _asset(request, asset_id, manage=True)
    try:
        services.mark_repaired(actor=request.user, asset=asset)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            f"Le matériel {asset.asset_tag} est réparé\u00a0: "
            f"«\u00a0{asset.get_state_display()}\u00a0».",
        )
    return redirect("equipment:asset_detail", asset_id=asset.pk)


# --- Bulk change of state --------------------------------------------------------------------


def _selected_ids(request) -> list[int]:
    ids = []
    for value in request.POST.getlist("asset")[: label_sheets.MAX_LABELS + 1]:
        if value.isdigit() and len(value) < 19:
            ids.append(int(value))
    return ids


@require_POST
@login_required
def asset_bulk(request):
    """Step 1 (the selection from the list): the devices and the state to set; step 2
    (``confirmer``): the change, all or nothing."""
    _require_viewer(request)
    if not can_manage_assets(request.user):
        raise PermissionDenied("Seuls les gestionnaires du registre changent l'état des matériels.")
    ids = _selected_ids(request)
    if len(ids) > BULK_MAX:
        messages.error(request, f"Au plus {BULK_MAX} matériels à la fois.")
        return redirect("equipment:asset_list")
    selected = list(
        Asset.objects.visible_to(request.user, MANAGE_ASSETS)
        .filter(pk__in=ids)
        .select_related("model", "school")
        .order_by("asset_tag")
    )
    if not selected:
        messages.error(request, "Cochez au moins un matériel que vous gérez.")
        return redirect("equipment:asset_list")
    state = request.POST.get("etat", "")
    refusal = ""
    if request.POST.get("confirmer") and state in AssetState.values:
        try:
            count = services.bulk_set_state(
                actor=request.user,
                assets=selected,
                state=state,
                note=request.POST.get("note", "")[:255],
            )
        except ValidationError as error:
            refusal = _error_text(error)
        else:
            messages.success(
                request,
                f"{count} matériel{'s' if count > 1 else ''} "
                f"{'passent' if count > 1 else 'passe'} à «\u00a0{AssetState(state).label}\u00a0».",
            )
            return redirect("equipment:asset_list")
    title = "Changer l'état de plusieurs matériels"
    return render(
        request,
        "equipment/assets/bulk.html",
        {
            "title": title,
            "assets": [_decorate(a) for a in selected],
            "state": state,
            "states": AssetState.choices,
            "refusal": refusal,
            "breadcrumb_data": _crumbs(title),
        },
    )


# --- Incidents ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def incident_create(request, asset_id: int):
    asset = _asset(request, asset_id)
    if not can_report_incident(request.user, asset):
        raise PermissionDenied(
            f"Vous ne signalez pas d'incident pour le matériel {asset.asset_tag}."
        )
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.report_incident(
                actor=request.user,
                asset=asset,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"L'incident est signalé pour le matériel {asset.asset_tag}.")
            return redirect("equipment:incident_detail", incident_id=incident.pk)
    title = f"Signaler un incident\u00a0: {asset.asset_tag}"
    return render(
        request,
        "equipment/assets/form.html",
        {
            "title": title,
            "form": form,
            "asset": asset,
            "submit": "Signaler l'incident",
            "intro": (
                "Une perte ou un vol fait passer le matériel à «\u00a0Perdu\u00a0» ou "
                "«\u00a0Volé\u00a0»."
            ),
            "breadcrumb_data": _crumbs(
                title, (asset.asset_tag, reverse("equipment:asset_detail", args=[asset.pk]))
            ),
        },
    )


def _incidents(request) -> tuple[bool, object]:
    """The incidents of the devices the user reads: open ones, or all with ``?tous=1``."""
    show_all = request.GET.get("tous") == "1"
    rows = Incident.objects.visible_to(request.user, VIEW).select_related(
        "asset__model", "asset__school", "replacement"
    )
    return show_all, (rows if show_all else rows.open())


@require_GET
@login_required
def incident_export(request, fmt: str):
    _require_viewer(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    _, rows = _incidents(request)
    return incidents_response(rows.order_by("-reported_at", "-pk"), fmt)


@require_GET
@login_required
def incident_list(request):
    _require_viewer(request)
    show_all, rows = _incidents(request)
    page = paginate(request, rows.order_by("-reported_at", "-pk"), per_page=PAGE_SIZE)
    title = "Incidents"
    return render(
        request,
        "equipment/assets/incident_list.html",
        {
            "title": title,
            "page": page,
            "show_all": show_all,
            "formats": FORMATS,
            "export_query": "?tous=1" if show_all else "",
            "breadcrumb_data": _crumbs(title),
        },
    )


@require_GET
@login_required
def incident_detail(request, incident_id: int):
    incident = _incident(request, incident_id)
    asset = incident.asset
    manage = can_manage_asset(request.user, asset)
    is_open = incident.status in (IncidentStatus.OPEN, IncidentStatus.IN_REPAIR)
    title = f"{incident.get_kind_display()}\u00a0: {asset.asset_tag}"
    context = {
        "title": title,
        "incident": incident,
        "asset": _decorate(asset),
        "can_manage": manage and is_open,
        "can_send_to_repair": manage
        and incident.status == IncidentStatus.OPEN
        and incident.kind in (IncidentKind.BREAKDOWN, IncidentKind.DAMAGE)
        and AssetState.IN_REPAIR in services.TRANSITIONS[asset.state],
        "can_repaired": manage and incident.status == IncidentStatus.IN_REPAIR,
        "swap_form": SwapForm(),
        "close_form": ResolutionForm(),
        "breadcrumb_data": _crumbs(title, ("Incidents", reverse("equipment:incident_list"))),
    }
    return render(request, "equipment/assets/incident_detail.html", context)


def _back_to(incident) -> HttpResponseRedirect:
    return redirect("equipment:incident_detail", incident_id=incident.pk)


@require_POST
@login_required
def incident_repair(request, incident_id: int):
    incident = _incident(request, incident_id, manage=True)
    try:
        services.send_to_repair(actor=request.user, incident=incident)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Le matériel {incident.asset.asset_tag} part en réparation.")
    return _back_to(incident)


@require_http_methods(["GET", "POST"])
@login_required
def incident_swap(request, incident_id: int):
    incident = _incident(request, incident_id, manage=True)
    form = SwapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        replacement = (
            Asset.objects.visible_to(request.user, MANAGE_ASSETS)
            .filter(asset_tag=form.cleaned_data["replacement"])
            .first()
        )
        if replacement is None:
            form.add_error(
                "replacement",
                f"Aucun matériel que vous gérez n'a le numéro {form.cleaned_data['replacement']}.",
            )
        else:
            try:
                services.swap(
                    actor=request.user,
                    incident=incident,
                    replacement=replacement,
                    old_state=form.cleaned_data["old_state"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Le matériel {incident.asset.asset_tag} est remplacé par "
                    f"{replacement.asset_tag}.",
                )
                return _back_to(incident)
    title = f"Remplacer {incident.asset.asset_tag}"
    return render(
        request,
        "equipment/assets/form.html",
        {
            "title": title,
            "form": form,
            "submit": "Remplacer",
            "intro": (
                "Le matériel de remplacement, pris en stock, reprend l'école, la classe, le "
                "détenteur et l'affectation de l'ancien."
            ),
            "breadcrumb_data": _crumbs(title, ("Incidents", reverse("equipment:incident_list"))),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def incident_close(request, incident_id: int):
    incident = _incident(request, incident_id, manage=True)
    form = ResolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_incident(
                actor=request.user, incident=incident, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "L'incident est clos.")
            return _back_to(incident)
    title = f"Clore l'incident\u00a0: {incident.asset.asset_tag}"
    return render(
        request,
        "equipment/assets/form.html",
        {
            "title": title,
            "form": form,
            "submit": "Clore l'incident",
            "breadcrumb_data": _crumbs(title, ("Incidents", reverse("equipment:incident_list"))),
        },
    )


# --- The scan screen ----------------------------------------------------------------------


def _scan_lookup(user, code: str):
    code = services.normalise_code(_printable(code))[:80]
    if not code:
        return None
    rows = Asset.objects.visible_to(user, VIEW).select_related("model", "school", "stock_node")
    return rows.filter(asset_tag=code).first() or rows.filter(serial_number=code).first()


@require_http_methods(["GET", "POST"])
@login_required
def scan(request):
    """One field, autofocused: a hand-held scanner types the tag and Enter; the device and its
    state buttons appear (htmx: the zone alone); a button changes its state and the field is
    empty and focused again for the next one."""
    _require_viewer(request)
    code = ""
    done = error = ""
    asset = None
    if request.method == "POST":
        raw = request.POST.get("asset", "")
        asset = _asset(request, int(raw) if raw.isdigit() and len(raw) < 19 else 0, manage=True)
        state = request.POST.get("etat", "")
        try:
            before = asset.get_state_display()
            services.set_state(actor=request.user, asset=asset, state=state, note="Scan")
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            done = f"{asset.asset_tag}\u00a0: {before} → {asset.get_state_display()}"
        asset = _asset(request, asset.pk)
    else:
        code = request.GET.get("code", "").strip()
        if code:
            asset = _scan_lookup(request.user, code)
            if asset is None:
                wanted = services.normalise_code(_printable(code))[:80]
                error = f"Aucun matériel de votre périmètre n'a le numéro {wanted}."
    context = {
        "title": "Scan des matériels",
        "asset": _decorate(asset) if asset else None,
        "done": done,
        "error": error,
        "breadcrumb_data": _crumbs("Scan"),
    }
    if asset is not None:
        context.update(_actions(request.user, asset))
    template = "equipment/assets/scan.html"
    if request.htmx:
        template += "#zone"
    return render(request, template, context)


# --- Labels --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def labels(request):
    """The label sheet of a selection: the devices checked in the list (``asset``), or the
    current filter of the list (the query string, kept as ``filtre``); then the layout, and the
    job."""
    _require_viewer(request)
    if not can_manage_assets(request.user):
        raise PermissionDenied("Seuls les gestionnaires du registre impriment les étiquettes.")
    data = request.POST if request.method == "POST" else request.GET
    ids = _selected_ids(request) if request.method == "POST" else []
    query = data.get("filtre", "") if request.method == "POST" else request.GET.urlencode()
    if not ids:
        filters = QueryDict(query)
        _form, rows = _filtered(request, filters, permission=MANAGE_ASSETS)
        ids = list(
            rows.order_by("asset_tag").values_list("pk", flat=True)[: label_sheets.MAX_LABELS + 1]
        )
    else:
        ids = list(
            Asset.objects.visible_to(request.user, MANAGE_ASSETS)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        query = ""
    layout_form = LabelForm(request.POST if "layout" in request.POST else None)
    refusal = ""
    if request.method == "POST" and "layout" in request.POST and layout_form.is_valid():
        try:
            job = label_sheets.start_labels(
                user=request.user, asset_ids=ids, layout_code=layout_form.cleaned_data["layout"]
            )
        except ValidationError as error:
            refusal = _error_text(error)
        else:
            return redirect("core:job_detail", job_id=job.pk)
    title = "Étiquettes des matériels"
    return render(
        request,
        "equipment/assets/labels.html",
        {
            "title": title,
            "form": layout_form,
            "ids": ids if not query else [],
            "count": len(ids),
            "too_many": len(ids) > label_sheets.MAX_LABELS,
            "max_labels": label_sheets.MAX_LABELS,
            "query": query,
            "refusal": refusal,
            "list_query": f"?{query}" if query else "",
            "breadcrumb_data": _crumbs(title),
        },
    )


@require_GET
@login_required
def labels_download(request, document_id: int):
    document = label_sheets.labels_document(request.user, document_id)
    if document is None:
        raise Http404("Aucune planche d'étiquettes de ce numéro pour vous.")
    return file_response(document)
