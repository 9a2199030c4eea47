"""Signing through the API: the school head decides on an installation of their school, the
local authority owning the building co-signs one or a list, with the page's checks (typed name,
consent, a refusal's reason); each grant only where it is given (404 for what the caller does
not read, 403 for what they read but may not sign), 409 for what is already decided."""

import pytest

from tests.api.clients import SessionClient, TokenClient
from tests.factories import Role, grant, user_with_role
from tne.core.audit import history_of
from tne.core.models import AuditSource, Signature
from tne.equipment.enums import AllocationStatus, SignoffDecision, SignoffParty
from tne.equipment.models import Signoff
from tne.equipment.services import signoffs

from .signoff_factories import Place, installed

ACCEPT = {"decision": "ACCEPTED", "typed_name": "Anne  Martin", "consent": True}
COSIGN = {"typed_name": "Luc Bernard", "consent": True}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place(tree):
    return Place(tree)


def post(client, user, path, body):
    """A POST of the API from ``user``'s browser session (school heads and officers hold no
    API token)."""
    SessionClient(client, user)
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def decision(allocation):
    return f"/equipment/allocations/{allocation.pk}/decision"


def cosignature(allocation):
    return f"/equipment/allocations/{allocation.pk}/cosignature"


def accepted(place, school=None, head=None):
    allocation = installed(school or place.school)
    signoffs.decide_installation(
        allocation_id=allocation.pk, actor=head or place.head, accept=True, typed_name="Anne M"
    )
    return allocation


def messages(response) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else " ".join(e["msg"] for e in detail)


# --- The school's decision -------------------------------------------------------------------


def test_the_head_accepts_an_installation_of_their_school(client, place):
    allocation = installed(place.school, devices=2)
    response = post(client, place.head, decision(allocation), {**ACCEPT, "remarks": "RAS"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["allocation_id"] == allocation.pk and body["school_uai"] == place.school.uai
    assert (body["party"]["code"], body["decision"]["code"]) == ("SCHOOL", "ACCEPTED")
    assert body["signed_by"] == "Anne Martin" and body["remarks"] == "RAS"
    assert body["has_photo"] is False
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.IN_SERVICE
    signoff = Signoff.objects.get()
    assert body["report_sha256"] == signoff.report.sha256 == signoff.signature.document_sha256
    # What was consented to is the page's sentence; no drawing comes through the API.
    assert signoff.signature.consent == signoffs.DECISION_CONSENT
    assert signoff.signature.drawing == [] and signoff.signature.signer == place.head
    assert {e.source for e in history_of(allocation)} == {AuditSource.API}


def test_a_refusal_needs_its_reason_and_sends_the_installation_back(client, place):
    allocation = installed(place.school)
    refuse = {**ACCEPT, "decision": "REFUSED"}
    response = post(client, place.head, decision(allocation), refuse)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == "remarks" and "dites pourquoi" in error["msg"]
    assert not Signoff.objects.exists() and not Signature.objects.exists()

    response = post(client, place.head, decision(allocation), {**refuse, "remarks": "Câble\nHS"})
    assert response.status_code == 200 and response.json()["decision"]["code"] == "REFUSED"
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.DELIVERED
    assert Signoff.objects.get().remarks == "Câble\nHS"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"typed_name": " x "}, "typed_name", "saisissez votre nom"),
        ({"typed_name": "Anne\tMartin"}, "typed_name", "contrôle"),
        ({"consent": False}, "consent", "consentement"),
        ({"remarks": "a\x00b"}, "remarks", "contrôle"),
        ({"decision": "MAYBE"}, "decision", "ACCEPTED"),
        ({"typed_name": "A" * 201}, "typed_name", "200"),
    ],
)
def test_the_signature_has_the_checks_of_the_page(client, place, change, field, words):
    allocation = installed(place.school)
    response = post(client, place.head, decision(allocation), {**ACCEPT, **change})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"][-1] for e in errors] == [field]
    assert words in errors[0]["msg"] and f"«\u00a0{field}\u00a0»" in errors[0]["msg"]
    assert not Signoff.objects.exists()
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.INSTALLED


