"""Two applies of one run at once, and two confirmations of one offer to the next pupil, on
PostgreSQL with threads: the row lock on the run lets one through, the other finds the run
applied (or the pupil offered) and makes nothing."""

import threading

import pytest
from django.db import connection

from tne.loans.models import Loan
from tne.loans.selectors import runs as selectors
from tne.loans.services import offers

from .run_helpers import RunPlace, pupils, run_now, stock, tablet

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(*calls):
    """Run the calls at once in threads; what each returned, and the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=20)
            results.append(call())
        except Exception as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.fixture
def place(tree):
    return RunPlace(tree)


def test_two_applies_at_once_make_one_set_of_offers(place, tree):
    pupils(place.school_a, 30)
    pupils(place.soissons, 20)
    run = run_now(place.coordinator, tree.aisne, stock=40)

    def apply():
        return offers.apply_run(actor=place.coordinator, run_id=run.pk)

    results, errors = race(apply, apply)

    assert errors == []
    assert sorted(r.already for r in results) == [False, True]
    assert {(r.made, r.skipped) for r in results} == {(40, 0)}
    assert Loan.objects.filter(run=run).count() == 40
    assert Loan.objects.values("pupil").distinct().count() == 40


def test_two_confirmations_of_the_next_pupil_make_one_offer(place, tree):
    pupils(place.school_a, 5)
    run = run_now(place.coordinator, tree.aisne, stock=2)
    offers.apply_run(actor=place.coordinator, run_id=run.pk)
    stock(place.school_a, 4)  # two free devices beyond the run's two offers
    school = (
        type(place.school_a)
        .objects.select_related("commune", "circonscription")
        .get(pk=place.school_a.pk)
    )
    _run, waiting = selectors.next_in_line(school, tablet())

    def confirm():
        return offers.offer_next(
            actor=place.coordinator, school=school, category=tablet(), decision_id=waiting[0].pk
        )

    results, errors = race(confirm, confirm)

    assert errors == []
    assert sorted(r.already for r in results) == [False, True]
    assert Loan.objects.filter(pupil=waiting[0].pupil).count() == 1
    assert Loan.objects.count() == 3
