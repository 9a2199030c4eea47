"""Reading pupils and their needs: which schools' pupils a user reads, a school's pupils with
their filters, and each pupil's priority as its breakdown (``tne.loans.priority``) under the
weights of the school's territory.

Reading a school's pupils needs ``loans.view`` or ``loans.declare_needs`` there (each through
its own grants: a person who is a school head at A and a parent at B reads A's pupils only)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tne.core.scope import scope_of

from .. import priority
from ..models import NeedDeclaration, Pupil
from ..perms import DECLARE_NEEDS, VIEW
from ..services.pupils import elementary_schools


def readable_schools_q(user, prefix: str = "") -> Q:
    """The schools whose pupils ``user`` reads: ``loans.view`` or ``loans.declare_needs``."""
    view, declare = scope_of(user, VIEW), scope_of(user, DECLARE_NEEDS)
    if view.everything or declare.everything:
        return Q()
    return view.school_q(prefix) | declare.school_q(prefix)


def readable_schools(user) -> QuerySet:
    return elementary_schools().filter(readable_schools_q(user))


def readable_pupils(user) -> QuerySet:
    return Pupil.objects.filter(readable_schools_q(user, "school__"))


@dataclass(frozen=True)
class Filters:
    school_class_id: int | None = None
    level: str = ""
    # None: every pupil; True: those with a declaration; False: those without.
    declared: bool | None = None

    @property
    def any(self) -> bool:
        return bool(self.school_class_id or self.level or self.declared is not None)


EVERY_PUPIL = Filters()


def pupils_of(school, filters: Filters = EVERY_PUPIL) -> QuerySet:
    """The pupils of ``school``, by class then code, with their declaration and class."""
    rows = Pupil.objects.filter(school=school).select_related("need", "school_class", "guardian")
    if filters.school_class_id:
        rows = rows.filter(school_class_id=filters.school_class_id)
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.declared is not None:
        rows = rows.filter(need__isnull=not filters.declared)
    return rows.order_by("school_class__name", "code", "pk")


def need_of(pupil: Pupil) -> NeedDeclaration | None:
    try:
        return pupil.need
    except NeedDeclaration.DoesNotExist:
        return None


def breakdown_of(need: NeedDeclaration | None, school, weights: priority.Weights):
    """The lines of a declaration's priority at ``school`` (``None``: nothing declared)."""
    if need is None:
        return None
    return priority.breakdown(
        weights,
        devices_at_home=need.devices_at_home,
        shared_with=need.shared_with,
        internet_at_home=need.internet_at_home,
        education_network=school.education_network,
        ips=school.ips,
    )


@dataclass(frozen=True)
class PupilRow:
    pupil: Pupil
    need: NeedDeclaration | None
    lines: list[priority.Line] | None

    @property
    def score(self) -> int | None:
        return None if self.lines is None else priority.score(self.lines)

    @property
    def breakdown_text(self) -> str:
        return "" if self.lines is None else priority.as_text(self.lines)

    @property
    def has_contact(self) -> bool:
        return hasattr(self.pupil, "guardian")


def rows_of(pupils, school, weights: priority.Weights) -> list[PupilRow]:
    """Each pupil with its priority (no query: the declarations come with the pupils)."""
    rows = []
    for pupil in pupils:
        need = need_of(pupil)
        rows.append(PupilRow(pupil=pupil, need=need, lines=breakdown_of(need, school, weights)))
    return rows
