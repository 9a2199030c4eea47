"""The counter of a school, at scan speed, on a desk or a tablet: hand-out and return.

Hand-out: pick the pupil's accepted offer (searchable by the start of their code) or scan the
device first (a hand-held scanner types the tag and Enter), then the other; the device and the
« convention de prêt » are shown — the scan, a POST (htmx, CSRF; ``action=scan``), prepares it
(``lifecycle.prepare_agreement``: the PDF rendered once and kept, downloadable, the device
reserved for that loan; the confirmation signs that document and renders nothing); a GET only
shows the zone, with the convention already prepared —, the guardian types their name and ticks
the consent (a drawn signature where a pointer exists, never required), « Confirmer la remise »;
the zone comes back empty, the field focused for the next family. Return: scan the device, its
active loan at the school shows, its condition and a note, the guardian's signature, done, and
« Proposer ce matériel à l'élève suivant ». With htmx the zone alone is swapped; without, the
same view serves the whole page.

Everything needs ``loans.hand_out`` on the school (403 without it anywhere; a school outside it,
or a loan of another school named in the query, is a 404)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.documents import pdf_bytes
from tne.core.formats import fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.scope import holds, scope_of
from tne.equipment.enums import AssetState
from tne.equipment.models import Asset
from tne.equipment.services.assets import normalise_code
from tne.territory.models import School

from ..enums import OPEN_STATUSES, LoanStatus, ReturnCondition
from ..forms.loans import HandOutForm, ReturnForm, add_service_errors
from ..models import Loan
from ..perms import HAND_OUT
from ..selectors import loans as selectors
from ..services import lifecycle
from .loans import may_offer_at, offer_next_url

MAX_OFFERS = 50
COUNTER_TITLE = "Guichet des prêts"


def _printable(value: str) -> str:
    """``value`` without control characters (PostgreSQL takes no NUL in a query)."""
    return "".join(char for char in value if char >= " " and char != "\x7f")


def _param(request, name: str, length: int = 80) -> str:
    return _printable(request.GET.get(name, "")).strip()[:length]


def _require_counter(request) -> None:
    if not holds(request.user, HAND_OUT):
        raise PermissionDenied(
            "Le guichet des prêts est celui des écoles qui remettent les matériels."
        )


def _school(request, school_id: int) -> School:
    _require_counter(request)
    return get_object_or_404(
        School.objects.filter(scope_of(request.user, HAND_OUT).school_q()).select_related(
            "commune", "circonscription"
        ),
        pk=school_id,
    )


def _loan_of(school, raw) -> Loan | None:
    """The loan ``raw`` (an id from the query or the form) of ``school``; a 404 for another's."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Http404("Numéro de prêt invalide.")
    return get_object_or_404(
        Loan.objects.select_related("pupil", "category", "school__commune"),
        pk=int(text),
        school=school,
    )


def _error_text(error: ValidationError) -> str:
    return fr_typo(" ".join(error.messages))


def _crumbs(current: str, school=None) -> dict:
    links = [(COUNTER_TITLE, reverse("loans:counter"))]
    return breadcrumb(current if school is None else f"{current} — {school.name}", *links)


# --- The schools of a counter ----------------------------------------------------------------


@require_GET
@login_required
def counter(request):
    """The schools where the user hands devices out, each with its hand-out and return."""
    _require_counter(request)
    q = _param(request, "q", 100)
    page = paginate(request, selectors.counter_schools(request.user, q))
    context = {
        "title": COUNTER_TITLE,
        "q": q,
        "page_obj": page,
        "breadcrumb_data": breadcrumb(COUNTER_TITLE),
    }
    return render(request, "loans/loans/counter.html", context)


# --- Hand-out --------------------------------------------------------------------------------


def _offers(school, *, pupil_code: str, category=None) -> tuple[list, bool]:
    rows = list(
        selectors.to_hand_out(
            school, code=pupil_code, category_id=category.pk if category else None
        )[: MAX_OFFERS + 1]
    )
    return rows[:MAX_OFFERS], len(rows) > MAX_OFFERS


