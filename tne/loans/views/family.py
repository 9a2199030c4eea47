"""The family's page « Mon prêt » (``loans:family``) and its agreement download, and the school
head's page that links a parent's account to a pupil (``loans:family_links``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tne.core.documents import file_response
from tne.core.pages import breadcrumb
from tne.core.widgets import add_model_errors

from ..enums import LoanStatus
from ..forms.families import FamilyLinkForm
from ..models import FamilyLink, Pupil
from ..perms import VIEW
from ..selectors import families as selectors
from ..services import families as services

TITLE = "Mon prêt"


def _loan_view(loan, today) -> dict:
    """What the page says of one loan, in plain words."""
    asset = loan.asset
    return {
        "loan": loan,
        "kind": loan.category.name,
        "model": f"{asset.model.maker} {asset.model.name}" if asset else "",
        "tag": asset.asset_tag if asset else "",
        "offered": loan.status in (LoanStatus.OFFERED, LoanStatus.ACCEPTED),
        "accepted": loan.status == LoanStatus.ACCEPTED,
        "active": loan.status == LoanStatus.ACTIVE,
        "closed": loan.status == LoanStatus.CLOSED,
        "overdue": loan.status == LoanStatus.ACTIVE
        and loan.due_on is not None
        and loan.due_on < today,
        "agreement_url": (
            reverse("loans:family_agreement", args=[loan.pk]) if loan.agreement_id else ""
        ),
    }


@login_required
@require_GET
def family(request):
    if not selectors.is_parent(request.user):
        raise PermissionDenied(
            "Cette page est celle des familles dont un enfant bénéficie d'un prêt."
        )
    today = timezone.localdate()
    children = [
        {
            "pupil": link.pupil,
            "school": link.pupil.school,
            "loans": [_loan_view(loan, today) for loan in link.pupil.family_loans],
        }
        for link in selectors.family_links(request.user)
    ]
    context = {"title": TITLE, "children": children, "breadcrumb_data": breadcrumb(TITLE)}
    return render(request, "loans/family/family.html", context)


@login_required
@require_GET
def agreement(request, loan_id: int):
    loan = selectors.family_loan(request.user, loan_id)
    if loan is None or loan.agreement is None:
        raise Http404("Convention introuvable.")
    return file_response(loan.agreement)


# --- The school head's side: linking a parent's account -------------------------------------


def _pupil(request, pupil_id: int) -> Pupil:
    """A pupil of a school the user reads (404 otherwise), whose families they may link (403)."""
    pupil = get_object_or_404(
        Pupil.objects.visible_to(request.user, VIEW).select_related("school__commune"),
        pk=pupil_id,
    )
    if not services.can_link_family(request.user, pupil.school):
        raise PermissionDenied(
            "Rattacher une famille à un élève revient à la direction de l'école."
        )
    return pupil


@login_required
@require_http_methods(["GET", "POST"])
def links(request, pupil_id: int):
    pupil = _pupil(request, pupil_id)
    form = FamilyLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.link_parent(
                actor=request.user,
                pupil=pupil,
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            text = f"Le compte {outcome.link.user.email} est rattaché à l'élève {pupil.code}"
            if outcome.password_link_sent:
                text += "\u00a0; le parent reçoit un lien pour choisir son mot de passe"
            messages.success(request, text + ".")
            return redirect("loans:family_links", pupil_id=pupil.pk)
    title = f"Familles de l'élève {pupil.code}"
    context = {
        "title": title,
        "pupil": pupil,
        "links": FamilyLink.objects.filter(pupil=pupil)
        .select_related("user", "created_by")
        .order_by("created_at", "pk"),
        "form": form,
        "breadcrumb_data": breadcrumb(title, ("Prêts (M6)", reverse("loans:index"))),
    }
    return render(request, "loans/family/links.html", context)


@login_required
@require_POST
def unlink(request, link_id: int):
    link = get_object_or_404(
        FamilyLink.objects.filter(pupil__in=Pupil.objects.visible_to(request.user, VIEW)),
        pk=link_id,
    )
    pupil = _pupil(request, link.pupil_id)
    services.unlink_parent(actor=request.user, link=link)
    messages.success(request, f"Le compte n'est plus rattaché à l'élève {pupil.code}.")
    return redirect("loans:family_links", pupil_id=pupil.pk)
