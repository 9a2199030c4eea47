"""Waiting lists and offers to the next pupil: a school's waiting list for each kind of device
(the pupils an applied run did not serve, by rank, less those who have an open loan by now), the
offer of a device back in stock to the next of them (the coordinator confirms), and the
« propositions à confirmer » of the coordinator's territory.

The waiting list is read with ``loans.view`` on the school; offering needs ``loans.allocate``
there (403 otherwise); a school outside the reader's scope is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tne.core.audit import AuditSource
from tne.core.formats import fr_typo
from tne.core.pages import breadcrumb, paginate
from tne.core.scope import holds, scope_of

from ..perms import ALLOCATE, VIEW
from ..selectors import runs as selectors
from ..services import offers


def _require(request, permission, message: str) -> None:
    if not holds(request.user, permission):
        raise PermissionDenied(message)


@login_required
@require_GET
def waiting_list(request, school_id: int):
    _require(request, VIEW, "Les listes d'attente sont réservées aux agents habilités.")
    school = selectors.school_for(request.user, school_id)
    lists = selectors.waiting_lists(school)
    may_offer = scope_of(request.user, ALLOCATE).contains_school(school)
    title = f"Liste d'attente — {school.name}"
    context = {
        "title": title,
        "school": school,
        "lists": lists,
        "may_offer": may_offer,
        "breadcrumb_data": breadcrumb(title),
    }
    return render(request, "loans/runs/waiting.html", context)


def _category(code: str):
    category = selectors.lendable_categories().filter(code=code).first()
    if category is None:
        raise Http404("Ce matériel n'est pas prêté aux familles.")
    return category


@login_required
@require_http_methods(["GET", "POST"])
def offer_next(request):
    """``?school=<id>&category=<code>`` (the link of a return, or of a proposal): the next pupil
    of the school's waiting list with their priority, and the confirmation of the offer."""
    _require(
        request, ALLOCATE, "Seules la coordination et le pilotage confirment les propositions."
    )
    data = request.POST if request.method == "POST" else request.GET
    school_id = data.get("school", "")
    if not school_id.isdigit():
        return redirect("loans:proposals")
    school = selectors.school_for(request.user, int(school_id), permission=ALLOCATE)
    category = _category(data.get("category", selectors.DEFAULT_CATEGORY))
    if request.method == "POST":
        decision_id = data.get("decision", "")
        try:
            offered = offers.offer_next(
                actor=request.user,
                school=school,
                category=category,
                decision_id=int(decision_id) if decision_id.isdigit() else 0,
                source=AuditSource.UI,
            )
        except ValidationError as error:
            messages.error(request, fr_typo(" ".join(error.messages)))
        else:
            code = offered.loan.pupil.code
            if offered.already:
                messages.info(request, f"Une proposition est déjà faite à l'élève {code}.")
            else:
                messages.success(
                    request,
                    f"Proposition de «\u00a0{category.name}\u00a0» faite à l'élève {code}"
                    "\u00a0: l'école la remet à la famille.",
                )
            return redirect("loans:waiting", school_id=school.pk)
    run, waiting = selectors.next_in_line(school, category)
    available = selectors.available_devices([school.pk]).get((school.pk, category.pk), 0)
    title = f"Proposer «\u00a0{category.name}\u00a0» à l'élève suivant"
    context = {
        "title": title,
        "school": school,
        "category": category,
        "run": run,
        "next": waiting[0] if waiting else None,
        "priority_text": selectors.priority_text(waiting[0]) if waiting else "",
        "after": len(waiting) - 1 if waiting else 0,
        "available": available,
        "breadcrumb_data": breadcrumb(
            title,
            ("Propositions à confirmer", reverse("loans:proposals")),
            (f"Liste d'attente — {school.name}", reverse("loans:waiting", args=[school.pk])),
        ),
    }
    return render(request, "loans/runs/offer_next.html", context)


@login_required
@require_GET
def proposals(request):
    """The schools of the coordinator's territory with a device free and a waiting list."""
    _require(
        request, ALLOCATE, "Seules la coordination et le pilotage confirment les propositions."
    )
    page = paginate(request, selectors.proposals_for(request.user))
    title = "Propositions à confirmer"
    context = {"title": title, "page_obj": page, "breadcrumb_data": breadcrumb(title)}
    return render(request, "loans/runs/proposals.html", context)