def _hand_out_zone(
    request,
    school,
    *,
    loan=None,
    code: str = "",
    pupil_code: str = "",
    form=None,
    prepare: bool = False,
    **extra,
) -> dict:
    """What the hand-out zone shows: the step, and what it needs. Only ``prepare=True`` (a
    POST: the scan, or a confirmation to show again) writes: the convention of the device
    scanned for ``loan``. A GET shows the convention already prepared for ``loan``, if any."""
    context = {"school": school, "loan": loan, "code": code, "pupil_code": pupil_code, **extra}
    if loan is not None and not prepare:
        code = _prepared_code(loan)  # the state: the device of the convention shown, if any
    asset = None
    if code and not context.get("error"):
        try:
            asset = lifecycle.find_reservable(
                school=school, category=loan.category if loan else None, asset_tag=code, loan=loan
            )
        except ValidationError as error:
            context["error"] = _error_text(error)
    context["asset"] = asset
    if loan is not None and asset is not None:
        if prepare:
            typed = getattr(form, "cleaned_data", {}).get("due_on") if form is not None else None
            try:
                # The convention shown is the one signed: rendered here, once per device and
                # date (the same device scanned again keeps it and its date).
                loan = lifecycle.prepare_agreement(
                    actor=request.user, loan=loan, asset_tag=asset.asset_tag, due_on=typed
                )
            except ValidationError as error:
                context["error"] = _error_text(error)
                context["asset"] = None
                context["step"] = "scan"
                return context
        context["loan"] = loan
        context["step"] = "confirm"
        context["form"] = form or HandOutForm(
            initial={"loan": loan.pk, "asset_tag": asset.asset_tag, "due_on": loan.due_on}
        )
        context["commitments"] = lifecycle.commitments(loan.due_on)
        context["consent"] = lifecycle.AGREEMENT_CONSENT
        context["draft_url"] = reverse("loans:agreement", args=[loan.pk])
    elif loan is not None:
        context["step"] = "scan"
    else:
        context["step"] = "pick" if asset is not None else "start"
        context["offers"], context["more"] = _offers(
            school, pupil_code=pupil_code, category=asset.model.category if asset else None
        )
    return context


def _prepared_code(loan: Loan) -> str:
    """The tag of the device whose convention is prepared (not signed) on ``loan``, or ""."""
    if not lifecycle.is_prepared(loan):
        return ""
    return Asset.objects.filter(pk=loan.asset_id).values_list("asset_tag", flat=True).first() or ""


def _accepted_or_error(loan: Loan | None) -> tuple[Loan | None, str]:
    """``loan`` if it waits for its hand-out, else (None, why not)."""
    if loan is None or loan.status == LoanStatus.ACCEPTED:
        return loan, ""
    error = fr_typo(
        lifecycle.status_sentence(loan)
        if loan.status != LoanStatus.OFFERED
        else f"La famille n'a pas encore accepté la proposition du prêt n°\u00a0{loan.pk}."
    )
    return None, error


def _render(request, template: str, context: dict):
    if request.htmx:
        template += "#zone"
    return render(request, template, context)


def _handed_out(request, school, form: HandOutForm, loan: Loan, code: str) -> dict:
    """The zone after « Confirmer la remise »: done and empty for the next family, the form
    again with its errors (signature, date), or the scan again with the reason (the device or
    the loan changed meanwhile)."""
    try:
        done = lifecycle.hand_out(
            actor=request.user,
            loan=loan,
            asset_tag=form.cleaned_data["asset_tag"],
            due_on=form.cleaned_data["due_on"],
            signature_data=form.signature_data(),
            request=request,
        )
    except lifecycle.NotShown as error:
        # Another device or date than the convention shown: prepared again, shown again.
        loan = _loan_of(school, loan.pk)
        if loan.status != LoanStatus.ACCEPTED:
            return _hand_out_zone(request, school, error=fr_typo(lifecycle.status_sentence(loan)))
        return _hand_out_zone(
            request,
            school,
            loan=loan,
            code=code,
            form=form,
            prepare=True,
            shown_again=_error_text(error),
        )
    except ValidationError as error:
        if set(getattr(error, "error_dict", {})) & {"typed_name", "consent", "drawing", "due_on"}:
            add_service_errors(form, error)
            return _hand_out_zone(request, school, loan=loan, code=code, form=form, prepare=True)
        loan = _loan_of(school, loan.pk)
        still = loan if loan.status == LoanStatus.ACCEPTED else None
        return _hand_out_zone(request, school, loan=still, error=_error_text(error))
    due = date_format(done.due_on, "j F Y")
    return _hand_out_zone(
        request,
        school,
        done={
            "text": f"{done.asset.model.category.name} {done.asset.asset_tag} remis à l'élève "
            f"{done.pupil.code}, à rendre le {due}.",
            "agreement_url": reverse("loans:agreement", args=[done.pk]),
            "loan_url": reverse("loans:loan", args=[done.pk]),
        },
    )


