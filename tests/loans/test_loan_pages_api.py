"""Loans in the API: the list in reach (keyset, filters, a fixed number of queries), one loan with
its steps, the hand-out and the return by POST through the services (typed name and consent),
never a contact nor the typed name; refusals 400/403/404/409 in French."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.clients import TokenClient
from tne.loans.enums import LoanStatus
from tne.loans.models import Loan

from .factories import GuardianContactFactory, PupilFactory
from .lifecycle_factories import Counter, accepted_loan, active_loan, lendable_asset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counter(tree):
    return Counter(tree)


@pytest.fixture
def post(client):
    """``post(user, path, body)``: the JSON ``body`` POSTed with ``user``'s token (one token
    per user in a test)."""
    tokens = {}

    def send(user, path, body):
        if user.pk not in tokens:
            tokens[user.pk] = TokenClient(client, user)
        return client.post(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[user.pk].raw}"},
        )

    return send


def late_loan(school, days=5):
    asset = lendable_asset(school)
    return Loan.objects.create(
        pupil=PupilFactory(school=school),
        school=school,
        category=asset.model.category,
        asset=asset,
        status=LoanStatus.ACTIVE,
        due_on=timezone.localdate() - datetime.timedelta(days=days),
    )


def test_the_list_holds_the_loans_in_reach_without_any_contact(client, counter):
    loan = active_loan(counter, tag="TNE-API-1")
    GuardianContactFactory(pupil=loan.pupil, name="Camille Martin", email="camille@example.org")
    accepted_loan(counter.cergy_school)
    api = TokenClient(client, counter.coordinator)

    response = api.get("/loans/loans")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [loan.pk]
    item = items[0]
    assert item["status"] == {"code": "ACTIVE", "label": "En cours"}
    assert item["pupil_code"] == loan.pupil.code and item["asset"]["asset_tag"] == "TNE-API-1"
    assert item["has_agreement"] is True and item["days_late"] == 0
    text = response.content.decode()
    assert "Camille" not in text and "example.org" not in text and "sealed" not in text


def test_the_list_filters_by_status_school_and_delay(client, counter):
    offer = accepted_loan(counter.school)
    late = late_loan(counter.soissons_school, days=4)
    on_time = active_loan(counter)
    api = TokenClient(client, counter.coordinator)

    def ids(**params):
        return [item["id"] for item in api.get("/loans/loans", **params).json()["items"]]

    assert ids(status="ACCEPTED") == [offer.pk]
    assert ids(school=counter.soissons_school.uai.lower()) == [late.pk]
    assert ids(overdue="true") == [late.pk]
    assert set(ids(overdue="false")) == {offer.pk, on_time.pk}
    assert api.get("/loans/loans", status="LOST").status_code == 422
    assert api.get("/loans/loans", overdue="true").json()["items"][0]["days_late"] == 4


def test_the_list_makes_the_same_queries_for_3_or_30_loans(client, counter):
    api = TokenClient(client, counter.coordinator)
    api.get("/me")
    for _ in range(3):
        late_loan(counter.school)
    with CaptureQueriesContext(connection) as small:
        assert len(api.get("/loans/loans", limit=500).json()["items"]) == 3
    for _ in range(27):
        late_loan(counter.school)
    with CaptureQueriesContext(connection) as big:
        assert len(api.get("/loans/loans", limit=500).json()["items"]) == 30
    assert len(big) == len(small)


def test_a_loan_of_another_place_is_404(client, counter):
    loan = active_loan(counter)
    api = TokenClient(client, counter.technician)
    assert api.get(f"/loans/loans/{loan.pk}").status_code == 200
    from tests.factories import Role, user_with_role

    vdo = TokenClient(client, user_with_role(Role.COORDINATOR, counter.tree.vdo))
    assert vdo.get(f"/loans/loans/{loan.pk}").status_code == 404
    assert vdo.get("/loans/loans").json()["items"] == []


def test_one_loan_has_its_steps(client, counter):
    loan = active_loan(counter)
    api = TokenClient(client, counter.coordinator)

    body = api.get(f"/loans/loans/{loan.pk}").json()

    assert [step["kind"]["code"] for step in body["steps"]] == ["PREPARED", "HANDED_OUT"]


def test_the_hand_out_by_post_lends_the_device_with_the_signed_convention(post, counter):
    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school, asset_tag="TNE-API-2")
    due = timezone.localdate() + datetime.timedelta(days=100)

    response = post(
        counter.technician,
        f"/loans/loans/{loan.pk}/hand-out",
        {
            "asset_tag": "tne-api-2",
            "due_on": due.isoformat(),
            "typed_name": "Camille Martin",
            "consent": True,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"]["code"] == "ACTIVE" and body["due_on"] == due.isoformat()
    assert "Camille" not in response.content.decode()
    loan.refresh_from_db()
    assert loan.asset_id == asset.pk and loan.agreement_signature.typed_name == ""
    from tne.core.audit import history_of
    from tne.core.crypto import unseal

    assert unseal(loan.agreement_signature.sealed_name) == "Camille Martin"
    assert {event.source for event in history_of(loan)} == {"API"}


def test_the_hand_out_refusals_are_400_409_403_404(post, counter):
    from tests.factories import Role, user_with_role

    loan = accepted_loan(counter.school)
    asset = lendable_asset(counter.school)
    body = {"asset_tag": asset.asset_tag, "typed_name": "Camille Martin", "consent": True}
    path = f"/loans/loans/{loan.pk}/hand-out"

    no_consent = post(counter.technician, path, {**body, "consent": False})
    assert no_consent.status_code == 400 and "case d'accord" in no_consent.json()["detail"]
    unknown = post(counter.technician, path, {**body, "asset_tag": "NOPE"})
    assert unknown.status_code == 409 and "Aucun matériel" in unknown.json()["detail"]
    reader = post(counter.coordinator, path, body)
    assert reader.status_code == 403
    vdo = post(user_with_role(Role.TECHNICIAN, counter.tree.vdo), path, body)
    assert vdo.status_code == 404
    control = post(counter.technician, path, {**body, "asset_tag": "TNE\x00"})
    assert control.status_code == 422
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.ACCEPTED

    assert post(counter.technician, path, body).status_code == 200
    again = post(counter.technician, path, body)
    assert again.status_code == 409 and "déjà en cours" in again.json()["detail"]


def test_the_return_by_post_closes_the_loan(post, counter):
    loan = active_loan(counter)
    path = f"/loans/loans/{loan.pk}/return"

    response = post(
        counter.technician,
        path,
        {
            "condition": "WORN",
            "note": "Coque rayée",
            "typed_name": "Camille Martin",
            "consent": True,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"]["code"] == "CLOSED" and body["outcome"]["code"] == "RETURNED"
    assert body["return_condition"]["code"] == "WORN" and body["has_return_receipt"] is True
    twice = post(
        counter.technician,
        path,
        {"condition": "GOOD", "typed_name": "Camille Martin", "consent": True},
    )
    assert twice.status_code == 409
    wrong = post(
        counter.technician,
        path,
        {"condition": "BROKEN", "typed_name": "Camille Martin", "consent": True},
    )
    assert wrong.status_code == 422
