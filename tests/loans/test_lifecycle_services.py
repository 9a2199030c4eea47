"""The steps around the hand-out: the family accepts or declines the offer, the school postpones
the return date; each step audited and on the loan's timeline, refused in French out of order or
to whom does not hand out at the school."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tne.core.audit import history_of
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan, LoanEventKind
from tne.loans.services import lifecycle

from .factories import LoanFactory, PupilFactory
from .lifecycle_factories import Counter, active_loan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def offer(school):
    return LoanFactory(pupil=PupilFactory(school=school))


def test_an_accepted_offer_is_ready_to_be_handed_out(counter):
    loan = offer(counter.school)

    done = lifecycle.accept_offer(actor=counter.head, loan=loan)

    assert done.status == LoanStatus.ACCEPTED and done.accepted_at is not None
    assert done.events.get().kind == LoanEventKind.ACCEPTED
    event = history_of(done).get()
    assert event.changes == {"status": ["OFFERED", "ACCEPTED"]}
    assert event.place_school_id == counter.school.pk
    with pytest.raises(ValidationError) as caught:
        lifecycle.accept_offer(actor=counter.head, loan=done)
    assert "Seule une proposition se fait accepter" in " ".join(caught.value.messages)


def test_a_declined_offer_frees_the_pupils_place_and_keeps_the_reason(counter):
    loan = offer(counter.school)

    done = lifecycle.decline_offer(
        actor=counter.technician, loan=loan, reason="La famille a déjà un ordinateur"
    )

    assert done.status == LoanStatus.DECLINED and done.closed_at is not None
    event = done.events.get()
    assert event.kind == LoanEventKind.DECLINED and event.note == "La famille a déjà un ordinateur"
    # The pupil may be offered a device of that kind again.
    LoanFactory(pupil=loan.pupil)
    assert Loan.objects.filter(pupil=loan.pupil).count() == 2


def test_declining_needs_a_reason_and_an_offer_still_open(counter):
    loan = offer(counter.school)
    with pytest.raises(ValidationError) as caught:
        lifecycle.decline_offer(actor=counter.head, loan=loan, reason="  ")
    assert "reason" in caught.value.message_dict
    active = active_loan(counter)
    with pytest.raises(ValidationError) as caught:
        lifecycle.decline_offer(actor=counter.head, loan=active, reason="Plus besoin")
    assert "Seule une proposition en attente se décline" in " ".join(caught.value.messages)


def test_extending_an_active_loan_moves_its_due_date_and_restarts_its_reminders(counter):
    loan = active_loan(counter)
    Loan.objects.filter(pk=loan.pk).update(reminders_sent=2, last_reminder_at=timezone.now())
    later = loan.due_on + datetime.timedelta(days=30)

    done = lifecycle.extend(actor=counter.head, loan=loan, due_on=later)

    assert done.due_on == later and done.reminders_sent == 0 and done.last_reminder_at is None
    event = done.events.last()
    assert event.kind == LoanEventKind.EXTENDED and later.strftime("%Y") in event.note
    assert history_of(done).order_by("pk").last().changes["due_on"] == [
        loan.due_on.isoformat(),
        later.isoformat(),
    ]


def test_an_extension_to_the_same_day_or_the_past_is_refused(counter):
    loan = active_loan(counter)
    for day in (loan.due_on, timezone.localdate() - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as caught:
            lifecycle.extend(actor=counter.head, loan=loan, due_on=day)
        assert "due_on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        lifecycle.extend(
            actor=counter.head,
            loan=offer(counter.school),
            due_on=loan.due_on + datetime.timedelta(1),
        )


@pytest.mark.parametrize("who", ["ien", "two_roles", "outsider", "coordinator"])
def test_the_steps_are_the_schools_who_hands_out(counter, who):
    loan = offer(counter.school)
    actor = getattr(counter, who)
    with pytest.raises(PermissionDenied):
        lifecycle.accept_offer(actor=actor, loan=loan)
    with pytest.raises(PermissionDenied):
        lifecycle.decline_offer(actor=actor, loan=loan, reason="Non")
    active = active_loan(counter)
    with pytest.raises(PermissionDenied):
        lifecycle.extend(
            actor=actor, loan=active, due_on=active.due_on + datetime.timedelta(days=3)
        )
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.OFFERED
