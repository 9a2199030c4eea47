"""The order pages (list with filters and exports, a new order, an order with its lines,
deliveries, invoices and the commit / override / cancel actions), the order of a campaign in one
action, and the budget ledger. Reading needs ``equipment.view_progress`` (403 otherwise); an
order, an envelope or a campaign outside what the user reads is a 404; one they read but may not
order on (a national envelope for a coordinator) a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.formats import euros, fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.widgets import add_model_errors
from tne.programme.models import Envelope

from .. import ledger as ledgers
from .. import tabular_exports
from ..enums import AllocationStatus, OrderStatus
from ..models import Campaign, Order, OrderLine
from ..orders_forms import (
    CampaignOrderForm,
    CommitForm,
    InvoiceForm,
    LedgerFilterForm,
    OrderFilterForm,
    OrderForm,
    OrderLineForm,
    equipment_measures,
)
from ..perms import (
    ALLOCATE,
    VIEW,
    VIEW_PROGRESS,
    can_order,
    can_order_on,
    can_override_on,
    can_view_equipment,
    can_view_progress,
)
from ..services import orders as services

ORDERS = "Commandes"
LEDGER = "Suivi budgétaire"


def _require_reader(request) -> None:
    if not can_view_progress(request.user):
        raise PermissionDenied("Les commandes et le suivi budgétaire sont réservés aux agents.")


def _crumbs(current: str, *links) -> dict:
    return breadcrumb(current, ("Équipement", reverse("equipment:index")), *links)


def _orders(user):
    return Order.objects.visible_to(user, VIEW_PROGRESS).select_related(
        "supplier", "envelope__measure", "envelope__node", "envelope__period"
    )


def _order_for(request, order_id: int, *, act: bool = False) -> Order:
    """The order, if the user reads it (404 otherwise); ``act``: and may order on its envelope
    (403 otherwise)."""
    _require_reader(request)
    order = get_object_or_404(_orders(request.user), pk=order_id)
    if act and not can_order_on(request.user, order.envelope):
        raise PermissionDenied(
            "Vous ne passez pas de commande sur l'enveloppe "
            f"{services.envelope_label(order.envelope)}."
        )
    return order


def _envelope_to_order_on(request, envelope_id) -> Envelope:
    """A posted envelope: 404 unless the user reads it, 403 unless they may order on it."""
    envelope = get_object_or_404(
        Envelope.objects.visible_to(request.user).select_related("measure", "node"),
        pk=envelope_id,
    )
    if not can_order_on(request.user, envelope):
        raise PermissionDenied(
            f"Vous ne passez pas de commande sur l'enveloppe {services.envelope_label(envelope)}."
        )
    return envelope


def _filtered(user, filters: dict):
    orders = _orders(user)
    if measure := filters.get("measure"):
        orders = orders.filter(envelope__measure=measure)
    if status := filters.get("status"):
        orders = orders.filter(status=status)
    if q := filters.get("q"):
        orders = orders.filter(Q(number__icontains=q) | Q(supplier__name__icontains=q))
    return orders.annotate(invoiced=Sum("invoices__amount"))


# --- Orders ----------------------------------------------------------------------------------


@login_required
@require_GET
def order_list(request):
    _require_reader(request)
    form = OrderFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, _filtered(request.user, filters).order_by("-created_at", "-pk"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": ORDERS,
        "form": form,
        "page_obj": page,
        "filtered": bool(filters),
        "can_order": can_order(request.user),
        "export_query": f"?{query.urlencode()}" if query else "",
        "breadcrumb_data": _crumbs(ORDERS),
    }
    return render(request, "equipment/orders/list.html", context)


ORDER_COLUMNS = [
    ("Numéro", lambda o: o.number, 16),
    ("Fournisseur", lambda o: o.supplier.name, 20),
    ("Mesure", lambda o: o.envelope.measure.code, 8),
    ("Territoire", lambda o: str(o.envelope.node), 24),
    ("État", lambda o: o.get_status_display(), 12),
    ("Date de commande", lambda o: o.ordered_on, 14),
    ("Montant TTC (€)", lambda o: o.total, 16),
    ("Facturé TTC (€)", lambda o: o.invoiced or 0, 16),
    ("Dérogation", lambda o: o.override_reason, 40),
]


@login_required
@require_GET
def order_export(request, fmt: str):
    _require_reader(request)
    form = OrderFilterForm(request.GET or None)
    orders = _filtered(request.user, form.filters()).order_by("-created_at", "-pk")
    return tabular_exports.response(
        orders.iterator(chunk_size=2000), ORDER_COLUMNS, fmt, stem="commandes", sheet="Commandes"
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    _require_reader(request)
    if not can_order(request.user):
        raise PermissionDenied("Seuls le pilotage national et la coordination passent commande.")
    if request.method == "POST":
        if (envelope_id := request.POST.get("envelope", "")).isdigit():
            _envelope_to_order_on(request, int(envelope_id))
        form = OrderForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                order = services.create_order(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"La commande {order.number} est créée (brouillon).")
                return redirect("equipment:order_detail", order_id=order.pk)
    else:
        form = OrderForm(user=request.user, initial={"envelope": request.GET.get("envelope")})
    title = "Nouvelle commande"
    context = {
        "title": title,
        "form": form,
        "breadcrumb_data": _crumbs(title, (ORDERS, reverse("equipment:order_list"))),
    }
    return render(request, "equipment/orders/form.html", context)


def _detail_context(request, order: Order, **forms) -> dict:
    lines = list(order.lines.select_related("model__category"))
    invoices = list(order.invoices.all())
    invoiced = sum((i.amount for i in invoices), 0)
    acts = can_order_on(request.user, order.envelope)
    remaining = services.envelope_remaining(order.envelope, excluding=order)
    draft = order.status == OrderStatus.DRAFT
    return {
        "title": f"Commande {order.number}",
        "order": order,
        "lines": lines,
        "invoices": invoices,
        "invoiced": invoiced,
        "delivered": sum(line.delivered for line in lines),
        "quantity": sum(line.quantity for line in lines),
        "allocations": order.allocations.count(),
        # The campaign's page, for those who read it (an evaluator reads the order's figures).
        "campaign_url": reverse("equipment:campaign_detail", args=[order.campaign_id])
        if order.campaign_id
        and Campaign.objects.visible_to(request.user, VIEW).filter(pk=order.campaign_id).exists()
        else "",
        "remaining": remaining,
        "exceeds": draft and order.total > remaining,
        "acts": acts,
        "can_override": can_override_on(request.user, order.envelope),
        # An evaluator reads figures, never people: the override's author is for the agents.
        "shows_people": can_view_equipment(request.user),
        "cancel_refusal": services.cancel_refusal(order),
        "line_form": forms.get("line_form") or (OrderLineForm() if acts and draft else None),
        "commit_form": forms.get("commit_form") or CommitForm(),
        "breadcrumb_data": _crumbs(order.number, (ORDERS, reverse("equipment:order_list"))),
    }


@login_required
@require_GET
def order_detail(request, order_id: int):
    order = _order_for(request, order_id)
    return render(request, "equipment/orders/detail.html", _detail_context(request, order))


@login_required
@require_POST
def order_line_add(request, order_id: int):
    order = _order_for(request, order_id, act=True)
    form = OrderLineForm(request.POST)
    if form.is_valid():
        try:
            services.set_line(actor=request.user, order=order, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, "La ligne est enregistrée.")
            return redirect("equipment:order_detail", order_id=order.pk)
    context = _detail_context(request, order, line_form=form)
    return render(request, "equipment/orders/detail.html", context, status=400)


@login_required
@require_POST
def order_line_delete(request, order_id: int, line_id: int):
    order = _order_for(request, order_id, act=True)
    line = get_object_or_404(OrderLine, order=order, pk=line_id)
    try:
        services.remove_line(actor=request.user, line=line)
    except ValidationError as error:
        messages.error(request, fr_typo(" ".join(error.messages)))
    else:
        messages.success(request, "La ligne est retirée.")
    return redirect("equipment:order_detail", order_id=order.pk)


@login_required
@require_POST
def order_commit(request, order_id: int):
    order = _order_for(request, order_id, act=True)
    form = CommitForm(request.POST)
    if form.is_valid():
        try:
            services.commit_order(
                actor=request.user,
                order=order,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"La commande {order.number} est engagée.")
            return redirect("equipment:order_detail", order_id=order.pk)
    order.refresh_from_db()
    context = _detail_context(request, order, commit_form=form)
    return render(request, "equipment/orders/detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def order_cancel(request, order_id: int):
    order = _order_for(request, order_id, act=True)
    refusal = services.cancel_refusal(order)
    if request.method == "POST" and not refusal:
        try:
            services.cancel_order(actor=request.user, order=order)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"La commande {order.number} est annulée.")
            return redirect("equipment:order_detail", order_id=order.pk)
    title = f"Annuler la commande {order.number}"
    context = {
        "title": title,
        "order": order,
        "refusal": refusal,
        "allocations": order.allocations.filter(status=AllocationStatus.ORDERED).count(),
        "breadcrumb_data": _crumbs(
            title,
            (ORDERS, reverse("equipment:order_list")),
            (order.number, reverse("equipment:order_detail", args=[order.pk])),
        ),
    }
    return render(request, "equipment/orders/cancel.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create(request, order_id: int):
    order = _order_for(request, order_id, act=True)
    if request.method == "POST":
        form = InvoiceForm(request.POST)
        if form.is_valid():
            try:
                invoice = services.add_invoice(actor=request.user, order=order, **form.cleaned_data)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request,
                    fr_typo(
                        f"La facture {invoice.number} ({euros(invoice.amount)}) est enregistrée."
                    ),
                )
                return redirect("equipment:order_detail", order_id=order.pk)
    else:
        form = InvoiceForm()
    title = f"Saisir une facture de la commande {order.number}"
    context = {
        "title": title,
        "order": order,
        "form": form,
        "breadcrumb_data": _crumbs(
            title,
            (ORDERS, reverse("equipment:order_list")),
            (order.number, reverse("equipment:order_detail", args=[order.pk])),
        ),
    }
    return render(request, "equipment/orders/invoice_form.html", context)


# --- A campaign's order ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_order(request, campaign_id: int):
    """Order a campaign's kit for all its planned allocations in one action."""
    _require_reader(request)
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user, ALLOCATE).select_related(
            "kit", "measure", "node"
        ),
        pk=campaign_id,
    )
    if not can_order(request.user):
        raise PermissionDenied("Seuls le pilotage national et la coordination passent commande.")
    envelopes = services.envelopes_for_campaign(request.user, campaign)
    planned = campaign.allocations.filter(status=AllocationStatus.PLANNED).count()
    if request.method == "POST":
        form = CampaignOrderForm(request.POST, envelopes=envelopes)
        if form.is_valid():
            try:
                order = services.order_campaign(
                    campaign=campaign, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request,
                    f"La commande {order.number} est engagée pour {planned} affectation"
                    f"{'s' if planned > 1 else ''} de la campagne.",
                )
                return redirect("equipment:order_detail", order_id=order.pk)
    else:
        form = CampaignOrderForm(envelopes=envelopes)
    lines, unpriced = [], ""
    if planned:
        try:
            lines = [
                {"model": model, "quantity": quantity, "amount": model.unit_price * quantity}
                for model, quantity in services.campaign_lines(campaign, planned)
            ]
        except ValidationError as error:
            unpriced = " ".join(error.messages)
    title = f"Commander la campagne {campaign}"
    context = {
        "title": title,
        "campaign": campaign,
        "form": form,
        "planned": planned,
        "lines": lines,
        "total": sum((line["amount"] for line in lines), 0),
        "unpriced": unpriced,
        "has_envelopes": envelopes.exists(),
        "breadcrumb_data": _crumbs(title),
    }
    return render(request, "equipment/orders/campaign_order.html", context)


