"""Writes of the programme: each checks the actor's authority, validates, and leaves an audit
event; two splits of one envelope at once cannot together exceed it."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import Role, user_with_role
from tests.programme.factories import EnvelopeFactory, TargetFactory, measure
from tne.core.audit import history_of
from tne.core.models import AuditAction, AuditEvent
from tne.programme import services
from tne.programme.enums import Unit
from tne.programme.models import Envelope, Target


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


@pytest.fixture
def national(tree):
    return user_with_role(Role.NATIONAL, tree.country)


def _target(actor, node, period, **extra):
    values = {"measure": measure("M4"), "count": 600, "unit": Unit.CLASSES, **extra}
    return services.create_target(actor=actor, node=node, period=period, **values)


def test_it_creates_a_target_with_its_audit_event(tree, period, coordinator):
    target = _target(coordinator, tree.aisne, period, note="hypothèse de démonstration")

    event = history_of(target).get()
    assert event.action == AuditAction.CREATE
    assert event.actor == coordinator
    assert event.changes["count"] == [None, 600]
    assert event.changes["node"] == [None, tree.aisne.pk]


def test_a_coordinator_sets_targets_in_their_departement_and_below(tree, period, coordinator):
    _target(coordinator, tree.aisne, period)
    _target(coordinator, tree.circ_laon, period)

    assert Target.objects.count() == 2


@pytest.mark.parametrize("place", ["vdo", "country", "amiens", "circ_cergy"])
def test_a_coordinator_sets_no_target_outside_their_departement(tree, period, coordinator, place):
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        _target(coordinator, getattr(tree, place), period)

    assert not Target.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_coordinator_cannot_change_or_delete_a_target_of_val_d_oise(tree, period, coordinator):
    target = TargetFactory(node=tree.vdo, period=period)

    with pytest.raises(PermissionDenied):
        services.update_target(
            actor=coordinator,
            target=target,
            measure=target.measure,
            node=target.node,
            period=period,
            count=1,
            unit=target.unit,
        )
    with pytest.raises(PermissionDenied):
        services.delete_target(actor=coordinator, target=target)

    target.refresh_from_db()
    assert target.count == 2_700


def test_a_coordinator_cannot_move_their_target_out_of_their_departement(tree, period, coordinator):
    target = _target(coordinator, tree.aisne, period)

    with pytest.raises(PermissionDenied):
        services.update_target(
            actor=coordinator,
            target=target,
            measure=target.measure,
            node=tree.vdo,
            period=period,
            count=600,
            unit=Unit.CLASSES,
        )


def test_roles_that_do_not_steer_set_nothing(tree, period):
    for role, place in ((Role.IEN_ERUN, tree.circ_laon), (Role.EVALUATOR, tree.country)):
        with pytest.raises(PermissionDenied):
            _target(user_with_role(role, place), place, period)


def test_an_update_records_the_changed_fields_only(tree, period, national):
    target = _target(national, tree.country, period, count=2_700)

    services.update_target(
        actor=national,
        target=target,
        measure=target.measure,
        node=target.node,
        period=period,
        count=2_800,
        unit=Unit.CLASSES,
    )

    event = history_of(target).get(action=AuditAction.UPDATE)
    assert event.changes == {"count": [2_700, 2_800]}


def test_a_delete_is_recorded(tree, period, national):
    target = _target(national, tree.country, period)
    pk = target.pk

    services.delete_target(actor=national, target=target)

    assert not Target.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(object_id=str(pk), action=AuditAction.DELETE).exists()


def _envelope(actor, node, amount, parent=None, **extra):
    return services.create_envelope(
        actor=actor,
        measure=measure("M4"),
        node=node,
        amount=Decimal(amount),
        parent=parent,
        **extra,
    )


def test_a_coordinator_splits_the_envelope_of_their_departement(tree, national, coordinator):
    whole = _envelope(national, tree.country, "9000000")
    aisne = _envelope(national, tree.aisne, "2000000", parent=whole)

    part = _envelope(coordinator, tree.circ_laon, "150000.50", parent=aisne)

    assert part.parent == aisne
    assert history_of(part).get().changes["amount"] == [None, "150000.50"]


def test_a_coordinator_neither_exceeds_nor_touches_the_national_envelope(
    tree, national, coordinator
):
    whole = _envelope(national, tree.country, "9000000")
    aisne = _envelope(national, tree.aisne, "2000000", parent=whole)
    _envelope(coordinator, tree.circ_laon, "1500000", parent=aisne)

    with pytest.raises(ValidationError) as error:
        _envelope(coordinator, tree.laon, "500000.01", parent=aisne)
    assert "il reste 500\u202f000\u00a0€ à répartir" in " ".join(error.value.messages)
    with pytest.raises(PermissionDenied):
        services.update_envelope(
            actor=coordinator,
            envelope=whole,
            measure=whole.measure,
            node=whole.node,
            amount=Decimal("1"),
        )
    with pytest.raises(PermissionDenied):
        _envelope(coordinator, tree.vdo, "1", parent=whole)


def test_lowering_an_envelope_below_its_parts_is_refused(tree, national):
    whole = _envelope(national, tree.country, "9000000")
    _envelope(national, tree.aisne, "2000000", parent=whole)

    with pytest.raises(ValidationError):
        services.update_envelope(
            actor=national,
            envelope=whole,
            measure=whole.measure,
            node=whole.node,
            amount=Decimal("1999999.99"),
        )

    whole.refresh_from_db()
    assert whole.amount == Decimal("9000000")


def test_an_envelope_split_into_parts_is_not_deleted(tree, national):
    whole = _envelope(national, tree.country, "9000000")
    _envelope(national, tree.aisne, "2000000", parent=whole)

    with pytest.raises(ValidationError) as error:
        services.delete_envelope(actor=national, envelope=whole)

    assert "supprimez-les d'abord" in " ".join(error.value.messages)
    assert Envelope.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The in-memory SQLite test database raises « table is locked » instead of waiting.",
)
@pytest.mark.django_db(transaction=True)
def test_two_splits_at_once_cannot_exceed_the_envelope(tree):
    from tests.programme.factories import ensure_measures

    ensure_measures()
    national = user_with_role(Role.NATIONAL, tree.country)
    whole = EnvelopeFactory(node=tree.country, amount=Decimal("1000"))
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def split(node):
        try:
            barrier.wait(timeout=10)
            _envelope(national, node, "600", parent=whole)
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=split, args=(n,)) for n in (tree.aisne, tree.vdo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(errors) == 1
    assert "il reste 400\u00a0€ à répartir" in " ".join(errors[0].messages)
    assert Envelope.objects.filter(parent=whole).count() == 1
