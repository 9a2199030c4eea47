"""Reading loans: those a user reads (``loans.view``, or ``loans.hand_out`` where they hand
devices out: each permission on its own grants), the offers a school's counter hands out, the
active loan of a device, the overdue loans, a loan's timeline, the schools of a counter."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from tne.core.scope import scope_of
from tne.core.text import words_q
from tne.territory.models import School

from ..enums import LoanStatus
from ..models import Loan, LoanEvent
from ..perms import HAND_OUT, READ_CONTACT, VIEW


def _schools_q(user, *permissions, prefix: str = "school__") -> Q | None:
    """The union of the reaches of ``permissions`` as one filter, or None for everything."""
    query = Q(pk__in=[])
    for permission in permissions:
        scope = scope_of(user, permission)
        if scope.everything:
            return None
        if not scope.is_empty:
            query |= scope.school_q(prefix)
    return query


def readable_loans(user):
    """The loans of the schools where the user reads loans or hands devices out."""
    query = _schools_q(user, VIEW, HAND_OUT)
    return Loan.objects.all() if query is None else Loan.objects.filter(query)


def document_readers_q(user) -> Q | None:
    """Where the user may download a signed document (it bears the guardian's name): where
    they hand devices out or read the guardians' contacts."""
    return _schools_q(user, HAND_OUT, READ_CONTACT)


def loan_for_page(user, loan_id: int) -> Loan:
    return (
        readable_loans(user)
        .select_related(
            "pupil",
            "category",
            "school__commune",
            "asset__model__category",
            "agreement",
            "agreement_signature",
            "return_receipt",
            "return_signature",
            "run",
        )
        .get(pk=loan_id)
    )


def timeline(loan: Loan) -> list[dict]:
    """The steps of a loan, oldest first: its offer, then its ``LoanEvent`` rows (one query)."""
    steps = [
        {
            "at": loan.offered_at,
            "label": "Proposition faite à la famille",
            "note": f"Attribution n°\u00a0{loan.run_id}" if loan.run_id else "",
            "actor": loan.offered_by,
        }
    ]
    for event in LoanEvent.objects.filter(loan=loan).select_related("actor").order_by("at", "pk"):
        steps.append(
            {
                "at": event.at,
                "label": event.get_kind_display(),
                "note": event.note,
                "actor": event.actor,
            }
        )
    return steps


# --- The counter of a school -----------------------------------------------------------------


def counter_schools(user, q: str = ""):
    """The schools where the user hands devices out, by name (searchable by name, commune or
    UAI)."""
    rows = School.objects.filter(scope_of(user, HAND_OUT).school_q()).select_related("commune")
    if q:
        rows = rows.filter(words_q(q) | Q(uai__iexact=q.strip()))
    return rows.order_by("search_name", "uai")


def to_hand_out(school, *, code: str = "", category_id: int | None = None):
    """The accepted offers of ``school``, oldest first; ``code``: the start of a pupil's code."""
    rows = Loan.objects.filter(school=school, status=LoanStatus.ACCEPTED).select_related(
        "pupil", "category"
    )
    if code:
        rows = rows.filter(pupil__code__istartswith=code.strip())
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    return rows.order_by("accepted_at", "pk")


def active_loan_of(asset) -> Loan | None:
    return (
        Loan.objects.filter(asset=asset, status=LoanStatus.ACTIVE)
        .select_related("pupil", "category", "school")
        .first()
    )


# --- Overdue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueFilters:
    school: str = ""  # a name, a commune's name or a UAI
    commune: int | None = None  # a commune node's id


def overdue_loans(user, *, today: datetime.date | None = None, filters=OverdueFilters()):
    """The active loans past their due date in the user's reach, the latest due first, each
    with ``days_late``. One query (its page's count aside)."""
    today = today or timezone.localdate()
    rows = (
        readable_loans(user)
        .overdue(today)
        .select_related("pupil", "school__commune", "asset__model", "category")
    )
    if filters.school:
        text = filters.school.strip()
        rows = rows.filter(words_q(text, "school__search_name") | Q(school__uai__iexact=text))
    if filters.commune:
        rows = rows.filter(school__commune_id=filters.commune)
    return rows.order_by("due_on", "school__search_name", "pk")


def days_late(loan: Loan, today: datetime.date) -> int:
    return (today - loan.due_on).days if loan.due_on else 0
