"""The page of a loan (its facts, timeline, documents and steps) and the overdue list (filters,
CSV export, query budget), per grant: the school's head and technician act, an IEN reads, a
person head elsewhere and parent here sees nothing of it, an outsider gets 404."""

import csv
import datetime
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SchoolFactory
from tne.loans.enums import LoanOutcome, LoanStatus
from tne.loans.models import Loan, LoanEventKind

from .factories import GuardianContactFactory, LoanFactory, PupilFactory
from .lifecycle_factories import Counter, accepted_loan, active_loan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def page(client, loan):
    return client.get(reverse("loans:loan", args=[loan.pk]))


def overdue_loan(school, days_late: int, **extra):
    """An active loan past due by ``days_late`` days, written straight (not through the
    services: its date is in the past)."""
    from .factories import lendable_asset

    asset = lendable_asset(school)
    return Loan.objects.create(
        pupil=PupilFactory(school=school),
        school=school,
        category=asset.model.category,
        asset=asset,
        status=LoanStatus.ACTIVE,
        handed_out_at=timezone.now() - datetime.timedelta(days=200),
        due_on=timezone.localdate() - datetime.timedelta(days=days_late),
        **extra,
    )


# --- The page of a loan ----------------------------------------------------------------------


def test_the_page_shows_the_loan_its_timeline_and_its_documents(client, counter):
    loan = active_loan(counter, tag="TNE-PAGE-1")
    client.force_login(counter.head)

    response = page(client, loan)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Prêt n°\u00a0{loan.pk}" in html and loan.pupil.code in html and "TNE-PAGE-1" in html
    assert "Proposition faite à la famille" in html and "Matériel remis, convention signée" in html
    assert reverse("loans:agreement", args=[loan.pk]) in html
    assert reverse("loans:return", args=[counter.school.pk]) + "?code=TNE-PAGE-1" in html
    assert reverse("loans:loan_extend", args=[loan.pk]) in html
    assert "Camille Martin" not in html  # the guardian's name is in the signed PDF only


