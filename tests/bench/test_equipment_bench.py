"""The bench's equipment step (bench/equipment.py) on a small territory, on PostgreSQL (it writes
with COPY and runs VACUUM, hence a transactional test; the rows of the data migrations that a
flush removed are put back first, as the equipment tests' conftest does)."""

import pytest
from django.db import connection
from django.db.models import Count, F, Sum

from bench import equipment
from tests.demo.conftest import small_territory  # noqa: F401 — the fixture
from tests.equipment.factories import ensure_catalogue
from tests.programme.factories import ensure_measures
from tne.demo.calibration import load_calibration
from tne.demo.loader import demo_data_dir
from tne.demo.synthesis import synthesise
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation, Asset, Order, OrderLine, SchoolTally
from tne.programme.models import Envelope
from tne.territory.models import SchoolClass, SchoolYear

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL only"),
    # Not ``serialized_rollback``: restoring the serialized database after another transactional
    # test's flush collides with the content types that flush's post_migrate recreated.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def loaded(small_territory):  # noqa: F811
    ensure_measures()
    ensure_catalogue()
    synthesise(calibration=load_calibration(demo_data_dir()), seed=1)
    year = SchoolYear.objects.current()
    return year, equipment.synthesise(year)


def test_it_allocates_classes_and_attaches_three_devices_per_delivered_allocation(loaded):
    year, result = loaded
    classes = SchoolClass.objects.filter(year=year).count()
    assert result["allocations"] == Allocation.objects.count() == classes
    delivered = Allocation.objects.filter(
        status__in=[
            AllocationStatus.DELIVERED,
            AllocationStatus.INSTALLED,
            AllocationStatus.IN_SERVICE,
        ]
    )
    assert result["assets"] == Asset.objects.count() == 3 * delivered.count()
    assert not delivered.annotate(n=Count("assets")).exclude(n=3).exists()
    assert not Asset.objects.filter(allocation__isnull=True).exists()
    assert not Asset.objects.exclude(school=F("allocation__school")).exists()
    assert Asset.objects.values("serial_number").distinct().count() == Asset.objects.count()
    for line in OrderLine.objects.annotate(n=Count("assets")):
        assert line.delivered == line.n <= line.quantity


def test_its_tallies_equal_a_recount_and_its_orders_fit_their_envelopes(loaded):
    counted = sorted(
        Allocation.objects.order_by()
        .values_list("school", "measure", "status")
        .annotate(n=Count("pk"))
    )
    assert sorted(SchoolTally.objects.values_list("school", "measure", "status", "count")) == (
        counted
    )
    for envelope in Envelope.objects.filter(note=equipment.NOTE, parent__isnull=False):
        total = Order.objects.filter(envelope=envelope).aggregate(t=Sum("total"))["t"] or 0
        assert total <= envelope.amount


def test_a_second_run_once_recorded_writes_nothing(loaded):
    from bench import state

    year, result = loaded
    state.write("equipment", result)
    assert equipment.synthesise(year) == {}
    assert Asset.objects.count() == result["assets"]


def test_its_tallies_carry_the_places_of_their_school(loaded):
    tallies = SchoolTally.objects.select_related("school")
    assert tallies.exists()
    for tally in tallies:
        assert tally.departement_id == tally.school.departement_id
        assert tally.commune_id == tally.school.commune_id
        assert tally.circonscription_id == tally.school.circonscription_id


def test_its_pages_answer_with_the_parameters_of_the_list(loaded):
    """Every equipment scenario answers 200 to its profile, and the filtered lists show rows
    (a parameter the list does not read would show the unfiltered list, or nothing)."""
    from bench import timing, users

    people = users.bench_users()
    departement = users.coordinated_departement()
    scenarios, skipped = equipment.scenarios(departement)
    assert not skipped
    assert {s.who for s in scenarios} == {"national", f"coordination {departement.code}"}
    for scenario in scenarios:
        user = people["national" if scenario.who == "national" else "coordination"]
        response = timing.client_for(user).get(scenario.url)
        assert response.status_code == 200, scenario
        if "materiels" in scenario.url:
            assert '<tr id="asset-' in response.content.decode(), scenario
    school_filtered = next(s for s in scenarios if "ecole=" in s.url and "etat=" in s.url)
    html = timing.client_for(people["national"]).get(school_filtered.url).content.decode()
    school = Asset.objects.get(pk=int(html.split('<tr id="asset-')[1].split('"')[0])).school
    assert f"ecole={school.pk}" in school_filtered.url or f"ecole={school.uai}" in (
        school_filtered.url
    )
