"""``Scope.school_q_copied``: the schools a grant reaches, on a per-school summary that copies some
of School's columns: copied columns filtered on the summary, a school grant on ``school_id``, the
others through the school; everything and nothing as ``school_q``."""

from django.db.models import Q

from tne.core.scope import Scope

PLACES = {"departement_id", "commune_id"}


def test_each_grant_filters_where_the_summary_holds_its_column():
    scope = Scope(school_grants=(("departement_id", 3), ("pk", 12), ("owner_id", 40)))
    assert scope.school_q_copied(PLACES) == (
        Q(departement_id=3) | Q(school_id=12) | Q(school__owner_id=40)
    )


def test_everything_filters_nothing_and_no_grant_keeps_nothing():
    assert Scope(everything=True).school_q_copied(PLACES) == Q()
    assert Scope().school_q_copied(PLACES) == Q(pk__in=[])
