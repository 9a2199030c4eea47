"""Two decisions (or two co-signatures) of one installation at once on PostgreSQL: the row lock
lets exactly one through, the other finds the step moved and is refused."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tne.core.models import Signature
from tne.equipment.enums import AllocationStatus, SignoffParty
from tne.equipment.models import Signoff
from tne.equipment.services import signoffs

from .signoff_factories import Place, installed

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def race(*calls):
    """Run the calls at once in threads; the ValidationErrors they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call):
        try:
            barrier.wait(timeout=20)
            call()
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_decisions_at_once_make_one_sign_off(tree):
    place = Place(tree)
    allocation = installed(place.school)

    def decide(accept):
        return lambda: signoffs.decide_installation(
            allocation_id=allocation.pk,
            actor=place.head if accept else place.two_roles,
            accept=accept,
            typed_name="Anne Martin",
            remarks="" if accept else "Écran absent",
        )

    errors = race(decide(True), decide(False))
    assert len(errors) == 1 and "n'est pas à valider" in " ".join(errors[0].messages)
    assert Signoff.objects.filter(allocation=allocation).count() == 1
    allocation.refresh_from_db()
    won = Signoff.objects.get(allocation=allocation)
    expected = AllocationStatus.IN_SERVICE if won.decision == "ACCEPTED" else "DELIVERED"
    assert allocation.status == expected


def test_two_co_signatures_at_once_make_one(tree):
    place = Place(tree)
    allocations = [installed(place.school, devices=0) for _ in range(2)]
    for allocation in allocations:
        signoffs.decide_installation(
            allocation_id=allocation.pk, actor=place.head, accept=True, typed_name="Anne M"
        )
    signatures = Signature.objects.count()
    ids = [a.pk for a in allocations]

    def cosign(order):
        return lambda: signoffs.cosign_installations(
            allocation_ids=order, actor=place.laon_officer, typed_name="Luc Bernard"
        )

    errors = race(cosign(ids), cosign(list(reversed(ids))))
    assert len(errors) == 1 and "pas à contresigner" in " ".join(errors[0].messages)
    assert Signoff.objects.filter(party=SignoffParty.AUTHORITY).count() == 2
    assert Signature.objects.count() == signatures + 1


def test_two_hand_overs_at_once_make_one_receipt(tree):
    from tests.factories import StaffFactory
    from tne.equipment.enums import AssetState
    from tne.equipment.models import Handover
    from tne.equipment.services import handovers

    from .factories import AssetFactory, price_kits

    place = Place(tree)
    teacher = StaffFactory(school=place.school, is_new_teacher=True)
    allocation = handovers.allocate_kit(staff_id=teacher.pk, actor=place.head)
    models = price_kits()
    tags = [
        AssetFactory(model=models[code], stock_node=tree.aisne, state=AssetState.IN_STOCK).asset_tag
        for code in ("laptop", "webcam", "microphone")
    ]

    def hand_over():
        handovers.hand_over(
            allocation_id=allocation.pk, actor=place.head, tags=tags, typed_name="Julie Moreau"
        )

    errors = race(hand_over, hand_over)
    assert len(errors) == 1 and "pas à remettre" in " ".join(errors[0].messages)
    assert Handover.objects.filter(allocation=allocation).count() == 1


def test_two_decisions_posted_to_the_api_at_once_make_one(tree):
    """A double submit through the API: one request signs (200), the other finds the step
    moved (409); one sign-off, one signature."""
    from django.test import Client

    place = Place(tree)
    allocation = installed(place.school)
    statuses = []

    def submit():
        client = Client()
        client.force_login(place.head)
        response = client.post(
            f"/api/v1/equipment/allocations/{allocation.pk}/decision",
            {"decision": "ACCEPTED", "typed_name": "Anne Martin", "consent": True},
            content_type="application/json",
        )
        statuses.append(response.status_code)

    assert race(submit, submit) == []
    assert sorted(statuses) == [200, 409]
    assert Signoff.objects.filter(allocation=allocation).count() == 1
    assert Signature.objects.count() == 1
