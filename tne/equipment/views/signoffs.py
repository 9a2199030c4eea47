"""The installation pages: the list of installations a user reads (« à valider » for a school
head, « à contresigner » for the local authority owning the buildings; filters, export), the
school head's decision (accept with remarks and a photo, or refuse with the reason), the
authority's co-signature of one installation or of a selection, and the downloads of the signed
reports and of the photo.

Reading needs ``equipment.view`` on the school (a foreign id is a 404); deciding needs
``equipment.sign_installation`` there and co-signing ``equipment.cosign_installation`` there
(403 otherwise): a person head of one school and officer of another commune acts in each role
only where it is granted."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.documents import file_response
from tne.core.scope import scope_of
from tne.core.validators import single_line_text

from ..enums import AllocationStatus, SignoffDecision, SignoffParty
from ..forms.signoffs import CosignForm, DecisionForm
from ..models import Allocation, Signoff
from ..perms import (
    COSIGN_INSTALLATION,
    SIGN_INSTALLATION,
    VIEW,
    can_view_equipment,
)
from ..services import signoffs as services
from .listing import FilteredList, FilterForm, add_errors, crumbs

TITLE = "Installations"
SHOWN_STEPS = (AllocationStatus.DELIVERED, AllocationStatus.INSTALLED, AllocationStatus.IN_SERVICE)


# --- Fetch and authorise ---------------------------------------------------------------------


def _require_reader(request) -> None:
    if not can_view_equipment(request.user):
        raise PermissionDenied("Les installations sont réservées aux agents de l'équipement.")


def _allocation(request, allocation_id: int) -> Allocation:
    """An allocation the user reads (404 otherwise)."""
    _require_reader(request)
    return get_object_or_404(
        Allocation.objects.visible_to(request.user, VIEW).select_related(*services.RELATED),
        pk=allocation_id,
    )


def _signoff(request, signoff_id: int) -> Signoff:
    _require_reader(request)
    return get_object_or_404(
        Signoff.objects.filter(
            allocation__in=Allocation.objects.visible_to(request.user, VIEW)
        ).select_related("report", "allocation"),
        pk=signoff_id,
    )


# --- Forms -----------------------------------------------------------------------------------


class InstallationFilterForm(FilterForm):
    TODO_CHOICES = [
        ("", "Toutes"),
        ("sign", "À valider par l'école"),
        ("cosign", "À contresigner par la collectivité"),
        ("refused", "Refusées, à reprendre"),
        ("done", "Validées et contresignées"),
    ]
    q = forms.CharField(
        label="École (nom ou UAI)", required=False, max_length=100, validators=[single_line_text]
    )
    status = forms.ChoiceField(
        label="Étape",
        required=False,
        choices=[("", "Toutes")] + [(s.value, s.label) for s in SHOWN_STEPS],
    )
    todo = forms.ChoiceField(label="Suivi", required=False, choices=TODO_CHOICES)


# --- Selectors -------------------------------------------------------------------------------


def installations_for(user, *, q: str = "", status: str = "", todo: str = ""):
    """The installations the user reads: allocations delivered (after a refusal), installed or in
    service, with the reason of their last refusal."""
    refusals = Signoff.objects.filter(
        allocation=OuterRef("pk"), decision=SignoffDecision.REFUSED
    ).order_by("-created_at", "-pk")
    rows = (
        Allocation.objects.visible_to(user, VIEW)
        .filter(status__in=SHOWN_STEPS)
        .annotate(
            refused=Exists(refusals),
            last_refusal=Subquery(refusals.values("remarks")[:1]),
        )
        .filter(~Q(status=AllocationStatus.DELIVERED) | Q(refused=True))
        .select_related("school__commune", "school__owner", "school_class", "staff", "kit")
        .order_by("school__name", "school_id", "pk")
    )
    if q:
        rows = rows.filter(Q(school__name__icontains=q) | Q(school__uai__iexact=q))
    if status:
        rows = rows.filter(status=status)
    if todo == "sign":
        rows = rows.filter(status=AllocationStatus.INSTALLED)
    elif todo == "cosign":
        rows = rows.filter(
            status=AllocationStatus.IN_SERVICE,
            school_signed_at__isnull=False,
            authority_signed_at__isnull=True,
        )
    elif todo == "refused":
        rows = rows.filter(status=AllocationStatus.DELIVERED)
    elif todo == "done":
        rows = rows.filter(authority_signed_at__isnull=False)
    return rows


def _mark_actions(user, rows) -> None:
    sign, cosign = scope_of(user, SIGN_INSTALLATION), scope_of(user, COSIGN_INSTALLATION)
    for row in rows:
        row.can_sign = row.status == AllocationStatus.INSTALLED and sign.contains_school(row.school)
        row.can_cosign = services.cosignable(row) and cosign.contains_school(row.school)


# --- Exports ---------------------------------------------------------------------------------

COLUMNS = [
    ("Affectation", lambda a: a.pk),
    ("UAI", lambda a: a.school.uai),
    ("École", lambda a: a.school.name),
    ("Commune", lambda a: a.school.commune.name),
    ("Collectivité propriétaire", lambda a: a.school.owner.name if a.school.owner_id else ""),
    ("Classe", lambda a: a.school_class.name if a.school_class_id else ""),
    ("Kit", lambda a: a.kit.name),
    ("Étape", lambda a: a.get_status_display()),
    ("Installée le", lambda a: a.installed_on),
    (
        "Validée par l'école le",
        lambda a: timezone.localtime(a.school_signed_at).date() if a.school_signed_at else None,
    ),
    (
        "Contresignée le",
        lambda a: (
            timezone.localtime(a.authority_signed_at).date() if a.authority_signed_at else None
        ),
    ),
    ("Motif du dernier refus", lambda a: a.last_refusal or ""),
]


INSTALLATIONS = FilteredList(
    title=TITLE,
    template="equipment/signoffs/list.html",
    form_class=InstallationFilterForm,
    rows=installations_for,
    columns=COLUMNS,
    stem="installations",
)


# --- Pages -----------------------------------------------------------------------------------


def _list_url() -> str:
    return reverse("equipment:signoff_list")


@login_required
@require_GET
def signoff_list(request):
    _require_reader(request)
    return INSTALLATIONS.page(
        request,
        prepare=lambda rows: _mark_actions(request.user, rows),
        may_cosign=not scope_of(request.user, COSIGN_INSTALLATION).is_empty,
    )


@login_required
@require_GET
def signoff_export(request, fmt: str):
    _require_reader(request)
    return INSTALLATIONS.export(request, fmt)


def _history(allocation: Allocation) -> list[Signoff]:
    return list(
        allocation.signoffs.select_related("signature", "report").order_by("created_at", "pk")
    )


@login_required
@require_GET
def signoff_detail(request, allocation_id: int):
    """An installation as its readers see it: the report, the decisions and their documents."""
    allocation = _allocation(request, allocation_id)
    title = f"Installation n°\u00a0{allocation.pk}"
    context = {
        "title": title,
        "allocation": allocation,
        "history": _history(allocation),
        "can_sign": allocation.status == AllocationStatus.INSTALLED
        and scope_of(request.user, SIGN_INSTALLATION).contains_school(allocation.school),
        "can_cosign": services.cosignable(allocation)
        and scope_of(request.user, COSIGN_INSTALLATION).contains_school(allocation.school),
        **services.report_context(allocation),
        "breadcrumb_data": crumbs(title, (TITLE, _list_url())),
    }
    return render(request, "equipment/signoffs/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def signoff_sign(request, allocation_id: int):
    allocation = _allocation(request, allocation_id)
    if not scope_of(request.user, SIGN_INSTALLATION).contains_school(allocation.school):
        raise PermissionDenied("Vous ne validez pas les installations de cette école.")
    if request.method == "POST":
        form = DecisionForm(request.POST, request.FILES, consent_text=services.DECISION_CONSENT)
        if getattr(request, "upload_too_large", False):
            form.add_error(None, "Le fichier envoyé est trop volumineux.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                signoff = services.decide_installation(
                    allocation_id=allocation.pk,
                    actor=request.user,
                    accept=data["decision"] == "accept",
                    typed_name=data["typed_name"],
                    remarks=data["remarks"],
                    photo=data.get("photo"),
                    drawing=data["drawing"],
                    request=request,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if signoff.decision == SignoffDecision.ACCEPTED:
                    messages.success(request, "L'installation est validée et mise en service.")
                else:
                    messages.success(
                        request, "L'installation est refusée\u00a0: l'installateur en est informé."
                    )
                return redirect(_list_url())
    else:
        form = DecisionForm(consent_text=services.DECISION_CONSENT)
    return _decision_page(request, allocation, form)


def _decision_page(request, allocation, form):
    title = f"Installation n°\u00a0{allocation.pk} à valider"
    context = {
        "title": title,
        "allocation": allocation,
        "form": form,
        "open": allocation.status == AllocationStatus.INSTALLED,
        "history": _history(allocation),
        **services.report_context(allocation),
        "breadcrumb_data": crumbs(title, (TITLE, _list_url())),
    }
    return render(request, "equipment/signoffs/sign.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def signoff_cosign(request, allocation_id: int):
    allocation = _allocation(request, allocation_id)
    if not scope_of(request.user, COSIGN_INSTALLATION).contains_school(allocation.school):
        raise PermissionDenied(
            "Seule la collectivité propriétaire du bâtiment contresigne cette installation."
        )
    return _cosign_page(request, [allocation], single=True)


@login_required
@require_http_methods(["POST"])
def signoff_cosign_bulk(request):
    """The selection of the list: a confirmation page listing it with the signature form, then
    one co-signature of them all."""
    _require_reader(request)
    scope = scope_of(request.user, COSIGN_INSTALLATION)
    if scope.is_empty:
        raise PermissionDenied("Seule une collectivité propriétaire contresigne des installations.")
    try:
        ids = sorted({int(value) for value in request.POST.getlist("allocation")})
    except ValueError as error:
        raise Http404("Sélection illisible.") from error
    if not ids:
        messages.error(request, "Cochez au moins une installation à contresigner.")
        return redirect(f"{_list_url()}?todo=cosign")
    if len(ids) > services.MAX_BULK:
        messages.error(
            request, f"Contresignez au plus {services.MAX_BULK} installations à la fois."
        )
        return redirect(f"{_list_url()}?todo=cosign")
    allocations = list(
        Allocation.objects.visible_to(request.user, VIEW)
        .filter(pk__in=ids)
        .select_related(*services.RELATED)
        .order_by("school__name", "pk")
    )
    if len(allocations) != len(ids):
        raise Http404("Une des installations choisies n'existe pas.")
    if not all(scope.contains_school(a.school) for a in allocations):
        raise PermissionDenied(
            "Une des installations n'est pas dans un bâtiment de votre collectivité."
        )
    return _cosign_page(request, allocations, single=False)


def _cosign_page(request, allocations: list[Allocation], *, single: bool):
    signing = request.method == "POST" and "typed_name" in request.POST
    form = CosignForm(request.POST if signing else None, consent_text=services.COSIGN_CONSENT)
    if signing and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.cosign_installations(
                allocation_ids=[a.pk for a in allocations],
                actor=request.user,
                typed_name=data["typed_name"],
                remarks=data["remarks"],
                drawing=data["drawing"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                "L'installation est contresignée."
                if len(done) == 1
                else f"Les {len(done)} installations sont contresignées.",
            )
            return redirect(_list_url())
    waiting = [a for a in allocations if services.cosignable(a)]
    title = (
        f"Installation n°\u00a0{allocations[0].pk} à contresigner"
        if single
        else f"Contresigner {len(allocations)} installations"
    )
    school_signoffs = {
        s.allocation_id: s
        for s in Signoff.objects.filter(allocation__in=allocations, party=SignoffParty.SCHOOL)
        .select_related("signature")
        .order_by("created_at", "pk")
    }
    for allocation in allocations:
        allocation.school_signoff = school_signoffs.get(allocation.pk)
    context = {
        "title": title,
        "allocations": allocations,
        "single": single,
        "form": form,
        "open": len(waiting) == len(allocations),
        "history": _history(allocations[0]) if single else [],
        **(services.report_context(allocations[0]) if single else {}),
        "action": (
            reverse("equipment:signoff_cosign", args=[allocations[0].pk])
            if single
            else reverse("equipment:signoff_cosign_bulk")
        ),
        "breadcrumb_data": crumbs(title, (TITLE, _list_url())),
    }
    return render(request, "equipment/signoffs/cosign.html", context)


@login_required
@require_GET
def signoff_document(request, signoff_id: int):
    return file_response(_signoff(request, signoff_id).report)


@login_required
@require_GET
def signoff_photo(request, signoff_id: int):
    signoff = _signoff(request, signoff_id)
    if not signoff.photo:
        raise Http404("Cette validation n'a pas de photo.")
    extension = signoff.photo.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension)
    if content_type is None:
        raise Http404("Photo introuvable.")
    response = FileResponse(
        signoff.photo.open("rb"),
        as_attachment=True,
        filename=f"installation-{signoff.allocation_id}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
