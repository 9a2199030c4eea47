"""The per-school tallies of the M6 dashboards follow every service that writes needs or changes
a loan: after each step of a school's story (needs declared one by one and in a class's bulk
entry, a run applied, an offer declined, a hand-out, a return, a loss, the next pupil offered a
device, a need withdrawn) the school's row holds the figures counted by hand, and equals a
recount from the loans and needs themselves."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from tests.equipment.factories import category
from tests.factories import SchoolClassFactory
from tne.loans.enums import HomeDevices, HomeInternet, LoanOutcome, LoanStatus
from tne.loans.models import Loan, SchoolLoanTally
from tne.loans.selectors import runs as run_selectors
from tne.loans.services import lifecycle, offers, pupils, tallies

from .factories import LoanFactory, NeedDeclarationFactory, PupilFactory, lendable_asset
from .lifecycle_factories import signed
from .run_helpers import RunPlace, run_now, tablet

pytestmark = pytest.mark.django_db

FIELDS = ("needs", "served", "equipped", "active", "lost")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def kept(school) -> dict[str, int]:
    row = SchoolLoanTally.objects.filter(school=school).values(*FIELDS).first()
    return row or dict.fromkeys(FIELDS, 0)


def rows() -> dict[int, dict[str, int]]:
    return {
        row.pop("school_id"): row for row in SchoolLoanTally.objects.values("school_id", *FIELDS)
    }


def check(school, **expected) -> None:
    """The school's row holds ``expected`` (0 for the others), and every row equals what a
    recount from the loans and needs gives (a school left with nothing keeps a row of zeros,
    which a full recount does not write)."""
    assert kept(school) == {**dict.fromkeys(FIELDS, 0), **expected}
    kept_rows = {pk: row for pk, row in rows().items() if any(row.values())}
    tallies.recount()
    assert rows() == kept_rows


def hand_out(actor, loan):
    asset = lendable_asset(loan.school)
    lifecycle.prepare_agreement(actor=actor, loan=loan, asset_tag=asset.asset_tag)
    return lifecycle.hand_out(
        actor=actor, loan=loan, asset_tag=asset.asset_tag, signature_data=signed()
    )


def test_every_step_of_a_schools_story_keeps_its_tally(tree):
    place = RunPlace(tree)
    school, head = place.school_a, place.head_a
    check(school)

    # Three needs one by one, two in the bulk entry of a class.
    declared = [PupilFactory(school=school) for _ in range(3)]
    for pupil in declared:
        pupils.declare_need(
            pupil=pupil,
            devices_at_home=HomeDevices.NONE,
            shared_with=None,
            internet_at_home=HomeInternet.NONE,
            actor=head,
        )
    check(school, needs=3)
    # Declared again with other values: still one need per pupil.
    pupils.declare_need(
        pupil=declared[0],
        devices_at_home=HomeDevices.SHARED,
        shared_with=2,
        internet_at_home=HomeInternet.MOBILE,
        actor=head,
    )
    check(school, needs=3)
    school_class = SchoolClassFactory(school=school, levels=["CM1"])
    entries = [
        pupils.Entry(
            row=n,
            code=f"CM1-{n}",
            level="CM1",
            school_class=school_class,
            devices_at_home=HomeDevices.NONE,
            internet_at_home=HomeInternet.MOBILE,
        )
        for n in (1, 2)
    ]
    pupils.save_entries(school=school, entries=entries, actor=head)
    check(school, needs=5)

    # A run serving four of the five, applied: four offers.
    run = run_now(place.coordinator, tree.aisne, stock=4)
    offers.apply_run(actor=place.coordinator, run_id=run.pk)
    check(school, needs=5, served=4)
    loans = list(Loan.objects.filter(school=school).order_by("pk"))
    lifecycle.decline_offer(actor=head, loan=loans[0], reason="La famille a un ordinateur.")
    check(school, needs=5, served=3)

    for loan in loans[1:4]:
        lifecycle.accept_offer(actor=head, loan=loan)
    handed = [hand_out(head, loan) for loan in loans[1:4]]
    check(school, needs=5, served=3, equipped=3, active=3)

    returned = lifecycle.record_return(
        actor=head, loan=handed[0], condition="GOOD", signature_data=signed()
    )
    # A pupil who gave the device back stays equipped (it was handed out) and served.
    check(school, needs=5, served=3, equipped=3, active=2)
    lifecycle.declare_loss(actor=head, loan=handed[1], kind=LoanOutcome.STOLEN, note="Vol.")
    check(school, needs=5, served=3, equipped=3, active=1, lost=1)

    # The returned tablet goes to the next pupil on the waiting list.
    _run, waiting = run_selectors.next_in_line(school, tablet())
    offered = offers.offer_next(
        actor=place.coordinator, school=school, category=tablet(), decision_id=waiting[0].pk
    )
    assert offered.loan.asset_id is None and returned.asset_id
    check(school, needs=5, served=4, equipped=3, active=1, lost=1)

    # A need withdrawn: one fewer declared; its pupil's loans still count.
    pupils.withdraw_need(pupil=declared[2], actor=head)
    check(school, needs=4, served=4, equipped=3, active=1, lost=1)
    # The other schools of the run were recounted too, each to its own figures.
    check(place.school_b)


def test_two_loans_of_one_pupil_count_one_pupil_served_and_equipped(tree):
    place = RunPlace(tree)
    school, head = place.school_a, place.head_a
    pupil = PupilFactory(school=school)
    for code in ("tablet", "router-4g"):
        loan = LoanFactory(pupil=pupil, category=category(code), status=LoanStatus.ACCEPTED)
        asset = lendable_asset(school, code=code)
        lifecycle.prepare_agreement(actor=head, loan=loan, asset_tag=asset.asset_tag)
        lifecycle.hand_out(
            actor=head, loan=loan, asset_tag=asset.asset_tag, signature_data=signed()
        )
    check(school, served=1, equipped=1, active=2)


def test_a_recount_of_many_schools_is_a_few_queries_per_two_thousand(
    tree, django_assert_max_num_queries
):
    place = RunPlace(tree)
    schools = [place.school_a, place.school_b, place.soissons, place.cergy]
    for school in schools:
        PupilFactory(school=school)
    # Four queries per chunk of schools (lock, loans, needs, upsert), in a transaction.
    with django_assert_max_num_queries(4):
        assert tallies.recount([s.pk for s in schools] * 3) == 4
    assert all(kept(school) == dict.fromkeys(FIELDS, 0) for school in schools)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a row lock of PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_hand_outs_at_one_school_at_once_are_both_counted(tree):
    """Two technicians confirm a hand-out at the same school at the same moment: each recount
    waits for the other's school lock, so neither misses the other's loan."""
    place = RunPlace(tree)
    school, head = place.school_a, place.head_a
    ready = []
    for _ in range(2):
        loan = LoanFactory(pupil=PupilFactory(school=school), status=LoanStatus.ACCEPTED)
        asset = lendable_asset(school)
        lifecycle.prepare_agreement(actor=head, loan=loan, asset_tag=asset.asset_tag)
        ready.append((loan, asset.asset_tag))
    barrier = threading.Barrier(2)
    errors = []

    def confirm(loan, tag):
        try:
            barrier.wait()
            lifecycle.hand_out(actor=head, loan=loan, asset_tag=tag, signature_data=signed())
        except Exception as error:  # the assertion below says which
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=confirm, args=pair) for pair in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kept(school)["active"] == 2 and kept(school)["equipped"] == 2


def test_the_command_checks_then_rebuilds_a_tally_written_around_the_services(tree):
    place = RunPlace(tree)
    NeedDeclarationFactory(pupil=PupilFactory(school=place.school_a))
    call_command("recount_loan_tallies", "--check", stdout=io.StringIO())  # all agree

    SchoolLoanTally.objects.filter(school=place.school_a).update(needs=7)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1\u00a0école a des décomptes à refaire"):
        call_command("recount_loan_tallies", "--check", stdout=out)
    assert f"École n° {place.school_a.pk} : needs 7 au lieu de 1" in out.getvalue()

    call_command("recount_loan_tallies", stdout=out)
    assert kept(place.school_a)["needs"] == 1
    assert tallies.differences() == {}


def test_a_tally_copies_its_schools_places_and_a_moved_school_is_reported(tree):
    place = RunPlace(tree)
    school = place.school_a
    NeedDeclarationFactory(pupil=PupilFactory(school=school))
    row = SchoolLoanTally.objects.get(school=school)
    assert (row.departement_id, row.commune_id, row.circonscription_id) == (
        tree.aisne.pk,
        tree.laon.pk,
        tree.circ_laon.pk,
    )
    # The reference data moves the school to Soissons: the check says so, a recount follows it.
    type(school).objects.filter(pk=school.pk).update(commune=tree.soissons)
    assert set(tallies.differences()) == {school.pk}
    tallies.recount([school.pk])
    assert SchoolLoanTally.objects.get(school=school).commune_id == tree.soissons.pk
    assert tallies.differences() == {}