def test_a_second_decision_is_a_409_and_one_decision_is_kept(client, place):
    allocation = installed(place.school)
    assert post(client, place.head, decision(allocation), ACCEPT).status_code == 200
    again = post(
        client,
        place.head,
        decision(allocation),
        {**ACCEPT, "decision": "REFUSED", "remarks": "Non"},
    )
    assert again.status_code == 409
    assert "n'est pas à valider" in messages(again) and "«\u00a0En service\u00a0»" in messages(
        again
    )
    assert Signoff.objects.count() == 1 and Signature.objects.count() == 1
    assert Signoff.objects.get().decision == SignoffDecision.ACCEPTED


def test_an_installation_not_yet_installed_is_a_409(client, place):
    allocation = installed(place.school, status=AllocationStatus.DELIVERED)
    response = post(client, place.head, decision(allocation), ACCEPT)
    assert response.status_code == 409 and "«\u00a0Livrée\u00a0»" in messages(response)


def test_who_may_not_decide(client, place, tree):
    allocation = installed(place.school)
    # Read but not theirs to sign: 403.
    for user in (place.laon_officer, place.coordinator):
        response = post(client, user, decision(allocation), ACCEPT)
        assert response.status_code == 403, user
        assert "ne validez pas" in messages(response)
    # Not read at all: 404, whatever the body.
    for user in (place.other_head, place.cergy_head, place.cergy_officer):
        assert post(client, user, decision(allocation), ACCEPT).status_code == 404
        assert post(client, user, decision(allocation), {}).status_code in (404, 422)
    assert (
        post(client, place.head, "/equipment/allocations/999999/decision", ACCEPT).status_code
        == 404
    )
    assert not Signoff.objects.exists()


def test_a_head_of_one_school_and_parent_at_another_signs_for_their_school_only(client, place):
    """The parent's grant at Victor-Hugo reads no equipment there: 404, not a signature."""
    person = user_with_role(Role.SCHOOL_HEAD, place.school)
    grant(person, Role.PARENT, place.other_school)
    there = installed(place.other_school)
    here = installed(place.school)
    assert post(client, person, decision(there), ACCEPT).status_code == 404
    assert post(client, person, decision(here), ACCEPT).status_code == 200
    there.refresh_from_db()
    assert there.status == AllocationStatus.INSTALLED


def test_two_roles_each_only_where_granted(client, place):
    """Head at Jean-Macé and officer of Soissons: decides at Jean-Macé and not at Soissons (which
    they read as its officer: 403); co-signs at Soissons and not at Jean-Macé."""
    soissons = installed(place.soissons_school)
    response = post(client, place.two_roles, decision(soissons), ACCEPT)
    assert response.status_code == 403
    here = installed(place.school)
    assert post(client, place.two_roles, decision(here), ACCEPT).status_code == 200
    assert post(client, place.two_roles, cosignature(here), COSIGN).status_code == 403
    signoffs.decide_installation(
        allocation_id=soissons.pk,
        actor=user_with_role(Role.SCHOOL_HEAD, place.soissons_school),
        accept=True,
        typed_name="Direction Soissons",
    )
    assert post(client, place.two_roles, cosignature(soissons), COSIGN).status_code == 200


def test_the_api_needs_authentication_and_the_token_of_a_coordinator_signs_nothing(client, place):
    allocation = installed(place.school)
    anonymous = client.post(
        f"/api/v1{decision(allocation)}", ACCEPT, content_type="application/json"
    )
    assert anonymous.status_code == 401
    token = TokenClient(client, place.coordinator)
    response = client.post(
        f"/api/v1{decision(allocation)}",
        ACCEPT,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token.raw}"},
    )
    assert response.status_code == 403 and not Signoff.objects.exists()


# --- The authority's co-signature ------------------------------------------------------------


