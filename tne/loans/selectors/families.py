"""What a parent reads: the pupils linked to their account (``FamilyLink``) at the schools where
they hold the « Parent » role, and those pupils' loans. Per grant: a person who is a school head
at A and a parent at B sees here B's linked pupil only, whatever else their roles reach."""

from django.db.models import Prefetch, QuerySet

from tne.core.roles import Role

from ..enums import LoanStatus
from ..models import FamilyLink, Loan


def parent_school_ids(user) -> set[int]:
    """The schools where ``user`` holds the « Parent » role (from the grants already loaded)."""
    if user is None or not user.is_authenticated:
        return set()
    return {g.school_id for g in user.grants if g.role == Role.PARENT and g.school_id}


def is_parent(user) -> bool:
    return bool(parent_school_ids(user))


def family_links(user) -> QuerySet[FamilyLink]:
    """The links of ``user`` to pupils of the schools where they are a parent, each with its
    pupil's loans (a declined offer left out), newest first: two queries."""
    loans = (
        Loan.objects.exclude(status=LoanStatus.DECLINED)
        .select_related("category", "asset__model", "agreement")
        .order_by("-offered_at", "-pk")
    )
    return (
        FamilyLink.objects.filter(user=user, pupil__school_id__in=parent_school_ids(user))
        .select_related("pupil__school__commune", "pupil__school_class")
        .prefetch_related(Prefetch("pupil__loans", queryset=loans, to_attr="family_loans"))
        .order_by("pupil__school__name", "pupil__level", "pk")
    )


def family_loan(user, loan_id: int) -> Loan | None:
    """A loan of a pupil linked to ``user`` (as above), or None."""
    return (
        Loan.objects.filter(
            pk=loan_id,
            pupil__family_links__user=user,
            pupil__school_id__in=parent_school_ids(user),
        )
        .select_related("agreement")
        .first()
    )