def test_the_agreement_downloads_for_the_school_not_for_a_reader(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.head)
    response = client.get(reverse("loans:agreement", args=[loan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    client.force_login(counter.ien)
    html = page(client, loan).content.decode()
    assert reverse("loans:loan_extend", args=[loan.pk]) not in html
    assert reverse("loans:agreement", args=[loan.pk]) not in html
    assert "l'école les télécharge" in unescape(html)
    assert client.get(reverse("loans:agreement", args=[loan.pk])).status_code == 403
    assert client.get(reverse("loans:return_receipt", args=[loan.pk])).status_code == 403


def test_the_coordinator_who_reads_contacts_downloads_the_signed_documents(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.coordinator)
    assert client.get(reverse("loans:agreement", args=[loan.pk])).status_code == 200
    assert client.get(reverse("loans:return_receipt", args=[loan.pk])).status_code == 404


@pytest.mark.parametrize("who", ["two_roles", "outsider"])
def test_a_loan_of_another_place_is_404_whatever_the_url(client, counter, who):
    loan = active_loan(counter)
    client.force_login(getattr(counter, who))
    for name in ("loan", "agreement", "return_receipt", "loan_decline", "loan_extend", "loan_loss"):
        assert client.get(reverse(f"loans:{name}", args=[loan.pk])).status_code == 404, name
    assert client.post(reverse("loans:loan_accept", args=[loan.pk])).status_code == 404


def test_a_reader_may_not_act(client, counter):
    offer = LoanFactory(pupil=PupilFactory(school=counter.school))
    client.force_login(counter.ien)
    assert page(client, offer).status_code == 200
    assert client.post(reverse("loans:loan_accept", args=[offer.pk])).status_code == 403
    assert client.get(reverse("loans:loan_decline", args=[offer.pk])).status_code == 403
    assert Loan.objects.get(pk=offer.pk).status == LoanStatus.OFFERED


def test_the_family_agreement_then_the_decline_from_the_page(client, counter):
    offer = LoanFactory(pupil=PupilFactory(school=counter.school))
    client.force_login(counter.head)

    html = page(client, offer).content.decode()
    assert reverse("loans:loan_accept", args=[offer.pk]) in html
    response = client.post(reverse("loans:loan_accept", args=[offer.pk]), follow=True)
    assert "L'accord de la famille est enregistré" in unescape(response.content.decode())
    assert Loan.objects.get(pk=offer.pk).status == LoanStatus.ACCEPTED
    html = page(client, offer).content.decode()
    assert reverse("loans:hand_out", args=[counter.school.pk]) + f"?pret={offer.pk}" in html

    empty = client.post(reverse("loans:loan_decline", args=[offer.pk]), {"reason": ""})
    assert empty.status_code == 200 and "fr-error-text" in empty.content.decode()
    client.post(reverse("loans:loan_decline", args=[offer.pk]), {"reason": "A déménagé"})
    declined = Loan.objects.get(pk=offer.pk)
    assert declined.status == LoanStatus.DECLINED
    assert declined.events.last().kind == LoanEventKind.DECLINED


def test_a_refused_step_is_said_on_the_page(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.head)
    response = client.post(reverse("loans:loan_accept", args=[loan.pk]), follow=True)
    assert "Seule une proposition se fait accepter" in response.content.decode()


def test_extending_and_declaring_a_loss_from_the_page(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.head)
    later = loan.due_on + datetime.timedelta(days=14)

    client.post(reverse("loans:loan_extend", args=[loan.pk]), {"due_on": later.isoformat()})
    assert Loan.objects.get(pk=loan.pk).due_on == later
    past = client.post(reverse("loans:loan_extend", args=[loan.pk]), {"due_on": "2020-01-01"})
    assert "doit être après aujourd'hui" in unescape(past.content.decode())

    client.post(
        reverse("loans:loan_loss", args=[loan.pk]),
        {"kind": LoanOutcome.STOLEN, "note": "Volé à la sortie de l'école"},
    )
    done = Loan.objects.get(pk=loan.pk)
    assert done.status == LoanStatus.CLOSED and done.outcome == LoanOutcome.STOLEN


def test_a_returned_loan_offers_its_device_to_the_next_pupil(client, counter):
    from django.urls import reverse

    from tne.loans.enums import ReturnCondition
    from tne.loans.services import lifecycle

    from .lifecycle_factories import signed

    loan = active_loan(counter)
    client.force_login(counter.head)
    assert 'id="offer-next"' not in page(client, loan).content.decode()
    lifecycle.record_return(
        actor=counter.head, loan=loan, condition=ReturnCondition.GOOD, signature_data=signed()
    )
    expected = f"{reverse('loans:offer_next')}?school={counter.school.pk}&amp;category=tablet"
    # The head hands out but does not confirm offers (``loans.allocate``): no link to a 403.
    assert 'id="offer-next"' not in page(client, loan).content.decode()
    client.force_login(counter.coordinator)
    html = page(client, loan).content.decode()
    assert f'href="{expected}" id="offer-next"' in html


def test_the_loan_page_makes_the_same_queries_for_a_short_and_a_long_timeline(
    client, counter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tne.loans.models import LoanEvent

    loan = active_loan(counter)
    client.force_login(counter.head)
    page(client, loan)
    with CaptureQueriesContext(connection) as short:
        page(client, loan)
    LoanEvent.objects.bulk_create(
        [LoanEvent(loan=loan, kind=LoanEventKind.REMINDED, actor=counter.head) for _ in range(20)]
    )
    with django_assert_num_queries(len(short)):
        html = page(client, loan).content.decode()
    assert html.count("Relance envoyée") == 20


# --- Overdue ---------------------------------------------------------------------------------


def test_the_overdue_list_shows_the_late_loans_in_reach_with_their_days_late(client, counter):
    late = overdue_loan(counter.school, 12, reminders_sent=2)
    overdue_loan(counter.cergy_school, 3)
    active_loan(counter)  # due in 60 days
    client.force_login(counter.coordinator)

    html = client.get(reverse("loans:overdue")).content.decode()

    assert f'id="overdue-{late.pk}"' in html and "12 jours" in html
    assert "1 prêt en retard" in html and "École de Cergy" not in html


def test_the_overdue_list_is_filtered_by_school_and_commune(client, counter):
    laon = overdue_loan(counter.school, 5)
    soissons = overdue_loan(counter.soissons_school, 5)
    client.force_login(counter.coordinator)

    by_name = client.get(reverse("loans:overdue"), {"school": "jean mace"}).content.decode()
    assert f'id="overdue-{laon.pk}"' in by_name and f'id="overdue-{soissons.pk}"' not in by_name
    by_uai = client.get(reverse("loans:overdue"), {"school": counter.soissons_school.uai})
    assert f'id="overdue-{soissons.pk}"' in by_uai.content.decode()
    by_commune = client.get(
        reverse("loans:overdue"), {"commune": counter.tree.soissons.pk}
    ).content.decode()
    assert (
        f'id="overdue-{soissons.pk}"' in by_commune and f'id="overdue-{laon.pk}"' not in by_commune
    )
    assert f'<option value="{counter.tree.laon.pk}"' in by_commune  # communes with late loans
    assert f'<option value="{counter.tree.cergy.pk}"' not in by_commune


def test_the_overdue_export_is_a_csv_without_any_contact(client, counter):
    late = overdue_loan(counter.school, 9)
    GuardianContactFactory(pupil=late.pupil, name="Camille Martin", email="camille@example.org")
    client.force_login(counter.head)

    response = client.get(reverse("loans:overdue_export"))

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][:3] == ["Prêt", "Code élève", "UAI"] and len(rows) == 2
    assert rows[1][0] == str(late.pk) and rows[1][1] == late.pupil.code and rows[1][10] == "9"
    assert "Camille" not in body and "example.org" not in body and "+336" not in body


@pytest.mark.parametrize("who", ["two_roles", "outsider"])
def test_the_overdue_list_of_another_place_is_empty(client, counter, who):
    overdue_loan(counter.school, 5)
    client.force_login(getattr(counter, who))
    html = client.get(reverse("loans:overdue")).content.decode()
    assert "Aucun prêt en retard" in html
    body = b"".join(client.get(reverse("loans:overdue_export")).streaming_content).decode()
    assert len(body.strip().splitlines()) == 1


def test_the_overdue_list_is_not_for_whoever_reads_no_loans(client, tree):
    from tests.factories import Role, user_with_role

    client.force_login(user_with_role(Role.TEACHER, SchoolFactory(commune=tree.laon)))
    assert client.get(reverse("loans:overdue")).status_code == 403


def test_the_overdue_list_makes_the_same_queries_for_3_or_30_loans(
    client, counter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(counter.coordinator)
    for days in range(1, 4):
        overdue_loan(counter.school, days)
    client.get(reverse("loans:overdue"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("loans:overdue"))
    school = SchoolFactory(commune=counter.tree.soissons)
    for days in range(1, 28):
        overdue_loan(school, days)

    with django_assert_num_queries(len(small)):
        html = client.get(reverse("loans:overdue")).content.decode()
    assert html.count('<tr id="overdue-') == 25  # one page


def test_accepted_offers_are_not_overdue(client, counter):
    accepted_loan(counter.school, due_on=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(counter.head)
    assert "Aucun prêt en retard" in client.get(reverse("loans:overdue")).content.decode()


def test_national_steering_reads_every_loan_and_acts_on_none(client, counter):
    from tests.factories import Role, user_with_role

    loan = active_loan(counter)
    national = user_with_role(Role.NATIONAL, counter.tree.country)
    client.force_login(national)

    assert page(client, loan).status_code == 200
    assert f'id="overdue-{loan.pk}"' not in client.get(reverse("loans:overdue")).content.decode()
    assert client.get(reverse("loans:loan_extend", args=[loan.pk])).status_code == 403