def test_the_commune_co_signs_an_accepted_installation_once(client, place):
    allocation = accepted(place)
    response = post(
        client, place.laon_officer, cosignature(allocation), {**COSIGN, "remarks": "Vu"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["party"]["code"], body["signed_by"], body["remarks"]) == (
        "AUTHORITY",
        "Luc Bernard",
        "Vu",
    )
    allocation.refresh_from_db()
    assert allocation.authority_signed_at is not None
    cosigned = Signoff.objects.get(party=SignoffParty.AUTHORITY)
    assert cosigned.signature.consent == signoffs.COSIGN_CONSENT
    again = post(client, place.laon_officer, cosignature(allocation), COSIGN)
    assert again.status_code == 409 and "pas à contresigner" in messages(again)
    assert Signoff.objects.filter(party=SignoffParty.AUTHORITY).count() == 1


def test_an_installation_the_school_has_not_accepted_is_a_409(client, place):
    allocation = installed(place.school)
    response = post(client, place.laon_officer, cosignature(allocation), COSIGN)
    assert response.status_code == 409 and "pas encore validées par l'école" in messages(response)


def test_who_may_not_co_sign(client, place):
    allocation = accepted(place)
    for user in (place.head, place.coordinator):
        assert post(client, user, cosignature(allocation), COSIGN).status_code == 403
    for user in (place.cergy_officer, place.other_head):
        assert post(client, user, cosignature(allocation), COSIGN).status_code == 404
    # The département owns the collège, the commune does not: it reads the school, not its
    # building (404), and the département co-signs it.
    college = accepted(place, school=place.college, head=place.college_head)
    assert post(client, place.laon_officer, cosignature(college), COSIGN).status_code == 404
    assert post(client, place.aisne_officer, cosignature(college), COSIGN).status_code == 200
    response = post(
        client, place.laon_officer, cosignature(allocation), {**COSIGN, "consent": False}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "consent"
    assert not Signoff.objects.filter(allocation=allocation, party=SignoffParty.AUTHORITY).exists()


def test_a_list_is_co_signed_with_one_signature(client, place):
    first, second = accepted(place), accepted(place)
    body = {**COSIGN, "allocation_ids": [second.pk, first.pk, second.pk]}
    response = post(client, place.laon_officer, "/equipment/cosignatures", body)
    assert response.status_code == 200, response.content
    assert sorted(s["allocation_id"] for s in response.json()) == [first.pk, second.pk]
    cosigned = Signoff.objects.filter(party=SignoffParty.AUTHORITY)
    assert cosigned.count() == 2 and len({s.signature_id for s in cosigned}) == 1
    again = post(client, place.laon_officer, "/equipment/cosignatures", body)
    assert again.status_code == 409 and cosigned.count() == 2


def test_a_list_is_all_or_nothing(client, place):
    ready = accepted(place)
    waiting = installed(place.school)
    foreign = accepted(place, school=place.cergy_school, head=place.cergy_head)
    college = accepted(place, school=place.college, head=place.college_head)

    def cosign(ids):
        return post(
            client, place.laon_officer, "/equipment/cosignatures", {**COSIGN, "allocation_ids": ids}
        )

    assert cosign([ready.pk, waiting.pk]).status_code == 409
    assert cosign([ready.pk, foreign.pk]).status_code == 404
    assert cosign([ready.pk, college.pk]).status_code == 404
    # Head at Jean-Macé (which they read) and officer of Soissons: Jean-Macé is not theirs to
    # co-sign, and the Soissons installation with it is refused too.
    soissons = accepted(
        place,
        school=place.soissons_school,
        head=user_with_role(Role.SCHOOL_HEAD, place.soissons_school),
    )
    mixed = {**COSIGN, "allocation_ids": [soissons.pk, ready.pk]}
    assert post(client, place.two_roles, "/equipment/cosignatures", mixed).status_code == 403
    assert not Signoff.objects.filter(party=SignoffParty.AUTHORITY).exists()
    empty = cosign([])
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "allocation_ids"
    assert cosign(list(range(1, signoffs.MAX_BULK + 2))).status_code == 422
    assert cosign([ready.pk]).status_code == 200
