"""The return counter of a school (``loans:return``): scan the device, its active loan at the
school shows, its condition and the guardian's signature, done, the receipt and « Proposer ce
matériel à l'élève suivant »; the zone comes back empty and focused. Only who takes devices back
at the school."""

import pytest
from django.urls import reverse

from tests.factories import Role, grant, user_with_role
from tne.equipment.enums import AssetState
from tne.equipment.models import Asset
from tne.loans.enums import LoanOutcome, LoanStatus, ReturnCondition
from tne.loans.models import Loan

from .factories import PupilFactory
from .lifecycle_factories import Counter, active_loan

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "counter-zone", "HX-Current-URL": "http://testserver/"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def url(school):
    return reverse("loans:return", args=[school.pk])


def return_form(loan, **extra):
    return {
        "loan": loan.pk,
        "condition": ReturnCondition.GOOD,
        "note": "",
        "typed_name": "Camille Martin",
        "consent": "on",
        "drawing": "",
        **extra,
    }


def test_scanning_a_lent_device_shows_its_loan_and_the_return_form(client, counter):
    loan = active_loan(counter, tag="TNE-RETOUR-9")
    client.force_login(counter.technician)

    html = client.get(url(counter.school), {"code": "tne-retour-9"}, headers=HTMX).content.decode()

    assert "<html" not in html and 'id="return-form"' in html
    assert f"Retour du prêt n°&nbsp;{loan.pk}" in html and loan.pupil.code in html
    for condition in ReturnCondition:
        assert f'value="{condition.value}"' in html
    assert "signature-pad" in html


def test_signing_the_return_closes_the_loan_and_empties_the_zone(client, counter):
    loan = active_loan(counter, tag="TNE-RETOUR-10")
    client.force_login(counter.head)

    html = client.post(
        url(counter.school), return_form(loan, note="Avec sa housse"), headers=HTMX
    ).content.decode()

    assert 'id="counter-done"' in html and "TNE-RETOUR-10 rendu" in html
    assert reverse("loans:return_receipt", args=[loan.pk]) in html
    assert 'id="scan-code" name="code" value="" autofocus' in html
    done = Loan.objects.get(pk=loan.pk)
    assert done.status == LoanStatus.CLOSED and done.outcome == LoanOutcome.RETURNED
    assert done.return_note == "Avec sa housse"
    assert Asset.objects.get(pk=loan.asset_id).state == AssetState.IN_STOCK


def test_after_a_return_the_next_pupil_link_is_offered_to_who_confirms_offers(client, counter):
    """The technician of Aisne who also coordinates Aisne confirms offers there: the link; the
    head (no ``loans.allocate``) and a technician of Aisne coordinating Val-d'Oise do not get a
    link to a page that refuses them."""
    next_link = (
        f'href="{reverse("loans:offer_next")}?school={counter.school.pk}&amp;category=tablet"'
    )
    grant(counter.technician, Role.COORDINATOR, counter.tree.aisne)
    elsewhere = user_with_role(Role.TECHNICIAN, counter.tree.aisne)
    grant(elsewhere, Role.COORDINATOR, counter.tree.vdo)
    for user, shown in ((counter.technician, True), (counter.head, False), (elsewhere, False)):
        loan = active_loan(counter)
        client.force_login(user)

        html = client.post(url(counter.school), return_form(loan), headers=HTMX).content.decode()

        assert 'id="counter-done"' in html
        assert (next_link in html) is shown, user
        assert ("Proposer ce matériel à l'élève suivant" in html) is shown, user
        # Who does not confirm offers is told who will.
        assert ('id="offer-next-note"' in html) is not shown, user


def test_a_damaged_device_is_sent_to_repair_and_not_offered_again(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.head)

    html = client.post(
        url(counter.school),
        return_form(loan, condition=ReturnCondition.DAMAGED, note="Écran cassé"),
        headers=HTMX,
    ).content.decode()

    assert "Il part en réparation" in html and 'id="offer-next"' not in html
    assert 'id="offer-next-note"' not in html
    assert Asset.objects.get(pk=loan.asset_id).state == AssetState.IN_REPAIR


def test_a_device_lent_by_another_school_or_not_lent_is_said(client, counter):
    foreign = active_loan(counter, school=counter.soissons_school, actor=counter.technician)
    client.force_login(counter.head)

    html = client.get(
        url(counter.school), {"code": foreign.asset.asset_tag}, headers=HTMX
    ).content.decode()

    assert "n&#x27;est prêté à aucun élève de cette école" in html
    assert 'id="return-form"' not in html
    unknown = client.get(url(counter.school), {"code": "NOPE"}, headers=HTMX).content.decode()
    assert "Aucun matériel n&#x27;a le numéro" in unknown


def test_a_missing_signature_keeps_the_form_with_its_errors(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.head)

    html = client.post(
        url(counter.school), return_form(loan, typed_name="", consent=""), headers=HTMX
    ).content.decode()

    assert 'id="return-form"' in html and "fr-error-text" in html
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACTIVE


def test_the_lent_devices_are_found_by_the_pupils_code(client, counter):
    loan = active_loan(counter)
    client.force_login(counter.head)

    html = client.get(
        url(counter.school), {"eleve": loan.pupil.code[:3]}, headers=HTMX
    ).content.decode()

    assert f'id="lent-{loan.pk}"' in html and f"code={loan.asset.asset_tag}" in html


def test_another_schools_loan_posted_here_is_404(client, counter):
    foreign = active_loan(counter, school=counter.soissons_school, actor=counter.technician)
    client.force_login(counter.head)

    assert client.post(url(counter.school), return_form(foreign)).status_code == 404
    assert client.post(url(counter.soissons_school), return_form(foreign)).status_code == 404
    assert Loan.objects.get(pk=foreign.pk).status == LoanStatus.ACTIVE


def test_a_person_head_elsewhere_and_parent_here_gets_no_return_counter_here(client, counter):
    client.force_login(counter.two_roles)
    assert client.get(url(counter.school)).status_code == 404
    assert client.get(url(counter.soissons_school)).status_code == 200
    client.force_login(counter.ien)
    assert client.get(url(counter.school)).status_code == 403


def test_the_lent_list_makes_the_same_queries_for_3_or_30_loans(
    client, counter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import lendable_asset

    def lend(n):
        for i in range(n):
            pupil = PupilFactory(school=counter.school, code=f"X{n}-{i:03d}")
            asset = lendable_asset(counter.school)
            Loan.objects.create(
                pupil=pupil,
                school=counter.school,
                category=asset.model.category,
                asset=asset,
                status=LoanStatus.ACTIVE,
            )

    client.force_login(counter.head)
    lend(3)
    client.get(url(counter.school), {"eleve": "X"})
    with CaptureQueriesContext(connection) as small:
        client.get(url(counter.school), {"eleve": "X"})
    lend(30)
    with django_assert_num_queries(len(small)):
        html = client.get(url(counter.school), {"eleve": "X"}).content.decode()
    assert html.count('<tr id="lent-') == 33
