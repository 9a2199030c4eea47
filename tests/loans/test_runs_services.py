"""Allocation runs, the database side of the engine: who the candidates are, their priority under
the weights of their territory, the inputs kept on the run, a decision per candidate with its
rank and reason, the default stock and unit cost, an infeasible run, the rights."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.equipment.factories import AssetFactory, DeviceModelFactory, category, price_kits
from tne.core.models import Job, JobStatus
from tne.equipment.enums import AssetState
from tne.loans.enums import HomeDevices, HomeInternet, LoanStatus, RunStatus
from tne.loans.models import AllocationRun, PriorityWeights, RunDecision, SchoolQuota
from tne.loans.selectors import runs as selectors
from tne.loans.services import runs as services

from .factories import LoanFactory, PupilFactory
from .run_helpers import RunPlace, computed, events_of, pupils, run_now, tablet

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return RunPlace(tree)


def test_the_candidates_are_the_pupils_of_the_node_with_a_need_and_no_open_loan_of_the_kind(
    place, tree
):
    a = pupils(place.school_a, 3)
    soissons = pupils(place.soissons, 1)
    pupils(place.cergy, 2)  # Val-d'Oise: not under Aisne
    PupilFactory(school=place.school_a)  # no need declared
    LoanFactory(pupil=a[0], status=LoanStatus.OFFERED)  # an open tablet loan
    LoanFactory(pupil=a[1], category=category("laptop"))  # a laptop: still a tablet candidate
    LoanFactory(pupil=a[2], status=LoanStatus.CLOSED)  # closed: a candidate again

    found = set(selectors.candidates_of(tree.aisne, tablet()).values_list("pk", flat=True))
    assert found == {a[1].pk, a[2].pk, soissons[0].pk}
    found = set(selectors.candidates_of(tree.laon, tablet()).values_list("pk", flat=True))
    assert found == {a[1].pk, a[2].pk}


def test_a_run_decides_for_every_candidate_by_priority_then_pupil(place, tree):
    poor = pupils(place.school_a, 2, devices=HomeDevices.NONE, internet=HomeInternet.NONE)
    shared = pupils(place.school_b, 2, devices=HomeDevices.SHARED, shared_with=2)
    own = pupils(place.soissons, 2, devices=HomeDevices.OWN, internet=HomeInternet.FIXED)

    run = run_now(place.coordinator, tree.aisne, stock=3)

    assert run.status == RunStatus.DONE and run.candidates == 6 and run.capacity == 3
    decisions = list(RunDecision.objects.filter(run=run).order_by("rank"))
    assert [d.rank for d in decisions] == [1, 2, 3, 4, 5, 6]
    # A: none 40 + no internet 30 + REP+ 20 = 90; B: shared 20 + 2 children 10 + mobile 15 = 45;
    # Soissons: nothing.
    assert [d.pupil_id for d in decisions] == [p.pk for p in poor + shared + own]
    assert [d.priority for d in decisions] == [90, 90, 45, 45, 0, 0]
    assert decisions[0].breakdown == [
        ["Aucun équipement à la maison", 40],
        ["Pas d'accès à internet", 30],
        ["École en REP+", 20],
    ]
    assert [d.served for d in decisions] == [True, True, True, False, False, False]
    assert {d.reason for d in decisions[3:]} == {"stock"} and decisions[0].reason == ""
    assert run.served == 3 and run.total_priority == 90 + 90 + 45
    assert run.unserved_by_reason == {"stock": 3}
    assert run.finished_at is not None and run.job.status == JobStatus.SUCCEEDED
    assert run.job.result["served"] == 3


def test_the_run_keeps_the_weights_and_quotas_it_used(place, tree):
    PriorityWeights.objects.create(node=tree.laon, no_device=70)
    SchoolQuota.objects.create(school=place.school_b, minimum=1, maximum=5)
    pupils(place.school_a, 1)
    pupils(place.soissons, 1)

    run = run_now(place.coordinator, tree.aisne, stock=10, departement_caps={"02": 8})

    laon = str(tree.laon.pk)
    assert run.weights["schools"] == {
        str(place.school_a.pk): laon,
        str(place.soissons.pk): "defaut",
    }
    assert run.weights["sets"][laon]["no_device"] == 70
    assert run.weights["sets"][laon]["source"] == "Laon"
    assert run.weights["sets"]["defaut"]["no_device"] == 40
    assert run.quotas == {str(place.school_b.pk): {"min": 1, "max": 5}}
    assert run.departement_caps == {"02": 8}
    by_school = dict(RunDecision.objects.filter(run=run).values_list("school_id", "priority"))
    # A: 70 + mobile 15 + REP+ 20; Soissons: 40 + 15 (the defaults).
    assert by_school == {place.school_a.pk: 105, place.soissons.pk: 55}
    # Editing the weights afterwards changes nothing of the run.
    PriorityWeights.objects.filter(node=tree.laon).update(no_device=1)
    run.refresh_from_db()
    assert run.weights["sets"][laon]["no_device"] == 70


def test_the_nearest_weights_win(place, tree):
    PriorityWeights.objects.create(node=tree.aisne, no_device=10)
    PriorityWeights.objects.create(node=tree.circ_laon, no_device=20)
    PriorityWeights.objects.create(node=tree.laon, no_device=30)

    found = selectors.weights_for_schools(
        type(place.school_a).objects.filter(pk__in=[place.school_a.pk, place.soissons.pk])
    )
    # Laon and its circonscription are at the same depth: the commune's first.
    assert found[place.school_a.pk].weights.no_device == 30
    assert found[place.soissons.pk].weights.no_device == 10


def test_a_school_maximum_and_a_departement_cap_stop_pupils_with_their_reason(place, tree):
    SchoolQuota.objects.create(school=place.school_a, maximum=1)
    a = pupils(place.school_a, 3, internet=HomeInternet.NONE)
    soissons = pupils(place.soissons, 2)
    cergy = pupils(place.cergy, 3)

    run = run_now(place.national, tree.country, stock=100, departement_caps={"95": 1})

    decisions = {d.pupil_id: d for d in RunDecision.objects.filter(run=run)}
    assert [decisions[p.pk].served for p in a] == [True, False, False]
    assert {decisions[p.pk].reason for p in a[1:]} == {"school_max"}
    assert all(decisions[p.pk].served for p in soissons)
    assert sorted(decisions[p.pk].served for p in cergy) == [False, False, True]
    assert run.unserved_by_reason == {"departement_cap": 2, "school_max": 2}


def test_the_default_stock_is_the_devices_of_the_kind_in_stock_under_the_node(place, tree):
    price_kits()
    pupils(place.school_a, 5)
    tablet_model = DeviceModelFactory(category=tablet())
    AssetFactory(model=tablet_model, school=place.school_a, state=AssetState.IN_STOCK)
    AssetFactory(model=tablet_model, stock_node=tree.aisne, state=AssetState.IN_STOCK)
    AssetFactory(model=tablet_model, stock_node=tree.laon, state=AssetState.IN_STOCK)
    AssetFactory(model=tablet_model, school=place.school_b, state=AssetState.LENT)
    AssetFactory(model=tablet_model, school=place.cergy, state=AssetState.IN_STOCK)
    AssetFactory(model=tablet_model, stock_node=tree.vdo, state=AssetState.IN_STOCK)
    laptop = DeviceModelFactory(category=category("laptop"))
    AssetFactory(model=laptop, school=place.school_a, state=AssetState.IN_STOCK)

    assert selectors.stock_count(tree.aisne, tablet()) == 3
    assert selectors.stock_count(tree.laon, tablet()) == 2  # A's, and Laon's own stock
    run = run_now(place.coordinator, tree.aisne, current_stock=True)
    assert run.stock == 3 and run.served == 3


def test_a_budget_pays_for_devices_at_the_reference_price_by_default(place, tree):
    price_kits()  # tablet reference model at 329.00 €
    reference = tablet().reference_model
    reference.unit_price = Decimal("300.00")
    reference.save()
    pupils(place.school_a, 6)

    run = run_now(place.coordinator, tree.aisne, budget=Decimal("1000"))

    assert run.unit_cost == Decimal("300.00") and run.capacity == 3 and run.served == 3
    assert set(
        RunDecision.objects.filter(run=run, served=False).values_list("reason", flat=True)
    ) == {"budget"}
    run = run_now(place.coordinator, tree.aisne, budget=Decimal("1000"), stock=2)
    assert run.capacity == 2
    assert set(
        RunDecision.objects.filter(run=run, served=False).values_list("reason", flat=True)
    ) == {"stock"}


def test_an_infeasible_run_fails_with_the_engines_french_message(place, tree):
    SchoolQuota.objects.create(school=place.school_a, minimum=3)
    pupils(place.school_a, 4)

    run = run_now(place.coordinator, tree.aisne, stock=2)

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("Attribution impossible\u00a0:") and "2" in run.error
    assert not RunDecision.objects.filter(run=run).exists()
    job = Job.objects.get(pk=run.job_id)
    assert job.status == JobStatus.FAILED and job.message == run.error


def test_only_a_coordinator_of_the_node_starts_a_run(place, tree):
    with pytest.raises(PermissionDenied):
        services.start_run(actor=place.vdo_coordinator, node=tree.aisne, category=tablet(), stock=1)
    with pytest.raises(PermissionDenied):
        services.start_run(actor=place.head_a, node=tree.laon, category=tablet(), stock=1)
    run = services.start_run(actor=place.coordinator, node=tree.laon, category=tablet(), stock=1)
    assert run.status == RunStatus.QUEUED and run.created_by == place.coordinator
    assert events_of(run, "CREATE").count() == 1


@pytest.mark.parametrize(
    ("inputs", "field", "fragment"),
    [
        ({}, "stock", "Indiquez un stock, un budget"),
        ({"stock": -1}, "stock", "de 0 à"),
        ({"stock": 5, "departement_caps": {"95": 3}}, "departement_caps", "n'est pas dans"),
        ({"stock": 5, "departement_caps": {"02": -3}}, "departement_caps", "nombre d'élèves"),
        ({"budget": Decimal("100")}, "unit_cost", "modèle de référence chiffré"),
        ({"budget": Decimal("100"), "unit_cost": Decimal("0")}, "unit_cost", "au moins"),
    ],
)
def test_bad_inputs_are_refused_in_french_on_their_field(place, tree, inputs, field, fragment):
    with pytest.raises(ValidationError) as caught:
        services.start_run(actor=place.coordinator, node=tree.aisne, category=tablet(), **inputs)
    assert fragment in " ".join(caught.value.message_dict[field])


def test_a_kind_of_device_not_lent_is_refused(place, tree):
    with pytest.raises(ValidationError) as caught:
        services.start_run(
            actor=place.coordinator, node=tree.aisne, category=category("projector"), stock=3
        )
    assert "category" in caught.value.message_dict


def test_a_run_is_computed_once(place, tree):
    pupils(place.school_a, 2)
    run = run_now(place.coordinator, tree.aisne, stock=1)
    again = services.execute_run(run_id=run.pk)
    assert again.status == RunStatus.DONE
    assert RunDecision.objects.filter(run=run).count() == 2


def test_the_job_fails_the_run_when_its_creator_lost_the_right(place, tree):
    pupils(place.school_a, 2)
    run = services.start_run(actor=place.coordinator, node=tree.aisne, category=tablet(), stock=1)
    place.coordinator.role_assignments.all().delete()
    place.coordinator.__dict__.pop("_tne_scopes", None)
    run = computed(run)
    assert run.status == RunStatus.FAILED and "ne lancez plus" in run.error


def test_what_if_a_budget_on_a_run_of_stock_alone_prices_at_the_reference_model(place, tree):
    pupils(place.school_a, 5)
    run = run_now(place.coordinator, tree.aisne, stock=2)
    refused = selectors.what_if(run, stock=5, budget=Decimal("1000"))
    assert "n'a pas de modèle de référence chiffré" in refused.error

    price_kits()  # the tablet's reference model: 329 €
    run = AllocationRun.objects.get(pk=run.pk)
    outcome = selectors.what_if(run, stock=5, budget=Decimal("1000"))
    assert outcome.error == "" and outcome.capacity == 3 and outcome.served == 3
    assert outcome.extra_cost == Decimal("329.00")
    assert outcome.summary() == "1\u00a0élève de plus servi pour 329\u00a0€ de plus"
    # Nothing of the run changed.
    run.refresh_from_db()
    assert run.served == 2 and RunDecision.objects.filter(run=run, served=True).count() == 2
