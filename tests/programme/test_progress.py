"""``measure_progress``: per measure, the target and envelope of the user's territory for the
current period, and what the measures' registered counters count (equipment counts M4, M5
and M7; the others are not tracked yet); two queries and one per counter."""

from decimal import Decimal

from tests.factories import Role, SchoolFactory, user_with_role
from tests.programme.factories import EnvelopeFactory, PeriodFactory, TargetFactory, measure
from tne.core.registry import measure_counter, measure_counters, unregister_counter
from tne.programme.selectors import measure_progress


def _by_code(user):
    return {row.measure.code: row for row in measure_progress(user)}


def test_a_national_user_gets_the_national_targets(tree, period, django_assert_num_queries):
    TargetFactory(node=tree.country, period=period, count=2_700)
    TargetFactory(node=tree.aisne, period=period, count=600)
    EnvelopeFactory(node=tree.country, amount=Decimal("9000000"))
    national = user_with_role(Role.NATIONAL, tree.country)
    national.grants  # noqa: B018 - the grants are loaded once per request, before the page.

    with django_assert_num_queries(2 + len(measure_counters())):
        rows = _by_code(national)

    assert list(rows) == [f"M{i}" for i in range(1, 9)]
    m4 = rows["M4"]
    assert (m4.target, m4.unit_label, m4.achieved) == (2_700, "classes", 0)
    assert {code for code, row in rows.items() if row.tracked} == set(measure_counters())
    assert not rows["M1"].tracked and rows["M1"].achieved == 0
    assert m4.envelope == Decimal("9000000")
    assert m4.period == period
    assert rows["M5"].target is None and rows["M5"].envelope is None


def test_a_coordinator_gets_the_sum_of_their_departements(tree, period):
    TargetFactory(node=tree.country, period=period, count=2_700)
    TargetFactory(node=tree.aisne, period=period, count=600)
    TargetFactory(node=tree.vdo, period=period, count=2_100)
    coordinator = user_with_role(Role.COORDINATOR, tree.aisne)

    assert _by_code(coordinator)["M4"].target == 600

    from tests.factories import grant

    grant(coordinator, Role.COORDINATOR, tree.vdo)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    assert _by_code(coordinator)["M4"].target == 2_700


def test_a_school_head_gets_the_target_of_the_departement_of_their_school(tree, period):
    TargetFactory(node=tree.vdo, period=period, count=2_100)
    head = user_with_role(Role.SCHOOL_HEAD, SchoolFactory(commune=tree.cergy))

    assert _by_code(head)["M4"].target == 2_100


def test_only_the_current_period_counts(tree, period):
    TargetFactory(node=tree.country, period=period, count=2_700)
    old = PeriodFactory(label="Ancienne", starts_on="2019-09-01", ends_on="2020-08-31")
    TargetFactory(node=tree.country, period=old, count=99)
    TargetFactory(node=tree.country, period=old, count=5, measure=measure("M5"))

    rows = _by_code(user_with_role(Role.NATIONAL, tree.country))

    assert rows["M4"].target == 2_700
    assert rows["M5"].target is None


def test_without_any_period_no_target_is_shown(tree):
    rows = _by_code(user_with_role(Role.NATIONAL, tree.country))

    assert all(row.target is None and row.period is None for row in rows.values())


def test_a_registered_counter_is_what_the_measure_achieves(tree, period):
    seen = []

    def count(user, node):
        seen.append((user, node))
        return 42

    before = measure_counters().get("M2")
    measure_counter("M2", count)
    try:
        national = user_with_role(Role.NATIONAL, tree.country)
        row = _by_code(national)["M2"]
    finally:
        unregister_counter("M2")
        if before is not None:
            measure_counter("M2", before)
    assert (row.achieved, row.tracked) == (42, True)
    assert seen == [(national, None)]