# --- Ledger ----------------------------------------------------------------------------------


def _ledger(request):
    _require_reader(request)
    form = LedgerFilterForm(request.GET or None, user=request.user)
    measure = node = None
    if form.is_valid():
        measure, node = form.cleaned_data.get("measure"), form.cleaned_data.get("node")
    measure = measure or equipment_measures().filter(code="M5").first()
    node = node or ledgers.default_node(request.user)
    form = _showing(request, form, measure=measure, node=node)
    if node is None or measure is None:
        return form, None
    return form, ledgers.ledger_for(measure=measure, node=node)


def _showing(request, form, *, measure, node):
    """The filter form showing the measure and node of the ledger below it, defaults included:
    a form left on « M4 » and « --------- » over the M5 ledger of Aisne would switch to another
    ledger when « Afficher » is pressed."""
    shown = {"measure": measure.pk if measure else None, "node": node.pk if node else None}
    if not form.is_bound:
        form.initial = shown
        return form
    if not form.is_valid() or all(form.cleaned_data.get(name) for name in shown):
        return form
    data = request.GET.copy()
    for name, value in shown.items():
        if not data.get(name) and value is not None:
            data[name] = str(value)
    return LedgerFilterForm(data, user=request.user)


@login_required
@require_GET
def ledger(request):
    form, result = _ledger(request)
    query = request.GET.urlencode()
    context = {
        "title": LEDGER,
        "form": form,
        "ledger": result,
        "export_query": f"?{query}" if query else "",
        "breadcrumb_data": _crumbs(LEDGER),
    }
    return render(request, "equipment/orders/ledger.html", context)


LEDGER_COLUMNS = [
    ("Territoire", lambda r: str(r.node), 24),
    ("Type", lambda r: r.node.get_kind_display(), 14),
    ("Enveloppe (€)", lambda r: r.amount, 16),
    ("Répartie en dessous (€)", lambda r: r.split, 16),
    ("Engagé (€)", lambda r: r.committed, 16),
    ("Dépensé (€)", lambda r: r.spent, 16),
    ("Reste (€)", lambda r: r.remaining, 16),
    ("Engagé sur le territoire (€)", lambda r: r.subtree_committed, 18),
    ("Bénéficiaires", lambda r: r.beneficiaries, 12),
    ("Coût par bénéficiaire (€)", lambda r: r.cost_per_beneficiary, 16),
]


@login_required
@require_GET
def ledger_export(request, fmt: str):
    _, result = _ledger(request)
    rows = result.rows if result else []
    return tabular_exports.response(
        rows, LEDGER_COLUMNS, fmt, stem="suivi-budgetaire", sheet="Budget"
    )
