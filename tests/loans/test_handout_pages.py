"""The hand-out counter of a school (``loans:hand_out``): pick the offer or scan first, the
device and the convention shown, the guardian signs, the zone comes back empty and focused for
the next family; htmx gets the zone alone. Only who hands out at the school (403 without the
permission anywhere, 404 for another school or another school's loan)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.equipment.factories import AssetFactory, DeviceModelFactory, category
from tne.core.crypto import unseal
from tne.equipment.enums import AssetState
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan

from .lifecycle_factories import Counter, accepted_loan, lendable_asset

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "counter-zone", "HX-Current-URL": "http://testserver/"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


def url(school, **query):
    base = reverse("loans:hand_out", args=[school.pk])
    if not query:
        return base
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def scan(client, school, code, loan=None):
    """The scan at the counter: a POST (htmx) that prepares the convention of the device."""
    data = {"action": "scan", "code": code, **({"pret": loan.pk} if loan else {})}
    return client.post(url(school), data, headers=HTMX).content.decode()


def sign_form(loan, tag, **extra):
    return {
        "loan": loan.pk,
        "asset_tag": tag,
        "due_on": (timezone.localdate() + datetime.timedelta(days=120)).isoformat(),
        "typed_name": "Camille Martin",
        "consent": "on",
        "drawing": "",
        **extra,
    }


def test_the_page_lists_the_accepted_offers_and_focuses_the_scan_field(client, counter):
    offer = accepted_loan(counter.school)
    other = accepted_loan(counter.soissons_school)
    client.force_login(counter.head)

    html = client.get(url(counter.school)).content.decode()

    assert html.count("autofocus") == 1 and 'id="scan-code"' in html
    assert f'id="offer-{offer.pk}"' in html and offer.pupil.code in html
    assert f'id="offer-{other.pk}"' not in html
    assert 'name="viewport" content="width=device-width' in html
    assert "loans/counter.css" in html


def test_the_offers_are_searched_by_the_start_of_the_pupils_code(client, counter):
    from .factories import PupilFactory

    wanted = accepted_loan(
        counter.school, pupil=PupilFactory(school=counter.school, code="CM1-017")
    )
    accepted_loan(counter.school, pupil=PupilFactory(school=counter.school, code="CE2-004"))
    client.force_login(counter.head)

    html = client.get(url(counter.school, eleve="cm1"), headers=HTMX).content.decode()

    assert "<html" not in html
    assert "CM1-017" in html and "CE2-004" not in html and f'id="offer-{wanted.pk}"' in html


def test_offer_then_scan_then_sign_lends_and_empties_the_zone(client, counter):
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-GUICHET-1")
    client.force_login(counter.head)

    chosen = client.get(url(counter.school, pret=offer.pk), headers=HTMX).content.decode()
    assert offer.pupil.code in chosen and f'name="pret" value="{offer.pk}"' in chosen
    assert 'id="scan-code"' in chosen and "autofocus" in chosen

    confirm = scan(client, counter.school, "tne-guichet-1", offer)
    assert 'id="hand-out-form"' in confirm and "TNE-GUICHET-1" in confirm
    assert asset.serial_number in confirm and "je préviens l&#x27;école" in confirm
    assert reverse("loans:agreement", args=[offer.pk]) in confirm and "signature-pad" in confirm
    assert 'name="due_on"' in confirm and 'name="typed_name"' in confirm

    shown = Loan.objects.get(pk=offer.pk).due_on.isoformat()  # the date of the convention shown
    done = client.post(
        url(counter.school), sign_form(offer, "TNE-GUICHET-1", due_on=shown), headers=HTMX
    ).content.decode()

    assert "<html" not in done and 'id="counter-done"' in done
    assert f"TNE-GUICHET-1 remis à l&#x27;élève {offer.pupil.code}" in done
    assert reverse("loans:agreement", args=[offer.pk]) in done
    assert 'id="scan-code" name="code" value="" autofocus' in done
    loan = Loan.objects.get(pk=offer.pk)
    assert loan.status == LoanStatus.ACTIVE and loan.asset_id == asset.pk
    assert loan.agreement_signature.typed_name == ""
    assert unseal(loan.agreement_signature.sealed_name) == "Camille Martin"


def test_scanning_first_lists_the_offers_of_that_kind(client, counter):
    tablet = accepted_loan(counter.school)
    router = accepted_loan(counter.school, code="router-4g")
    lendable_asset(counter.school, asset_tag="TNE-GUICHET-2")
    client.force_login(counter.technician)

    html = scan(client, counter.school, "TNE-GUICHET-2")

    assert 'id="counter-asset"' in html
    assert f'id="offer-{tablet.pk}"' in html and f'id="offer-{router.pk}"' not in html
    # « Remettre à … » is a POST of the scan for that offer (it prepares the convention).
    row = html.split(f'id="offer-{tablet.pk}"')[1].split("</tr>")[0]
    assert 'method="post"' in row and 'name="csrfmiddlewaretoken"' in row
    assert f'name="pret" value="{tablet.pk}"' in row and 'name="code" value="TNE-GUICHET-2"' in row
    assert not Loan.objects.get(pk=tablet.pk).agreement_id


def test_a_device_that_cannot_be_lent_is_said_in_the_zone(client, counter):
    offer = accepted_loan(counter.school)
    AssetFactory(
        model=DeviceModelFactory(category=category("tablet")),
        school=counter.school,
        state=AssetState.IN_REPAIR,
        asset_tag="TNE-PANNE-1",
    )
    client.force_login(counter.head)

    html = scan(client, counter.school, "TNE-PANNE-1", offer)

    assert 'id="counter-error"' in html and "n&#x27;est pas en stock" in html
    assert 'id="hand-out-form"' not in html and f'name="pret" value="{offer.pk}"' in html


def test_a_missing_name_or_consent_keeps_the_confirmation_with_the_errors(client, counter):
    offer = accepted_loan(counter.school)
    lendable_asset(counter.school, asset_tag="TNE-GUICHET-3")
    client.force_login(counter.head)

    html = client.post(
        url(counter.school),
        sign_form(offer, "TNE-GUICHET-3", typed_name="", consent=""),
        headers=HTMX,
    ).content.decode()

    assert 'id="hand-out-form"' in html and "fr-error-text" in html
    assert Loan.objects.get(pk=offer.pk).status == LoanStatus.ACCEPTED


def test_a_device_lent_meanwhile_sends_back_to_the_scan_with_the_reason(client, counter):
    from tne.loans.services import lifecycle

    from .lifecycle_factories import signed

    first, second = accepted_loan(counter.school), accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-GUICHET-4")
    lifecycle.hand_out(
        actor=counter.head,
        loan=first,
        asset_tag=asset.asset_tag,
        signature_data=signed(),
        prepare=True,
    )
    client.force_login(counter.head)

    html = client.post(
        url(counter.school), sign_form(second, "TNE-GUICHET-4"), headers=HTMX
    ).content.decode()

    assert f"est déjà prêté (prêt n°\u00a0{first.pk})" in html
    assert 'id="scan-code"' in html and f'name="pret" value="{second.pk}"' in html


def test_the_draft_convention_is_a_pdf_of_this_offer_and_device(client, counter):
    offer = accepted_loan(counter.school)
    lendable_asset(counter.school, asset_tag="TNE-GUICHET-5")
    client.force_login(counter.head)
    draft = reverse("loans:agreement_draft", args=[counter.school.pk])

    response = client.get(f"{draft}?pret={offer.pk}&code=TNE-GUICHET-5")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"{draft}?pret={offer.pk}&code=NOPE").status_code == 404


def test_whoever_does_not_hand_out_anywhere_gets_403(client, counter):
    client.force_login(counter.ien)
    assert client.get(url(counter.school)).status_code == 403
    assert client.get(reverse("loans:counter")).status_code == 403


@pytest.mark.parametrize("who", ["two_roles", "outsider"])
def test_another_schools_counter_and_loans_are_404(client, counter, who):
    offer = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    client.force_login(getattr(counter, who))

    assert client.get(url(counter.school)).status_code == 404
    assert client.post(url(counter.school), sign_form(offer, asset.asset_tag)).status_code == 404
    assert Loan.objects.get(pk=offer.pk).status == LoanStatus.ACCEPTED


def test_a_loan_of_another_school_named_in_the_query_is_404(client, counter):
    foreign = accepted_loan(counter.soissons_school)
    client.force_login(counter.technician)  # hands out at both schools of Aisne

    assert client.get(url(counter.school, pret=foreign.pk)).status_code == 404
    assert client.get(url(counter.soissons_school, pret=foreign.pk)).status_code == 200


def test_the_counter_lists_the_schools_where_one_hands_out(client, counter):
    client.force_login(counter.technician)

    html = client.get(reverse("loans:counter")).content.decode()

    assert "École Jean-Macé" in html and "École de Soissons" in html
    assert "École de Cergy" not in html
    assert reverse("loans:hand_out", args=[counter.school.pk]) in html
    searched = client.get(reverse("loans:counter"), {"q": "soissons"}).content.decode()
    assert "École de Soissons" in searched and "École Jean-Macé" not in searched


def test_the_counter_page_makes_the_same_queries_for_3_or_30_offers(
    client, counter, django_assert_num_queries
):
    client.force_login(counter.head)
    for _ in range(3):
        accepted_loan(counter.school)
    client.get(url(counter.school))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url(counter.school))
    for _ in range(27):
        accepted_loan(counter.school)

    with django_assert_num_queries(len(small)):
        html = client.get(url(counter.school)).content.decode()
    assert html.count('<tr id="offer-') == 30


def test_the_schools_of_a_counter_make_the_same_queries_for_3_or_30(
    client, counter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SchoolFactory

    client.force_login(counter.technician)
    client.get(reverse("loans:counter"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("loans:counter"))
    for _ in range(28):
        SchoolFactory(commune=counter.tree.laon)

    with django_assert_num_queries(len(small)):
        html = client.get(reverse("loans:counter")).content.decode()
    assert html.count('<tr id="school-') == 25  # a page