def _scanned(request, school) -> dict:
    """The zone after a scan (a POST: it prepares the convention of the device for the loan
    chosen, or, with no loan chosen yet, lists the offers of its kind)."""
    loan, error = _accepted_or_error(_loan_of(school, request.POST.get("pret")))
    code = normalise_code(_printable(request.POST.get("code", "")))[:80]
    if not code and not error:
        error = "Scannez ou saisissez le numéro d'inventaire du matériel."
    return _hand_out_zone(
        request,
        school,
        loan=loan,
        code=code,
        pupil_code=_printable(request.POST.get("eleve", "")).strip()[:40],
        error=error,
        prepare=True,
    )


@require_http_methods(["GET", "POST"])
@login_required
def hand_out(request, school_id: int):
    """GET shows the zone (the offers, the loan chosen, its convention once prepared); the
    scan is a POST (``action=scan``: it prepares the convention), and so is « Confirmer la
    remise »."""
    school = _school(request, school_id)
    page = {"title": "Remise des matériels", "breadcrumb_data": _crumbs("Remise", school)}
    if request.method == "POST" and request.POST.get("action") == "scan":
        zone = _scanned(request, school)
        return _render(request, "loans/loans/hand_out.html", {**page, **zone})
    if request.method == "POST":
        form = HandOutForm(request.POST)
        loan = _loan_of(school, request.POST.get("loan"))
        if loan is None:
            raise Http404("Aucun prêt n'est choisi.")
        code = normalise_code(_printable(request.POST.get("asset_tag", "")))[:80]
        if form.is_valid():
            zone = _handed_out(request, school, form, loan, code)
        else:
            # The errors on the form of the convention shown (prepared if it was not).
            zone = _hand_out_zone(request, school, loan=loan, code=code, form=form, prepare=True)
        return _render(request, "loans/loans/hand_out.html", {**page, **zone})
    loan, error = _accepted_or_error(_loan_of(school, request.GET.get("pret")))
    zone = _hand_out_zone(
        request,
        school,
        loan=loan,
        code=normalise_code(_param(request, "code")),
        pupil_code=_param(request, "eleve", 40),
        error=error,
    )
    return _render(request, "loans/loans/hand_out.html", {**page, **zone})


@require_GET
@login_required
def agreement_draft(request, school_id: int):
    """The convention as it will be signed, before the signature (not stored)."""
    school = _school(request, school_id)
    loan = _loan_of(school, request.GET.get("pret"))
    if loan is None or loan.status != LoanStatus.ACCEPTED:
        raise Http404("Aucune proposition acceptée n'a ce numéro dans cette école.")
    try:
        asset = lifecycle.find_reservable(
            school=school, category=loan.category, asset_tag=_param(request, "code"), loan=loan
        )
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error
    title = f"Projet de convention de prêt n° {loan.pk}"
    context = lifecycle.agreement_context(
        loan, asset, due_on=lifecycle.default_due_on(), signer=None, actor=request.user
    )
    data, _pages = pdf_bytes(lifecycle.AGREEMENT_TEMPLATE, {**context, "document_title": title})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(title)}.pdf"'
    return response


# --- From the equipment's page of a device (``core.registry.asset_link``) --------------------


def _open_loan_of(asset, rows) -> Loan | None:
    if asset.state not in (AssetState.LENT, AssetState.IN_STOCK):  # lent, or reserved
        return None
    return (
        rows.filter(asset_id=asset.pk, status__in=OPEN_STATUSES)
        .only("pk", "school_id", "status")
        .first()
    )


