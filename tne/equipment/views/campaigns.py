"""The deployment pages: the campaigns (list, creation, a campaign with its allocations, its bulk
allocation with a preview, its steps), all the allocations of the user's scope, the progress
per measure and territory, and a school's equipment.

Reading a campaign or an allocation needs ``equipment.view`` on its schools (404 outside);
creating, allocating and cancelling need ``equipment.allocate`` (403 without); marking
delivered or installed needs ``equipment.manage_assets`` (the technician who installs, the
coordinator). The progress needs ``equipment.view_progress`` and shows figures only."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.formats import fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.rowerrors import ImportFileError
from tne.core.scope import scope_of
from tne.territory.enums import NodeKind
from tne.territory.models import School, TerritoryNode

from .. import deployment_selectors as selectors
from ..deployment_exports import FORMATS, allocations_response
from ..deployment_forms import (
    AllocateByFileForm,
    AllocateByNodeForm,
    AllocateBySchoolForm,
    AllocationFilterForm,
    CampaignForm,
    StepForm,
)
from ..enums import AllocationStatus
from ..models import Allocation, Campaign
from ..perms import (
    ALLOCATE,
    MANAGE_ASSETS,
    VIEW,
    can_allocate,
    can_allocate_at,
    can_manage_assets,
    can_order,
    can_view_equipment,
)
from ..services import deployments
from ..services.deployments import Selection

TITLE = "Campagnes de déploiement"
SESSION_FILE = "equipment-allocation-file-{}"
STEP_ACTIONS = {
    "delivered": ("Marquer livrées", deployments.mark_delivered, "livrée"),
    "installed": ("Marquer installées", deployments.mark_installed, "installée"),
}


def _require_reader(request) -> None:
    if not can_view_equipment(request.user):
        raise PermissionDenied("L'équipement des écoles est réservé aux agents de leur périmètre.")


def _campaign(request, campaign_id: int, *, allocating: bool = False) -> Campaign:
    """The campaign if the user reads it (404 otherwise); ``allocating``: 403 unless they
    allocate somewhere in it."""
    _require_reader(request)
    campaign = get_object_or_404(selectors.campaigns_for(request.user), pk=campaign_id)
    if allocating and not _allocates_in(request.user, campaign):
        raise PermissionDenied(f"Vous n'affectez pas d'équipement dans {campaign.node}.")
    return campaign


def _allocates_in(user, campaign: Campaign) -> bool:
    """Whether ``user`` allocates on the campaign's node or on a node under it (a coordinator of
    a département in a national campaign)."""
    if can_allocate_at(user, campaign.node):
        return True
    scope = scope_of(user, ALLOCATE)
    return any(path.startswith(campaign.node.path) for path in scope.authority_paths)


def _list_crumbs(current: str, *links) -> dict:
    return breadcrumb(current, ("Équipement", reverse("equipment:index")), *links)


def _campaign_crumbs(campaign: Campaign, current: str) -> dict:
    return _list_crumbs(
        current,
        (TITLE, reverse("equipment:campaign_list")),
        (campaign.name, reverse("equipment:campaign_detail", args=[campaign.pk])),
    )


# --- Campaigns -----------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request):
    _require_reader(request)
    campaigns = selectors.campaigns_for(request.user).order_by("-created_at", "-pk")
    page = paginate(request, campaigns)
    context = {
        "title": TITLE,
        "breadcrumb_data": _list_crumbs(TITLE),
        "page_obj": page,
        "can_allocate": can_allocate(request.user),
    }
    return render(request, "equipment/campaigns/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    _require_reader(request)
    if not can_allocate(request.user):
        raise PermissionDenied(
            "Seuls le pilotage national et la coordination créent des campagnes."
        )
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = deployments.create_campaign(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"La campagne «\u00a0{campaign}\u00a0» est créée.")
            return redirect("equipment:campaign_allocate", campaign_id=campaign.pk)
    title = "Nouvelle campagne"
    context = {
        "title": title,
        "breadcrumb_data": _list_crumbs(title, (TITLE, reverse("equipment:campaign_list"))),
        "form": form,
    }
    return render(request, "equipment/campaigns/form.html", context)


def _communes(user, node: TerritoryNode | None):
    """The communes of the commune filter: those of a campaign's département, circonscription
    or commune, or those the user browses (none for a national list: too many for a list)."""
    if node is None:
        scope = scope_of(user, VIEW)
        if scope.everything:
            return None
        return TerritoryNode.objects.filter(scope.browse_q(), kind=NodeKind.COMMUNE).order_by(
            "name"
        )
    if node.kind not in (NodeKind.DEPARTEMENT, NodeKind.CIRCONSCRIPTION, NodeKind.COMMUNE):
        return None
    return TerritoryNode.objects.filter(
        kind=NodeKind.COMMUNE, pk__in=selectors.schools_in(node).values("commune_id")
    ).order_by("name")


def _allocation_filters(request, *, campaign=None):
    communes = _communes(request.user, campaign.node if campaign is not None else None)
    form = AllocationFilterForm(
        request.GET or None, communes=communes, with_measure=campaign is None
    )
    return form, form.filters()


@login_required
@require_GET
def campaign_detail(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    user = request.user
    form, filters = _allocation_filters(request, campaign=campaign)
    rows = selectors.allocations_for(user, campaign=campaign, **filters)
    counts = selectors.step_counts(selectors.allocations_for(user, campaign=campaign))
    page = paginate(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": campaign.name,
        "breadcrumb_data": _list_crumbs(campaign.name, (TITLE, reverse("equipment:campaign_list"))),
        "campaign": campaign,
        "form": form,
        "filtered": bool(filters),
        "page_obj": page,
        "steps": [(s, AllocationStatus(s).label, counts[s]) for s in AllocationStatus.values],
        "total": sum(counts.values()),
        "can_allocate": _allocates_in(user, campaign),
        "can_step": can_manage_assets(user),
        # Ordering is for the planned allocations: once none is left, nothing to order.
        "can_order": can_order(user) and counts[AllocationStatus.PLANNED] > 0,
        "order_url": reverse("equipment:campaign_order", args=[campaign.pk]),
        "step_form": StepForm(),
        "export_query": f"?{query.urlencode()}" if query else "",
        "formats": FORMATS,
    }
    return render(request, "equipment/campaigns/detail.html", context)


@login_required
@require_GET
def campaign_export(request, campaign_id: int, fmt: str):
    campaign = _campaign(request, campaign_id)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    _, filters = _allocation_filters(request, campaign=campaign)
    rows = selectors.allocations_for(request.user, campaign=campaign, **filters)
    return allocations_response(rows, fmt, stem=f"campagne-{campaign.pk}")


# --- Bulk allocation -----------------------------------------------------------------------


def _selection_from(request, campaign):
    """The selection the POST names (``mode``), with its form; ``None`` when invalid."""
    mode = request.POST.get("mode")
    if mode == "node":
        form = AllocateByNodeForm(request.POST, user=request.user, campaign=campaign)
        if form.is_valid():
            return form, Selection(
                node=form.cleaned_data["node"],
                stages=(form.cleaned_data["stage"],) if form.cleaned_data["stage"] else (),
            )
        return form, None
    if mode == "school":
        form = AllocateBySchoolForm(request.POST)
        if form.is_valid():
            uais = form.cleaned_data["uais"]
            found = dict(School.objects.filter(uai__in=uais).values_list("uai", "pk"))
            unknown = [uai for uai in uais if uai not in found]
            if unknown:
                form.add_error("uais", f"Aucune école ne porte l'UAI {', '.join(unknown)}.")
                return form, None
            ids = tuple(found.values())
            return form, Selection(school_ids=ids)
        return form, None
    if mode == "file":
        ids = request.session.get(SESSION_FILE.format(campaign.pk))
        if request.POST.get("confirm") and ids:
            return None, Selection(class_ids=tuple(ids))
        form = AllocateByFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return form, None
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "classes.csv"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                selection = deployments.read_allocation_csv(
                    path, campaign=campaign, actor=request.user, label=upload.name
                )
            except ImportFileError as exc:
                form.file_errors = exc.errors
                return form, None
        request.session[SESSION_FILE.format(campaign.pk)] = list(selection.class_ids)
        return form, selection
    raise Http404("Mode d'affectation inconnu.")


@login_required
@require_http_methods(["GET", "POST"])
def campaign_allocate(request, campaign_id: int):
    """Three ways to choose, then a preview (« 412 classes dans 37 écoles, 12 déjà équipées »),
    then the confirmation that writes them."""
    campaign = _campaign(request, campaign_id, allocating=True)
    forms = {
        "node": AllocateByNodeForm(user=request.user, campaign=campaign),
        "school": AllocateBySchoolForm(),
        "file": AllocateByFileForm(),
    }
    plan = None
    mode = request.POST.get("mode", "")
    if request.method == "POST":
        form, selection = _selection_from(request, campaign)
        if form is not None:
            forms[mode] = form
        if selection is not None:
            try:
                if request.POST.get("confirm"):
                    plan = deployments.allocate(
                        campaign=campaign, selection=selection, actor=request.user
                    )
                    request.session.pop(SESSION_FILE.format(campaign.pk), None)
                    return _allocated(request, campaign, plan)
                plan = deployments.plan_allocations(
                    campaign=campaign, selection=selection, actor=request.user
                )
            except ValidationError as exc:
                messages.error(request, fr_typo(" ".join(exc.messages)))
                plan = None
    title = f"Affecter le kit — {campaign.name}"
    context = {
        "title": title,
        "breadcrumb_data": _campaign_crumbs(campaign, "Affecter le kit"),
        "campaign": campaign,
        "forms": forms,
        "plan": plan,
        "mode": mode,
        "posted": request.POST if plan is not None else None,
        "skipped_shown": plan.skipped[:200] if plan is not None else [],
    }
    return render(request, "equipment/campaigns/allocate.html", context)


def _allocated(request, campaign, plan):
    title = f"Kit affecté — {campaign.name}"
    context = {
        "title": title,
        "breadcrumb_data": _campaign_crumbs(campaign, "Kit affecté"),
        "campaign": campaign,
        "plan": plan,
        "skipped_shown": plan.skipped[:500],
    }
    return render(request, "equipment/campaigns/allocated.html", context)


# --- Steps on a selection ------------------------------------------------------------------


def _chosen_ids(request) -> list[int]:
    ids = []
    for value in request.POST.getlist("allocation"):
        if not value.isdigit():
            raise Http404("Affectation inconnue.")
        ids.append(int(value))
    return ids


@login_required
@require_POST
def campaign_step(request, campaign_id: int, action: str):
    """Marks the chosen allocations delivered or installed on the date given."""
    campaign = _campaign(request, campaign_id)
    if action not in STEP_ACTIONS:
        raise Http404("Étape inconnue.")
    if not can_manage_assets(request.user):
        raise PermissionDenied(
            "Le suivi des livraisons et des installations est réservé aux techniciens et à "
            "la coordination."
        )
    ids = _chosen_ids(request)
    visible = set(
        Allocation.objects.visible_to(request.user, MANAGE_ASSETS)
        .filter(campaign=campaign, pk__in=ids)
        .values_list("pk", flat=True)
    )
    form = StepForm(request.POST)
    back = reverse("equipment:campaign_detail", args=[campaign.pk])
    if not ids or len(visible) != len(set(ids)):
        messages.error(request, "Sélectionnez des affectations de votre périmètre.")
        return redirect(back)
    if not form.is_valid():
        messages.error(request, "Indiquez une date valide (jj/mm/aaaa).")
        return redirect(back)
    _, service, word = STEP_ACTIONS[action]
    try:
        result = service(allocation_ids=ids, on=form.cleaned_data["on"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, fr_typo(" ".join(exc.messages)))
        return redirect(back)
    text = f"{result.done} affectation(s) {word}(s)."
    if result.skipped:
        text += f" {result.skipped} laissée(s) : elles n'étaient pas à l'étape précédente."
    messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def campaign_cancel(request, campaign_id: int):
    """The confirmation page of the cancellation of the chosen allocations, then (``confirm``)
    the cancellation."""
    campaign = _campaign(request, campaign_id, allocating=True)
    ids = _chosen_ids(request)
    rows = Allocation.objects.visible_to(request.user, ALLOCATE).filter(
        campaign=campaign, pk__in=ids
    )
    chosen = list(rows.select_related("school", "school_class").order_by("school__uai", "pk")[:501])
    back = reverse("equipment:campaign_detail", args=[campaign.pk])
    if not ids or rows.count() != len(set(ids)):
        messages.error(request, "Sélectionnez des affectations de votre périmètre.")
        return redirect(back)
    if request.POST.get("confirm"):
        try:
            result = deployments.cancel(allocation_ids=ids, actor=request.user)
        except ValidationError as exc:
            messages.error(request, fr_typo(" ".join(exc.messages)))
            return redirect(back)
        text = f"{result.done} affectation(s) annulée(s)."
        if result.skipped:
            text += f" {result.skipped} laissée(s) : déjà livrées ou plus avancées."
        messages.success(request, text)
        return redirect(back)
    context = {
        "title": f"Annuler des affectations — {campaign.name}",
        "breadcrumb_data": _campaign_crumbs(campaign, "Annuler des affectations"),
        "campaign": campaign,
        "chosen": chosen[:500],
        "more": len(ids) - min(len(chosen), 500),
        "ids": ids,
    }
    return render(request, "equipment/campaigns/cancel.html", context)


# --- All the allocations -------------------------------------------------------------------


@login_required
@require_GET
def allocation_list(request):
    _require_reader(request)
    form, filters = _allocation_filters(request)
    rows = selectors.allocations_for(request.user, **filters)
    page = paginate(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    title = "Affectations"
    context = {
        "title": title,
        "breadcrumb_data": _list_crumbs(title),
        "form": form,
        "filtered": bool(filters),
        "page_obj": page,
        "export_query": f"?{query.urlencode()}" if query else "",
        "formats": FORMATS,
    }
    return render(request, "equipment/campaigns/allocations.html", context)


@login_required
@require_GET
def allocation_export(request, fmt: str):
    _require_reader(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    _, filters = _allocation_filters(request)
    return allocations_response(selectors.allocations_for(request.user, **filters), fmt)
