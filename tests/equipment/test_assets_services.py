"""The services of the asset register: creation, the table of transitions, moves, bulk
changes, incidents (report, repair, swap, close), each change in the history and the audit
trail."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import Role, StaffFactory, user_with_role
from tne.core.models import AuditEvent
from tne.equipment.enums import AssetEventKind, AssetState, IncidentKind, IncidentStatus
from tne.equipment.models import Asset, AssetEvent, Incident
from tne.equipment.services import assets as services

from .asset_factories import at_school, class_of, in_stock, school_in
from .factories import AllocationFactory, CampaignFactory, DeviceModelFactory

S = AssetState


@pytest.fixture
def tech(tree):
    return user_with_role(Role.TECHNICIAN, tree.aisne)


@pytest.fixture
def school(tree):
    return school_in(tree.laon)


def kinds(asset):
    return list(
        AssetEvent.objects.filter(asset=asset).values_list("kind", "from_state", "to_state")
    )


def test_it_creates_a_device_by_hand_upper_cased_in_history_and_audit(tree, tech, school):
    klass = class_of(school)

    asset = services.create_asset(
        actor=tech,
        serial_number=" ab-123 ",
        asset_tag="tne-0001",
        model=DeviceModelFactory(),
        school=school,
        school_class=klass,
        state=S.INSTALLED,
    )

    assert (asset.serial_number, asset.asset_tag) == ("AB-123", "TNE-0001")
    assert kinds(asset) == [(AssetEventKind.CREATED, "", S.INSTALLED)]
    event = AuditEvent.objects.get(object_id=str(asset.pk), content_type__model="asset")
    assert event.place_school_id == school.pk and event.actor == tech


def test_it_refuses_a_device_nowhere_a_duplicate_tag_or_a_foreign_class(tree, tech, school):
    model = DeviceModelFactory()
    with pytest.raises(ValidationError, match="Indiquez où"):
        services.create_asset(actor=tech, serial_number="A", asset_tag="T1", model=model)
    services.create_asset(actor=tech, serial_number="A", asset_tag="T1", model=model, school=school)
    with pytest.raises(ValidationError):
        services.create_asset(
            actor=tech, serial_number="b", asset_tag="t1", model=model, stock_node=tree.aisne
        )
    other = class_of(school_in(tree.soissons))
    with pytest.raises(ValidationError, match="classe"):
        services.create_asset(
            actor=tech,
            serial_number="C",
            asset_tag="T2",
            model=model,
            school=school,
            school_class=other,
        )
    assert Asset.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (S.INSTALLED, S.IN_REPAIR, True),
        (S.INSTALLED, S.LENT, False),
        (S.LOST, S.INSTALLED, False),
        (S.LOST, S.IN_STOCK, True),
        (S.RETIRED, S.IN_STOCK, False),
        (S.IN_REPAIR, S.RETIRED, True),
        (S.STOLEN, S.RETIRED, True),
        (S.ALLOCATED, S.RETIRED, False),
    ],
)
def test_the_table_of_transitions_decides(tree, tech, school, start, to, allowed):
    asset = at_school(school, state=start)
    if allowed:
        services.set_state(actor=tech, asset=asset, state=to)
        asset.refresh_from_db()
        assert asset.state == to
        assert kinds(asset) == [(AssetEventKind.STATE, start, to)]
    else:
        with pytest.raises(ValidationError, match="ne peut pas passer de"):
            services.set_state(actor=tech, asset=asset, state=to)
        asset.refresh_from_db()
        assert asset.state == start and not kinds(asset)


def test_a_device_in_stock_cannot_be_installed_nowhere(tree, tech):
    asset = in_stock(tree.aisne)
    assert S.INSTALLED not in services.allowed_states(asset)
    with pytest.raises(ValidationError, match="aucune école"):
        services.set_state(actor=tech, asset=asset, state=S.INSTALLED)


def test_it_moves_a_device_to_a_class_and_back_to_stock(tree, tech, school):
    asset = in_stock(tree.aisne)
    klass = class_of(school)

    services.move(actor=tech, asset=asset, school=school, school_class=klass)
    assert (asset.school_id, asset.school_class_id, asset.state) == (
        school.pk,
        klass.pk,
        S.ALLOCATED,
    )
    assert asset.stock_node_id is None

    services.move(actor=tech, asset=asset, stock_node=tree.aisne)
    asset.refresh_from_db()
    assert (asset.school_id, asset.school_class_id, asset.state) == (None, None, S.IN_STOCK)
    assert asset.stock_node_id == tree.aisne.pk
    assert [k for k, _, _ in kinds(asset)] == [AssetEventKind.MOVED, AssetEventKind.MOVED]
    with pytest.raises(ValidationError, match="déjà à cet endroit"):
        services.move(actor=tech, asset=asset, stock_node=tree.aisne)


def test_bulk_state_change_is_all_or_nothing(tree, tech, school):
    good = [at_school(school, state=S.INSTALLED) for _ in range(3)]
    retired = at_school(school, state=S.RETIRED, asset_tag="TNE-RETIRED")

    with pytest.raises(ValidationError) as error:
        services.bulk_set_state(actor=tech, assets=[*good, retired], state=S.IN_REPAIR)
    assert "TNE-RETIRED" in " ".join(error.value.messages)
    assert not AssetEvent.objects.exists()

    assert services.bulk_set_state(actor=tech, assets=good, state=S.IN_REPAIR) == 3
    assert set(
        Asset.objects.filter(pk__in=[a.pk for a in good]).values_list("state", flat=True)
    ) == {S.IN_REPAIR}
    assert AssetEvent.objects.filter(kind=AssetEventKind.STATE).count() == 3


@pytest.mark.parametrize(
    ("kind", "state"), [(IncidentKind.LOSS, S.LOST), (IncidentKind.THEFT, S.STOLEN)]
)
def test_a_loss_or_a_theft_sets_the_device_lost_or_stolen(tree, school, kind, state):
    head = user_with_role(Role.SCHOOL_HEAD, school)
    asset = at_school(school)

    incident = services.report_incident(actor=head, asset=asset, kind=kind, description="Disparu")

    asset.refresh_from_db()
    assert asset.state == state and incident.status == IncidentStatus.OPEN
    assert kinds(asset) == [(AssetEventKind.INCIDENT, S.INSTALLED, state)]


def test_a_breakdown_is_repaired_and_the_device_takes_its_previous_state_back(tree, tech, school):
    head = user_with_role(Role.SCHOOL_HEAD, school)
    asset = at_school(school, state=S.INSTALLED)
    incident = services.report_incident(
        actor=head, asset=asset, kind=IncidentKind.BREAKDOWN, description="Ne s'allume plus"
    )
    with pytest.raises(ValidationError, match="déjà ouvert"):
        services.report_incident(
            actor=head, asset=asset, kind=IncidentKind.BREAKDOWN, description="x"
        )

    services.send_to_repair(actor=tech, incident=incident)
    asset.refresh_from_db()
    assert asset.state == S.IN_REPAIR
    services.mark_repaired(actor=tech, asset=asset)

    asset.refresh_from_db()
    incident.refresh_from_db()
    assert asset.state == S.INSTALLED
    assert incident.status == IncidentStatus.CLOSED and incident.resolved_at is not None
    assert [k for k, _, _ in kinds(asset)] == [
        AssetEventKind.INCIDENT,
        AssetEventKind.STATE,
        AssetEventKind.REPAIRED,
    ]


def test_a_replacement_inherits_school_class_holder_allocation_and_state(tree, tech, school):
    klass = class_of(school)
    teacher = StaffFactory(school=school)
    allocation = AllocationFactory(
        campaign=CampaignFactory(node=tree.aisne), school=school, school_class=klass
    )
    old = at_school(
        school, state=S.INSTALLED, school_class=klass, holder=teacher, allocation=allocation
    )
    spare = in_stock(tree.aisne)
    incident = services.report_incident(
        actor=tech, asset=old, kind=IncidentKind.DAMAGE, description="Écran cassé"
    )

    services.swap(actor=tech, incident=incident, replacement=spare, old_state=S.IN_REPAIR)

    spare.refresh_from_db()
    old.refresh_from_db()
    incident.refresh_from_db()
    assert (spare.school_id, spare.school_class_id, spare.holder_id, spare.allocation_id) == (
        school.pk,
        klass.pk,
        teacher.pk,
        allocation.pk,
    )
    assert spare.state == S.INSTALLED and spare.stock_node_id is None
    assert (old.school_id, old.holder_id, old.allocation_id, old.state) == (
        None,
        None,
        None,
        S.IN_REPAIR,
    )
    assert old.stock_node_id == tree.aisne.pk
    assert incident.status == IncidentStatus.SWAPPED and incident.replacement_id == spare.pk
    assert AssetEvent.objects.filter(kind=AssetEventKind.SWAPPED).count() == 2


def test_a_swap_refuses_a_replacement_not_in_stock(tree, tech, school):
    old = at_school(school)
    busy = at_school(school)
    incident = services.report_incident(
        actor=tech, asset=old, kind=IncidentKind.DAMAGE, description="Cassé"
    )
    with pytest.raises(ValidationError, match="pas en stock"):
        services.swap(actor=tech, incident=incident, replacement=busy)
    with pytest.raises(ValidationError, match="réparation ou est réformé"):
        services.swap(
            actor=tech, incident=incident, replacement=in_stock(tree.aisne), old_state=S.LOST
        )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_an_incident_closes_with_its_resolution_and_then_accepts_no_more(tree, tech, school):
    asset = at_school(school)
    incident = services.report_incident(
        actor=tech, asset=asset, kind=IncidentKind.LOSS, description="Introuvable"
    )
    with pytest.raises(ValidationError):
        services.close_incident(actor=tech, incident=incident, resolution=" ")
    services.close_incident(actor=tech, incident=incident, resolution="Retrouvé au grenier")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    with pytest.raises(ValidationError, match="plus possible"):
        services.send_to_repair(actor=tech, incident=incident)
    assert Incident.objects.open().count() == 0
