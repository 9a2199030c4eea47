"""M7, the new teachers' pages: the new teachers of the user's scope with where their kit stands
(filters, export), a teacher's page (their kits, receipts and what they still hold), and the
allocation, hand-over and return of their kit.

Names are personal data: reading needs ``equipment.view`` and ``territory.view_people`` on the
school (a teacher outside it is a 404); allocating, handing over and taking back need
``equipment.hand_over`` there (403 otherwise)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from dsfr.utils import dsfr_input_class_attr

from tne.core.documents import file_response
from tne.core.formats import fr_typo
from tne.core.scope import holds, scope_of
from tne.core.signing import SignatureForm
from tne.core.validators import single_line_text
from tne.territory.models import Staff
from tne.territory.perms import VIEW_PEOPLE

from ..enums import AllocationStatus
from ..models import Allocation, Handover
from ..perms import HAND_OVER, VIEW
from ..services import handovers as services
from .listing import FilteredList, FilterForm, add_errors, crumbs

TITLE = "Nouveaux enseignants"


# --- Fetch and authorise ---------------------------------------------------------------------


def _require_reader(request) -> None:
    if not (holds(request.user, VIEW) and holds(request.user, VIEW_PEOPLE)):
        raise PermissionDenied("L'équipement des enseignants est réservé aux agents habilités.")


def _teachers(user):
    """The new teachers the user reads, both as equipment and as people (per grant)."""
    return (
        Staff.objects.visible_to(user, VIEW_PEOPLE)
        .filter(scope_of(user, VIEW).school_q("school__"), is_new_teacher=True)
        .select_related("school__commune")
    )


def _teacher(request, staff_id: int) -> Staff:
    _require_reader(request)
    return get_object_or_404(_teachers(request.user), pk=staff_id)


def _require_hand_over(request, staff: Staff) -> None:
    if not scope_of(request.user, HAND_OVER).contains_school(staff.school):
        raise PermissionDenied("Vous ne remettez pas l'équipement des enseignants de cette école.")


def _live_allocation(staff: Staff) -> Allocation | None:
    return (
        Allocation.objects.live()
        .filter(staff=staff, kit__code=services.KIT_CODE)
        .select_related("kit", "measure")
        .first()
    )


# --- Forms -----------------------------------------------------------------------------------


class TeacherFilterForm(FilterForm):
    STEPS = [
        ("", "Tous"),
        ("none", "Sans kit"),
        ("waiting", "Kit à remettre"),
        ("held", "Équipement remis"),
        ("returned", "Équipement restitué"),
    ]
    q = forms.CharField(
        label="Nom ou école", required=False, max_length=100, validators=[single_line_text]
    )
    step = forms.ChoiceField(label="Équipement", required=False, choices=STEPS)


class HandoverForm(SignatureForm):
    tags = forms.CharField(
        label="Numéros d'inventaire des matériels remis",
        help_text="Scannez l'étiquette de chaque matériel (le lecteur saisit son numéro) ou "
        "tapez-le, un par ligne.",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        max_length=2000,
    )
    field_order = ["tags", "typed_name", "consent", "drawing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, consent_text=services.HANDOVER_CONSENT, **kwargs)
        self.relabel(
            "typed_name",
            "Nom et prénom de l'enseignant",
            "L'enseignant saisit lui-même son nom\u00a0: il vaut signature.",
        )


class ReturnForm(SignatureForm):
    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, consent_text=services.RETURN_CONSENT, **kwargs)
        self.assets = list(assets)
        choices = [("", "Choisir")] + [(k, v[0]) for k, v in services.OUTCOMES.items()]
        for asset in self.assets:
            self.fields[f"outcome_{asset.pk}"] = forms.ChoiceField(
                label=f"{asset.model.name} — {asset.asset_tag} (série {asset.serial_number})",
                choices=choices,
            )
        self.relabel(
            "typed_name",
            "Nom et prénom de l'enseignant",
            "L'enseignant saisit lui-même son nom\u00a0: il vaut signature.",
        )
        for asset in self.assets:
            dsfr_input_class_attr(self[f"outcome_{asset.pk}"])
        self.order_fields(
            [f"outcome_{a.pk}" for a in self.assets] + ["typed_name", "consent", "drawing"]
        )

    def outcomes(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data[f"outcome_{a.pk}"] for a in self.assets}


# --- Selectors and exports -------------------------------------------------------------------


def teachers_for(user, *, q: str = "", step: str = ""):
    latest = (
        Allocation.objects.filter(staff=OuterRef("pk"), kit__code=services.KIT_CODE)
        .exclude(status=AllocationStatus.CANCELLED)
        .order_by("-created_at", "-pk")
    )
    rows = _teachers(user).annotate(
        kit_status=Subquery(latest.values("status")[:1]),
        kit_allocation=Subquery(latest.values("pk")[:1]),
    )
    if q:
        rows = rows.filter(
            Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(school__name__icontains=q)
            | Q(school__uai__iexact=q)
        )
    if step == "none":
        rows = rows.filter(kit_status__isnull=True)
    elif step == "waiting":
        rows = rows.filter(kit_status__in=services.OPEN_STEPS)
    elif step == "held":
        rows = rows.filter(kit_status=AllocationStatus.IN_SERVICE)
    elif step == "returned":
        rows = rows.filter(kit_status=AllocationStatus.RETURNED)
    return rows.order_by("school__name", "last_name", "first_name", "pk")


def _status_label(row) -> str:
    if row.kit_status is None:
        return "Sans kit"
    return AllocationStatus(row.kit_status).label


COLUMNS = [
    ("Nom", lambda s: s.last_name),
    ("Prénom", lambda s: s.first_name),
    ("UAI", lambda s: s.school.uai),
    ("École", lambda s: s.school.name),
    ("Commune", lambda s: s.school.commune.name),
    ("Équipement", _status_label),
]


TEACHERS = FilteredList(
    title=TITLE,
    template="equipment/teachers/list.html",
    form_class=TeacherFilterForm,
    rows=teachers_for,
    columns=COLUMNS,
    stem="nouveaux-enseignants",
)


def _mark_status(rows) -> None:
    for row in rows:
        row.status_label = _status_label(row)


# --- Pages -----------------------------------------------------------------------------------


def _detail_url(staff) -> str:
    return reverse("equipment:teacher_detail", args=[staff.pk])


@login_required
@require_GET
def teacher_list(request):
    _require_reader(request)
    return TEACHERS.page(request, prepare=_mark_status)


@login_required
@require_GET
def teacher_export(request, fmt: str):
    _require_reader(request)
    return TEACHERS.export(request, fmt)


@login_required
@require_GET
def teacher_detail(request, staff_id: int):
    staff = _teacher(request, staff_id)
    allocations = list(
        Allocation.objects.filter(staff=staff)
        .select_related("kit", "measure")
        .order_by("-created_at", "-pk")
    )
    receipts = list(
        Handover.objects.filter(allocation__staff=staff)
        .select_related("signature", "receipt")
        .order_by("-created_at", "-pk")
    )
    live = next((a for a in allocations if a.status not in ("CANCELLED", "RETURNED")), None)
    context = {
        "title": f"{staff.first_name} {staff.last_name}",
        "staff": staff,
        "allocations": allocations,
        "receipts": receipts,
        "live": live,
        "held": list(services.still_held(staff)),
        "may_hand_over": scope_of(request.user, HAND_OVER).contains_school(staff.school),
        "open_steps": services.OPEN_STEPS,
        "breadcrumb_data": crumbs(
            f"{staff.first_name} {staff.last_name}", (TITLE, reverse("equipment:teacher_list"))
        ),
    }
    return render(request, "equipment/teachers/detail.html", context)


@login_required
@require_POST
def teacher_allocate(request, staff_id: int):
    staff = _teacher(request, staff_id)
    _require_hand_over(request, staff)
    try:
        services.allocate_kit(staff_id=staff.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, fr_typo(" ".join(error.messages)))
    else:
        messages.success(
            request, "Le kit «\u00a0Équipement nouvel enseignant\u00a0» lui est affecté."
        )
    return redirect(_detail_url(staff))


def _form_page(request, staff, form, *, title, template, **extra):
    context = {
        "title": title,
        "staff": staff,
        "form": form,
        "breadcrumb_data": crumbs(
            title,
            (TITLE, reverse("equipment:teacher_list")),
            (f"{staff.first_name} {staff.last_name}", _detail_url(staff)),
        ),
        **extra,
    }
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def teacher_handover(request, staff_id: int):
    staff = _teacher(request, staff_id)
    _require_hand_over(request, staff)
    allocation = _live_allocation(staff)
    if allocation is None or allocation.status not in services.OPEN_STEPS:
        messages.error(request, "Aucun kit n'est à remettre à cet enseignant.")
        return redirect(_detail_url(staff))
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover = services.hand_over(
                allocation_id=allocation.pk,
                actor=request.user,
                tags=data["tags"],
                typed_name=data["typed_name"],
                drawing=data["drawing"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"L'équipement est remis ({len(handover.lines)} matériels)\u00a0: le reçu "
                "signé est disponible ci-dessous.",
            )
            return redirect(_detail_url(staff))
    items = list(allocation.kit.items.select_related("category"))
    return _form_page(
        request,
        staff,
        form,
        title="Remettre l'équipement",
        template="equipment/teachers/handover.html",
        allocation=allocation,
        items=items,
    )


@login_required
@require_http_methods(["GET", "POST"])
def teacher_return(request, staff_id: int):
    staff = _teacher(request, staff_id)
    _require_hand_over(request, staff)
    allocation = _live_allocation(staff)
    if allocation is None or allocation.status != AllocationStatus.IN_SERVICE:
        messages.error(request, "Cet enseignant n'a pas d'équipement à restituer.")
        return redirect(_detail_url(staff))
    assets = list(services.still_held(staff).filter(allocation=allocation))
    form = ReturnForm(request.POST or None, assets=assets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.give_back(
                allocation_id=allocation.pk,
                actor=request.user,
                outcomes=form.outcomes(),
                typed_name=data["typed_name"],
                drawing=data["drawing"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, "L'équipement est restitué\u00a0: le reçu signé est disponible."
            )
            return redirect(_detail_url(staff))
    return _form_page(
        request,
        staff,
        form,
        title="Restitution de l'équipement",
        template="equipment/teachers/return.html",
        allocation=allocation,
        assets=assets,
    )


@login_required
@require_GET
def teacher_receipt(request, handover_id: int):
    _require_reader(request)
    handover = get_object_or_404(
        Handover.objects.filter(allocation__staff__in=_teachers(request.user)).select_related(
            "receipt"
        ),
        pk=handover_id,
    )
    return file_response(handover.receipt)
