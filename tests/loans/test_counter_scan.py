"""The scan step of the hand-out counter is a POST (htmx, CSRF): it prepares the convention of
the device for the loan chosen and shows it, the field emptied and focused for the next scan; a
GET only shows the zone (the loan chosen, the convention already prepared), and writes nothing.
A device reserved by another loan is refused with that loan's number."""

import pytest
from django.test import Client
from django.urls import reverse

from tne.core.models import Document
from tne.loans.models import Loan

from .lifecycle_factories import HTMX, accepted_loan, lendable_asset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


def page(school) -> str:
    return reverse("loans:hand_out", args=[school.pk])


def scan(client, school, code, loan=None) -> str:
    data = {"action": "scan", "code": code, **({"pret": loan.pk} if loan else {})}
    return client.post(page(school), data, headers=HTMX).content.decode()


def test_a_get_with_a_loan_and_a_code_writes_nothing(client, counter):
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    client.force_login(counter.head)

    html = client.get(page(counter.school), {"pret": offer.pk, "code": asset.asset_tag}).content

    offer.refresh_from_db()
    assert offer.asset_id is None and offer.agreement_id is None
    assert not Document.objects.exists() and not offer.events.exists()
    assert b'id="hand-out-form"' not in html and b'id="scan-form"' in html


def test_the_scan_form_is_a_post_with_its_token_and_the_field_focused(client, counter):
    offer = accepted_loan(counter.school)
    client.force_login(counter.head)

    html = client.get(page(counter.school), {"pret": offer.pk}, headers=HTMX).content.decode()

    form = html.split('id="scan-form"')[0].rsplit("<form", 1)[1] + html.split('id="scan-form"')[1]
    assert 'method="post"' in form and f'hx-post="{page(counter.school)}"' in form
    assert 'name="csrfmiddlewaretoken"' in form and 'name="action" value="scan"' in form
    assert f'name="pret" value="{offer.pk}"' in form
    assert 'id="scan-code" name="code" value="" autofocus' in form
    assert 'enterkeyhint="go"' in form


def test_the_scan_is_refused_without_the_csrf_token(counter):
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(counter.head)

    response = browser.post(
        page(counter.school), {"action": "scan", "pret": offer.pk, "code": asset.asset_tag}
    )

    assert response.status_code == 403
    assert Loan.objects.get(pk=offer.pk).agreement_id is None


def test_the_scan_shows_the_convention_and_a_get_shows_it_again_without_rendering(client, counter):
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-SCAN-1")
    client.force_login(counter.head)

    shown = scan(client, counter.school, "tne-scan-1", offer)
    prepared = Loan.objects.get(pk=offer.pk)
    again = client.get(page(counter.school), {"pret": offer.pk}, headers=HTMX).content.decode()
    rescanned = scan(client, counter.school, "TNE-SCAN-1", offer)

    for html in (shown, again, rescanned):
        assert 'id="hand-out-form"' in html and "TNE-SCAN-1" in html
        assert asset.serial_number in html and f'value="{prepared.due_on.isoformat()}"' in html
    assert prepared.asset_id == asset.pk and Document.objects.count() == 1
    assert Loan.objects.get(pk=offer.pk).agreement_id == prepared.agreement_id


def test_scanning_another_device_replaces_the_convention(client, counter):
    offer = accepted_loan(counter.school)
    lendable_asset(counter.school, asset_tag="TNE-SCAN-2")
    other = lendable_asset(counter.school, asset_tag="TNE-SCAN-3")
    client.force_login(counter.head)
    scan(client, counter.school, "TNE-SCAN-2", offer)
    first = Loan.objects.get(pk=offer.pk).agreement_id

    html = scan(client, counter.school, "TNE-SCAN-3", offer)

    loan = Loan.objects.get(pk=offer.pk)
    assert loan.asset_id == other.pk and loan.agreement_id != first
    assert 'id="hand-out-form"' in html and "TNE-SCAN-3" in html


def test_a_device_reserved_by_another_loan_is_refused_with_its_number(client, counter):
    holder, other = accepted_loan(counter.school), accepted_loan(counter.school)
    lendable_asset(counter.school, asset_tag="TNE-SCAN-4")
    client.force_login(counter.head)
    scan(client, counter.school, "TNE-SCAN-4", holder)

    html = scan(client, counter.school, "TNE-SCAN-4", other)
    first = scan(client, counter.school, "TNE-SCAN-4")  # scanned before choosing a pupil

    sentence = f"Ce matériel (TNE-SCAN-4) est déjà réservé pour le prêt n°\u00a0{holder.pk}."
    for zone in (html, first):
        assert 'id="counter-error"' in zone and sentence in zone
        assert 'id="hand-out-form"' not in zone
    assert f'name="pret" value="{other.pk}"' in html
    assert Loan.objects.get(pk=other.pk).asset_id is None


def test_an_empty_scan_says_what_to_do(client, counter):
    offer = accepted_loan(counter.school)
    client.force_login(counter.head)

    html = scan(client, counter.school, "  ", offer)

    assert "Scannez ou saisissez le numéro d&#x27;inventaire du matériel." in html
    assert f'name="pret" value="{offer.pk}"' in html


@pytest.mark.parametrize("who", ["two_roles", "outsider"])
def test_the_scan_of_another_school_is_404(client, counter, who):
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    client.force_login(getattr(counter, who))

    response = client.post(
        page(counter.school), {"action": "scan", "pret": offer.pk, "code": asset.asset_tag}
    )

    assert response.status_code == 404
    assert Loan.objects.get(pk=offer.pk).agreement_id is None