def device_loan_url(user, asset) -> str | None:
    """The page of the open loan that names ``asset`` (lent, or reserved by its convention),
    for who reads that loan."""
    loan = _open_loan_of(asset, selectors.readable_loans(user))
    return reverse("loans:loan", args=[loan.pk]) if loan else None


def device_return_url(user, asset) -> str | None:
    """The counter's return of the school of the active loan of ``asset``, for who hands out
    there."""
    if asset.state != AssetState.LENT:
        return None
    rows = Loan.objects.active().filter(scope_of(user, HAND_OUT).school_q("school__"))
    loan = _open_loan_of(asset, rows)
    if loan is None:
        return None
    return reverse("loans:return", args=[loan.school_id]) + f"?code={asset.asset_tag}"


# --- Return ----------------------------------------------------------------------------------


def _return_zone(request, school, *, code: str = "", pupil_code: str = "", form=None, **extra):
    context = {"school": school, "code": code, "pupil_code": pupil_code, **extra}
    loan = extra.get("loan")
    if loan is None and code and not context.get("error"):
        rows = Asset.objects.only("pk", "asset_tag")
        asset = rows.filter(asset_tag=code).first() or rows.filter(serial_number=code).first()
        if asset is None:
            context["error"] = f"Aucun matériel n'a le numéro d'inventaire ni de série {code}."
        else:
            loan = (
                Loan.objects.filter(asset=asset, status=LoanStatus.ACTIVE, school=school)
                .select_related("pupil", "category", "asset__model")
                .first()
            )
            if loan is None:
                context["error"] = (
                    f"Le matériel {asset.asset_tag} n'est prêté à aucun élève de cette école."
                )
    context["loan"] = loan
    if loan is not None:
        context["step"] = "confirm"
        context["form"] = form or ReturnForm(
            initial={"loan": loan.pk, "condition": ReturnCondition.GOOD}
        )
    else:
        context["step"] = "start"
        if pupil_code:
            context["lent"] = list(
                Loan.objects.filter(
                    school=school, status=LoanStatus.ACTIVE, pupil__code__istartswith=pupil_code
                )
                .select_related("pupil", "asset__model", "category")
                .order_by("pupil__code", "pk")[:MAX_OFFERS]
            )
    return context


def _taken_back(request, school, form: ReturnForm, loan: Loan) -> dict:
    data = form.cleaned_data
    try:
        done = lifecycle.record_return(
            actor=request.user,
            loan=loan,
            condition=data["condition"],
            note=data["note"],
            signature_data=form.signature_data(),
            request=request,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _return_zone(request, school, loan=loan, form=form)
    repair = done.return_condition in lifecycle.DAMAGING
    condition = ReturnCondition(done.return_condition).label.lower()
    return _return_zone(
        request,
        school,
        done={
            "text": f"{done.asset.model.category.name} {done.asset.asset_tag} rendu par la "
            f"famille de l'élève {done.pupil.code} ({condition}).",
            "receipt_url": reverse("loans:return_receipt", args=[done.pk]),
            "loan_url": reverse("loans:loan", args=[done.pk]),
            "next_url": offer_next_url(school.pk, done.category.code)
            if not repair and may_offer_at(request.user, school)
            else None,
            "repair": repair,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def take_back(request, school_id: int):
    school = _school(request, school_id)
    page = {"title": "Retour des matériels", "breadcrumb_data": _crumbs("Retour", school)}
    if request.method == "POST":
        loan = _loan_of(school, request.POST.get("loan"))
        if loan is None:
            raise Http404("Aucun prêt n'est choisi.")
        form = ReturnForm(request.POST)
        if loan.status != LoanStatus.ACTIVE:
            zone = _return_zone(request, school, error=fr_typo(lifecycle.status_sentence(loan)))
        elif form.is_valid():
            zone = _taken_back(request, school, form, loan)
        else:
            zone = _return_zone(request, school, loan=loan, form=form)
        return _render(request, "loans/loans/return.html", {**page, **zone})
    zone = _return_zone(
        request,
        school,
        code=normalise_code(_param(request, "code")),
        pupil_code=_param(request, "eleve", 40),
    )
    return _render(request, "loans/loans/return.html", {**page, **zone})
