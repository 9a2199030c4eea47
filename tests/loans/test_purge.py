"""``tne purge_contacts``: the contacts of pupils whose loans are all closed since longer than
the retention, and of pupils without a loan whose declaration is older, are deleted; kept
before, kept while a loan is open; the audit events of the purge name no one."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from tne.core.models import AuditAction, AuditEvent, AuditSource
from tne.loans.enums import LoanStatus
from tne.loans.models import GuardianContact, Loan, NeedDeclaration
from tne.loans.services.contacts import purge_contacts

from .factories import GuardianContactFactory, LoanFactory, lendable_asset
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def place(tree):
    return Needs(tree)


def days_ago(days):
    return NOW - datetime.timedelta(days=days)


def with_contact(place, code, **contact):
    pupil = place.pupil(code=code)
    GuardianContactFactory(pupil=pupil, **{"name": f"Nom {code}", **contact})
    return pupil


def closed_loan(pupil, *, days, status=LoanStatus.CLOSED):
    loan = LoanFactory(pupil=pupil, status=status, closed_at=days_ago(days))
    return loan


def remaining():
    return set(GuardianContact.objects.values_list("pupil__code", flat=True))


def test_contacts_go_after_the_retention_and_stay_before_or_while_a_loan_is_open(place):
    closed_long_ago = with_contact(place, "CLOS-ANCIEN")
    closed_loan(closed_long_ago, days=400)
    declined_long_ago = with_contact(place, "DECLINE-ANCIEN")
    closed_loan(declined_long_ago, days=366, status=LoanStatus.DECLINED)
    closed_recently = with_contact(place, "CLOS-RECENT")
    closed_loan(closed_recently, days=300)
    still_open = with_contact(place, "OUVERT")
    closed_loan(still_open, days=900)
    active = LoanFactory(
        pupil=still_open,
        status=LoanStatus.ACTIVE,
        asset=lendable_asset(place.school),
        category=Loan.objects.get(pupil=still_open).category,
    )
    Loan.objects.filter(pk=active.pk).update(updated_at=days_ago(800))
    no_loan_old = with_contact(place, "SANS-PRET-ANCIEN")
    NeedDeclaration.objects.filter(pupil=no_loan_old).update(declared_on=days_ago(400).date())
    with_contact(place, "SANS-PRET-RECENT")

    result = purge_contacts(now=NOW, retention_days=365)

    assert (result.after_loans, result.without_loan, result.total) == (2, 1, 3)
    assert remaining() == {"CLOS-RECENT", "OUVERT", "SANS-PRET-RECENT"}


def test_a_closed_loan_without_closing_date_counts_from_its_last_change(place):
    pupil = with_contact(place, "E-1")
    loan = LoanFactory(pupil=pupil, status=LoanStatus.DECLINED, closed_at=None)
    Loan.objects.filter(pk=loan.pk).update(updated_at=days_ago(10))
    assert purge_contacts(now=NOW, retention_days=365).total == 0
    Loan.objects.filter(pk=loan.pk).update(updated_at=days_ago(370))
    assert purge_contacts(now=NOW, retention_days=365).total == 1


def test_a_contact_without_loan_nor_declaration_counts_from_its_own_date(place):
    pupil = place.pupil(code="E-1", declared=False)
    contact = GuardianContactFactory(pupil=pupil)
    GuardianContact.objects.filter(pk=contact.pk).update(updated_at=days_ago(400))

    assert purge_contacts(now=NOW, retention_days=365).without_loan == 1


def test_the_purge_events_name_no_one(place):
    pupil = with_contact(place, "E-1", name="Hippolyte Marqueurpurge", email="hippo@example.org")
    closed_loan(pupil, days=400)
    contact = GuardianContact.objects.get(pupil=pupil)

    purge_contacts(now=NOW, retention_days=365)

    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(GuardianContact),
        action=AuditAction.DELETE,
    )
    assert (event.object_id, event.source, event.actor) == (str(contact.pk), AuditSource.CLI, None)
    assert event.object_repr == f"Coordonnées du responsable légal n° {contact.pk}"
    assert event.changes == {"sealed": "effacé", "motif": "durée de conservation écoulée"}
    assert event.place_school_id == place.school.pk
    assert "Marqueurpurge" not in str(event.changes) + event.object_repr


def test_the_command_prints_the_counts_and_a_dry_run_deletes_nothing(place, capsys, settings):
    settings.TNE_CONTACT_RETENTION_DAYS = 30
    pupil = with_contact(place, "E-1")
    closed_loan(pupil, days=45)

    call_command("purge_contacts", "--dry-run")
    out = capsys.readouterr().out
    assert "Coordonnées à effacer (conservation de 30\u00a0jours)" in out
    assert "1 après des prêts clos, 0 d'élèves sans prêt ; 1 en tout." in out
    assert "Simulation" in out and remaining() == {"E-1"}

    call_command("purge_contacts")
    assert "Coordonnées effacées" in capsys.readouterr().out and remaining() == set()

    with pytest.raises(CommandError):
        call_command("purge_contacts", "--days", "-1")


def test_the_retention_defaults_to_a_year():
    from django.conf import settings

    assert settings.TNE_CONTACT_RETENTION_DAYS == 365
