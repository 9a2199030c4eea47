"""Applying a run (an offer for each pupil served, once) and offering a device back in stock to
the next pupil of a school's waiting list."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tne.loans.enums import LoanStatus, RunStatus
from tne.loans.models import Loan, RunDecision
from tne.loans.selectors import runs as selectors
from tne.loans.services import offers, runs

from .factories import LoanFactory
from .run_helpers import RunPlace, events_of, pupils, run_now, stock, tablet

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return RunPlace(tree)


@pytest.fixture
def applied(place, tree):
    """A run of Aisne that served 2 of the 5 pupils of school A, applied."""
    pupils(place.school_a, 5)
    run = run_now(place.coordinator, tree.aisne, stock=2)
    offers.apply_run(actor=place.coordinator, run_id=run.pk)
    run.refresh_from_db()
    return run


def test_applying_a_run_offers_a_device_to_every_pupil_served(place, tree):
    made = pupils(place.school_a, 3) + pupils(place.soissons, 2)
    run = run_now(place.coordinator, tree.aisne, stock=4)

    result = offers.apply_run(actor=place.coordinator, run_id=run.pk)

    assert result == offers.Applied(made=4, skipped=0)
    loans = Loan.objects.filter(run=run)
    served = set(RunDecision.objects.filter(run=run, served=True).values_list("pupil", flat=True))
    assert set(loans.values_list("pupil", flat=True)) == served and len(served) == 4
    assert set(loans.values_list("status", flat=True)) == {LoanStatus.OFFERED}
    assert {loan.offered_by for loan in loans} == {place.coordinator}
    assert {loan.school_id for loan in loans} <= {p.school_id for p in made}
    run.refresh_from_db()
    assert run.applied_at and run.applied_by == place.coordinator and run.offers_made == 4
    _computed, applied = events_of(run, "UPDATE").order_by("pk")
    assert applied.changes["offers_made"] == [0, 4] and applied.actor == place.coordinator
    assert applied.place_path == tree.aisne.path


def test_applying_twice_makes_one_set_of_offers(place, tree, applied):
    again = offers.apply_run(actor=place.coordinator, run_id=applied.pk)

    assert again == offers.Applied(made=2, skipped=0, already=True)
    assert Loan.objects.filter(run=applied).count() == 2


def test_a_pupil_who_got_an_open_loan_meanwhile_is_skipped_and_counted(place, tree):
    made = pupils(place.school_a, 3)
    run = run_now(place.coordinator, tree.aisne, stock=3)
    LoanFactory(pupil=made[1])  # offered by someone else since the run

    result = offers.apply_run(actor=place.coordinator, run_id=run.pk)

    assert result == offers.Applied(made=2, skipped=1)
    assert Loan.objects.filter(run=run).count() == 2
    run.refresh_from_db()
    assert run.offers_skipped == 1


def test_an_offer_the_index_refuses_is_skipped_not_an_error_of_the_whole(place, tree, monkeypatch):
    """The race the check cannot see: a loan created between the check and the insert."""
    made = pupils(place.school_a, 3)
    run = run_now(place.coordinator, tree.aisne, stock=3)
    real = offers._insert_offers

    def racing(**kwargs):
        LoanFactory(pupil=made[0])
        return real(**kwargs)

    monkeypatch.setattr(offers, "_insert_offers", racing)
    result = offers.apply_run(actor=place.coordinator, run_id=run.pk)

    assert result == offers.Applied(made=2, skipped=1)
    assert Loan.objects.filter(pupil=made[0]).count() == 1


def test_only_a_done_run_of_ones_territory_is_applied(place, tree):
    pupils(place.school_a, 2)
    run = run_now(place.coordinator, tree.aisne, stock=1)
    with pytest.raises(PermissionDenied):
        offers.apply_run(actor=place.vdo_coordinator, run_id=run.pk)
    queued = runs.start_run(actor=place.coordinator, node=tree.aisne, category=tablet(), stock=1)
    assert queued.status == RunStatus.QUEUED
    with pytest.raises(ValidationError) as caught:
        offers.apply_run(actor=place.coordinator, run_id=queued.pk)
    assert "seule une attribution terminée" in caught.value.messages[0]
    assert not Loan.objects.exists()


def test_the_waiting_list_is_the_unserved_by_rank_less_the_open_loans(place, tree, applied):
    waiting = selectors.waiting_lists(
        type(place.school_a)
        .objects.select_related("commune", "circonscription")
        .get(pk=place.school_a.pk)
    )
    assert len(waiting) == 1 and waiting[0].category.code == "tablet"
    ranks = [d.rank for d in waiting[0].decisions]
    assert ranks == [3, 4, 5]
    LoanFactory(pupil=waiting[0].decisions[0].pupil)  # offered another way
    school = (
        type(place.school_a)
        .objects.select_related("commune", "circonscription")
        .get(pk=place.school_a.pk)
    )
    assert [d.rank for d in selectors.waiting_lists(school)[0].decisions] == [4, 5]


def test_the_latest_applied_run_covering_the_school_makes_the_list(place, tree, applied):
    later = run_now(place.coordinator, tree.laon, stock=3)
    school = (
        type(place.school_a)
        .objects.select_related("commune", "circonscription")
        .get(pk=place.school_a.pk)
    )
    assert selectors.waiting_lists(school)[0].run == applied  # the later one is not applied
    offers.apply_run(actor=place.coordinator, run_id=later.pk)
    lists = selectors.waiting_lists(school)
    assert lists[0].run == later
    # The later run served 3 of the 3 pupils without an offer: nobody waits.
    assert lists[0].decisions == []


def _school(place):
    return (
        type(place.school_a)
        .objects.select_related("commune", "circonscription")
        .get(pk=place.school_a.pk)
    )


def test_a_device_back_in_stock_is_offered_to_the_next_pupil(place, tree, applied):
    school = _school(place)
    # The two offers of the run wait for devices: a third device in stock is free.
    stock(school, 3)
    run, waiting = selectors.next_in_line(school, tablet())
    assert run == applied and waiting[0].rank == 3

    offered = offers.offer_next(
        actor=place.coordinator, school=school, category=tablet(), decision_id=waiting[0].pk
    )

    assert not offered.already and offered.loan.status == LoanStatus.OFFERED
    assert offered.loan.pupil_id == waiting[0].pupil_id and offered.loan.run == applied
    assert offered.loan.offered_by == place.coordinator
    assert events_of(offered.loan, "CREATE").count() == 1
    # A double submit makes no second offer.
    again = offers.offer_next(
        actor=place.coordinator, school=school, category=tablet(), decision_id=waiting[0].pk
    )
    assert again.already and again.loan == offered.loan
    assert Loan.objects.filter(pupil=waiting[0].pupil).count() == 1


def test_no_offer_without_a_free_device_nor_out_of_turn(place, tree, applied):
    school = _school(place)
    stock(school, 2)  # both taken by the run's two offers
    _run, waiting = selectors.next_in_line(school, tablet())
    with pytest.raises(ValidationError) as caught:
        offers.offer_next(
            actor=place.coordinator, school=school, category=tablet(), decision_id=waiting[0].pk
        )
    assert "n'est disponible" in caught.value.messages[0]
    stock(school, 1)
    with pytest.raises(ValidationError) as caught:
        offers.offer_next(
            actor=place.coordinator, school=school, category=tablet(), decision_id=waiting[1].pk
        )
    assert "n'est plus le suivant" in caught.value.messages[0]
    assert Loan.objects.count() == 2


def test_only_the_coordinator_of_the_school_offers(place, tree, applied):
    school = _school(place)
    stock(school, 3)
    _run, waiting = selectors.next_in_line(school, tablet())
    for person in (place.vdo_coordinator, place.head_a, place.two_roles):
        with pytest.raises(PermissionDenied):
            offers.offer_next(
                actor=person, school=school, category=tablet(), decision_id=waiting[0].pk
            )


def test_the_proposals_are_the_schools_with_a_free_device_and_a_waiting_list(place, tree, applied):
    assert selectors.proposals_for(place.coordinator) == []
    stock(place.school_a, 3)
    stock(place.school_b, 2)  # no waiting list there
    found = selectors.proposals_for(place.coordinator)
    assert [(p.school.pk, p.category.code, p.available, p.waiting) for p in found] == [
        (place.school_a.pk, "tablet", 1, 3)
    ]
    assert selectors.proposals_for(place.vdo_coordinator) == []
    assert selectors.proposals_for(place.head_a) == []
