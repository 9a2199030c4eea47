"""The pages of one loan and the overdue list.

Reading a loan needs ``loans.view`` or ``loans.hand_out`` on its school (each on its own grants;
a loan outside both is a 404); its steps (the family's answer, an extension, a loss) need
``loans.hand_out`` there (403). The signed documents bear the guardian's name: they are
downloaded where the user hands devices out or reads the guardians' contacts
(``loans.read_contact``). The overdue list shows the active loans past due in the user's reach,
filtered by school and commune, exported as CSV (never a contact: loans hold none)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.documents import file_response
from tne.core.exports import csv_response
from tne.core.formats import fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.scope import holds, scope_of
from tne.equipment.perms import VIEW as EQUIPMENT_VIEW
from tne.territory.models import TerritoryNode

from ..enums import LoanOutcome, LoanStatus
from ..forms.loans import DeclineForm, ExtendForm, LossForm, OverdueFilterForm, add_service_errors
from ..models import Loan
from ..perms import ALLOCATE, HAND_OUT, VIEW, can_hand_out
from ..selectors import loans as selectors
from ..services import lifecycle

STATUS_BADGES = {
    LoanStatus.OFFERED: "new",
    LoanStatus.ACCEPTED: "info",
    LoanStatus.ACTIVE: "success",
    LoanStatus.CLOSED: "",
    LoanStatus.DECLINED: "",
}
OVERDUE_TITLE = "Prêts en retard"


# --- Fetch and authorise ---------------------------------------------------------------------


def require_reader(request) -> None:
    if not (holds(request.user, VIEW) or holds(request.user, HAND_OUT)):
        raise PermissionDenied("Les prêts sont réservés aux agents des écoles et du programme.")


def _loan(request, loan_id: int) -> Loan:
    require_reader(request)
    try:
        return selectors.loan_for_page(request.user, loan_id)
    except Loan.DoesNotExist:
        raise Http404("Aucun prêt de votre périmètre n'a ce numéro.") from None


def _require_hand_out(request, loan: Loan) -> None:
    if not can_hand_out(request.user, loan.school):
        raise PermissionDenied("Vous ne remettez ni ne reprenez les matériels de cette école.")


def may_offer_at(user, school) -> bool:
    """Whether ``user`` confirms offers to the next pupils of ``school`` (``loans.allocate``
    there): the link to ``loans:offer_next`` is shown to them only."""
    return scope_of(user, ALLOCATE).contains_school(school)


def offer_next_url(school_id: int, category_code: str) -> str:
    """The page that offers a device back in stock to the next pupil of the school's waiting
    list (``loans:offer_next``)."""
    return f"{reverse('loans:offer_next')}?school={school_id}&category={category_code}"


def crumbs(current: str, *links) -> dict:
    return breadcrumb(current, *links)


def loan_url(loan) -> str:
    return reverse("loans:loan", args=[loan.pk])


# --- The page of a loan ----------------------------------------------------------------------


def _may_download(user, loan: Loan) -> bool:
    query = selectors.document_readers_q(user)
    return query is None or Loan.objects.filter(query, pk=loan.pk).exists()


@require_GET
@login_required
def loan_detail(request, loan_id: int):
    loan = _loan(request, loan_id)
    today = timezone.localdate()
    may_act = can_hand_out(request.user, loan.school)
    asset = loan.asset
    asset_link = None
    if asset is not None and scope_of(request.user, EQUIPMENT_VIEW).contains_school(loan.school):
        asset_link = reverse("equipment:asset_detail", args=[asset.pk])
    next_url = None
    freed = loan.outcome == LoanOutcome.RETURNED or loan.status == LoanStatus.DECLINED
    if freed and may_offer_at(request.user, loan.school):
        next_url = offer_next_url(loan.school_id, loan.category.code)
    title = f"Prêt n°\u00a0{loan.pk}"
    context = {
        "title": title,
        "loan": loan,
        "badge": STATUS_BADGES.get(loan.status, ""),
        "asset": asset,
        "asset_link": asset_link,
        "late": (
            selectors.days_late(loan, today)
            if loan.status == LoanStatus.ACTIVE and loan.due_on and loan.due_on < today
            else 0
        ),
        "steps": selectors.timeline(loan),
        "may_act": may_act,
        "may_download": _may_download(request.user, loan),
        "next_url": next_url,
        "hand_out_url": reverse("loans:hand_out", args=[loan.school_id]) + f"?pret={loan.pk}",
        "return_url": (
            reverse("loans:return", args=[loan.school_id]) + f"?code={asset.asset_tag}"
            if asset is not None
            else ""
        ),
        "statuses": LoanStatus,
        "reserved": lifecycle.is_prepared(loan),
        "breadcrumb_data": crumbs(title),
    }
    return render(request, "loans/loans/detail.html", context)


@require_GET
@login_required
def agreement(request, loan_id: int):
    return _document(request, loan_id, "agreement")


@require_GET
@login_required
def return_receipt(request, loan_id: int):
    return _document(request, loan_id, "return_receipt")


def _document(request, loan_id: int, field: str):
    loan = _loan(request, loan_id)
    if not _may_download(request.user, loan):
        raise PermissionDenied(
            "Ce document porte le nom du responsable légal\u00a0: il se télécharge à l'école."
        )
    document = getattr(loan, field)
    if document is None:
        raise Http404("Ce prêt n'a pas ce document.")
    return file_response(document)


# --- The steps of a loan ---------------------------------------------------------------------


def _done(request, loan, text: str):
    messages.success(request, text)
    return redirect(loan_url(loan))


def _refused(request, loan, error: ValidationError):
    messages.error(request, fr_typo(" ".join(error.messages)))
    return redirect(loan_url(loan))


@require_POST
@login_required
def loan_accept(request, loan_id: int):
    loan = _loan(request, loan_id)
    _require_hand_out(request, loan)
    try:
        lifecycle.accept_offer(actor=request.user, loan=loan)
    except ValidationError as error:
        return _refused(request, loan, error)
    return _done(
        request, loan, "L'accord de la famille est enregistré\u00a0: le matériel peut être remis."
    )


@require_POST
@login_required
def loan_release(request, loan_id: int):
    loan = _loan(request, loan_id)
    _require_hand_out(request, loan)
    try:
        lifecycle.release_device(actor=request.user, loan=loan)
    except ValidationError as error:
        return _refused(request, loan, error)
    return _done(
        request,
        loan,
        "Le matériel réservé est de nouveau libre\u00a0: scannez un matériel quand la famille "
        "viendra le chercher.",
    )


def _step_page(request, loan, form, *, title: str, template: str, **extra):
    context = {
        "title": title,
        "loan": loan,
        "form": form,
        "breadcrumb_data": crumbs(title, (f"Prêt n°\u00a0{loan.pk}", loan_url(loan))),
        **extra,
    }
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def loan_decline(request, loan_id: int):
    loan = _loan(request, loan_id)
    _require_hand_out(request, loan)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.decline_offer(
                actor=request.user, loan=loan, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, loan, "La proposition est déclinée\u00a0: la place est libre.")
    return _step_page(
        request, loan, form, title="Décliner la proposition", template="loans/loans/decline.html"
    )


@require_http_methods(["GET", "POST"])
@login_required
def loan_extend(request, loan_id: int):
    loan = _loan(request, loan_id)
    _require_hand_out(request, loan)
    initial = {"due_on": loan.due_on + datetime.timedelta(days=30)} if loan.due_on else {}
    form = ExtendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.extend(actor=request.user, loan=loan, due_on=form.cleaned_data["due_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, loan, "La date de retour est reportée.")
    return _step_page(
        request, loan, form, title="Reporter la date de retour", template="loans/loans/extend.html"
    )


@require_http_methods(["GET", "POST"])
@login_required
def loan_loss(request, loan_id: int):
    loan = _loan(request, loan_id)
    _require_hand_out(request, loan)
    form = LossForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.declare_loss(
                actor=request.user, loan=loan, kind=data["kind"], note=data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(
                request, loan, "Le prêt est clos\u00a0; le registre des matériels est à jour."
            )
    return _step_page(
        request,
        loan,
        form,
        title="Déclarer une perte, un vol ou un matériel hors d'usage",
        template="loans/loans/loss.html",
    )


# --- Overdue ---------------------------------------------------------------------------------


def _overdue(request):
    require_reader(request)
    today = timezone.localdate()
    base = selectors.overdue_loans(request.user, today=today)
    communes = TerritoryNode.objects.filter(pk__in=base.values("school__commune_id")).order_by(
        "search_name"
    )
    form = OverdueFilterForm(request.GET or None, communes=communes)
    filters = selectors.OverdueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.OverdueFilters(school=data["school"] or "", commune=data["commune"])
    rows = selectors.overdue_loans(request.user, today=today, filters=filters)
    return form, rows, today, filters


@require_GET
@login_required
def overdue(request):
    form, rows, today, filters = _overdue(request)
    page = paginate(request, rows)
    for loan in page.object_list:
        loan.days_late = selectors.days_late(loan, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": OVERDUE_TITLE,
        "form": form,
        "page_obj": page,
        "filtered": bool(filters.school or filters.commune),
        "export_query": f"?{query.urlencode()}" if query else "",
        "today": today,
        "breadcrumb_data": crumbs(OVERDUE_TITLE),
    }
    return render(request, "loans/loans/overdue.html", context)


OVERDUE_COLUMNS = [
    "Prêt",
    "Code élève",
    "UAI",
    "École",
    "Commune",
    "Type de matériel",
    "Numéro d'inventaire",
    "Modèle",
    "Remis le",
    "À rendre le",
    "Jours de retard",
    "Relances envoyées",
    "Dernière relance",
]


def _local_date(value) -> str:
    return timezone.localdate(value).isoformat() if value else ""


@require_GET
@login_required
def overdue_export(request):
    _form, rows, today, _filters = _overdue(request)

    def lines():
        for loan in rows.iterator(chunk_size=2000):
            yield [
                loan.pk,
                loan.pupil.code,
                loan.school.uai,
                loan.school.name,
                loan.school.commune.name,
                loan.category.name,
                loan.asset.asset_tag if loan.asset_id else "",
                loan.asset.model.name if loan.asset_id else "",
                _local_date(loan.handed_out_at),
                loan.due_on.isoformat() if loan.due_on else "",
                selectors.days_late(loan, today),
                loan.reminders_sent,
                _local_date(loan.last_reminder_at),
            ]

    return csv_response(
        OVERDUE_COLUMNS, lines(), filename=f"prets-en-retard-{today.isoformat()}.csv"
    )
