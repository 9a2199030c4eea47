"""The progress of a measure per territory node, read from the tallies: figures on hand-made
data, targets of the current period, child rows, the communes map, scoping (Aisne vs
Val-d'Oise, a school head's school, an evaluator's figures without names), and a fixed number
of queries; the programme's dashboard counters."""

from html import unescape

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role
from tests.programme.factories import PeriodFactory, TargetFactory
from tne.core.registry import measure_counters
from tne.core.scope import scope_of
from tne.equipment.deployment_selectors import measure_progress
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation
from tne.equipment.perms import VIEW_PROGRESS
from tne.equipment.services import deployments
from tne.equipment.services.deployments import Selection
from tne.equipment.services.tallies import recount_schools
from tne.programme.selectors import measure_progress as programme_progress

from .deployment_factories import campaign_on, pilot, school_with_classes
from .factories import measure


@pytest.fixture
def p(tree):
    data = pilot(tree)
    campaign = campaign_on(tree.country)
    national = user_with_role(Role.NATIONAL, tree.country)
    deployments.allocate(campaign=campaign, selection=Selection(node=tree.country), actor=national)
    # Laon: 6 allocations, 2 in service, 1 installed; Soissons: 3, 1 in service; Cergy: 3 planned.
    laon = list(Allocation.objects.filter(school__commune=tree.laon).order_by("pk"))
    soissons = list(Allocation.objects.filter(school__commune=tree.soissons).order_by("pk"))
    set_status(laon[:2] + soissons[:1], AllocationStatus.IN_SERVICE)
    set_status(laon[2:3], AllocationStatus.INSTALLED)
    data.national = national
    return data


def set_status(rows, status):
    Allocation.objects.filter(pk__in=[a.pk for a in rows]).update(status=status)
    recount_schools({a.school_id for a in rows})


def test_national_progress_has_one_row_per_departement(p):
    period = PeriodFactory()
    TargetFactory(node=p.tree.country, period=period, measure=measure("M5"), count=100)
    TargetFactory(node=p.tree.aisne, period=period, measure=measure("M5"), count=12)
    result = measure_progress(p.national, measure=measure("M5"), node=p.tree.country)
    assert result.total.total == 12 and result.total.in_service == 3
    assert result.total.target == 100 and result.total.percent == 3
    rows = {r.label: r for r in result.rows}
    assert set(rows) == {str(p.tree.aisne), str(p.tree.vdo)}
    aisne = rows[str(p.tree.aisne)]
    assert aisne.step_cells == [5, 0, 0, 1, 3] and aisne.target == 12 and aisne.percent == 25
    assert aisne.reached(AllocationStatus.INSTALLED) == 4
    assert rows[str(p.tree.vdo)].total == 3 and rows[str(p.tree.vdo)].target is None


def test_a_departement_has_rows_per_commune_or_circonscription(p):
    result = measure_progress(p.coordinator, measure=measure("M5"), node=p.tree.aisne)
    rows = {r.label: r.in_service for r in result.rows}
    assert rows == {str(p.tree.laon): 2, str(p.tree.soissons): 1}
    result = measure_progress(
        p.coordinator, measure=measure("M5"), node=p.tree.aisne, child_kind="CIRCONSCRIPTION"
    )
    assert {r.label: r.total for r in result.rows} == {str(p.tree.circ_laon): 6}
    assert result.total.total == 9


def test_a_coordinator_of_aisne_counts_aisne_only(p):
    result = measure_progress(p.coordinator, measure=measure("M5"), node=p.tree.country)
    assert result.total.total == 9
    assert [r.label for r in result.rows] == [str(p.tree.aisne)]
    result = measure_progress(p.vdo_coordinator, measure=measure("M5"), node=p.tree.country)
    assert result.total.total == 3 and result.total.in_service == 0


def test_a_school_head_counts_their_school_only(p):
    head = user_with_role(Role.SCHOOL_HEAD, p.soissons)
    result = measure_progress(head, measure=measure("M5"), node=p.tree.aisne)
    assert result.total.total == 3 and result.total.in_service == 1


def test_the_page_for_an_evaluator_shows_figures_and_no_school(client, p):
    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    client.force_login(evaluator)
    response = client.get(reverse("equipment:progress"), {"measure": "M5"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Aisne" in html and "Laon" in html
    for school in (*p.laon, p.soissons):
        assert school.name not in html and school.uai not in html
    assert 'id="progress-map"' in html  # Aisne has commune outlines.
    other = client.get(reverse("equipment:progress"), {"node": p.tree.vdo.pk})
    assert other.status_code == 404


def test_the_page_refuses_what_it_does_not_know(client, p):
    client.force_login(p.coordinator)
    url = reverse("equipment:progress")
    assert client.get(url, {"node": "abc"}).status_code == 404
    assert client.get(url, {"node": "999999"}).status_code == 404
    parent = user_with_role(Role.PARENT, p.soissons)
    client.force_login(parent)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("node", ["country", "aisne"])
def test_progress_makes_a_fixed_number_of_queries(client, p, node, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(p.national)
    url = reverse("equipment:progress")
    params = {"measure": "M5", "node": getattr(p.tree, node).pk}
    client.get(url, params)  # The map is drawn and cached once.
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    for _ in range(5):
        school, _ = school_with_classes(p.tree.soissons)
        deployments.allocate(
            campaign=campaign_on(p.tree.aisne),
            selection=Selection(school_ids=(school.pk,)),
            actor=p.national,
        )
    with CaptureQueriesContext(connection) as big:
        assert client.get(url, params).status_code == 200
    assert len(big) == len(small)
    scope_of(p.national, VIEW_PROGRESS)  # The grants, read once per request before the page.
    m5 = measure("M5")
    with CaptureQueriesContext(connection) as direct:
        measure_progress(p.national, measure=m5, node=getattr(p.tree, node))
    assert len(direct) <= 4


def test_the_programme_dashboard_counts_classes_in_service(p):
    assert {"M4", "M5", "M7"} <= set(measure_counters())
    rows = {r.measure.code: r for r in programme_progress(p.coordinator)}
    assert (rows["M5"].achieved, rows["M5"].tracked) == (3, True)
    assert (rows["M4"].achieved, rows["M4"].tracked) == (0, True)
    rows = {r.measure.code: r for r in programme_progress(p.vdo_coordinator)}
    assert rows["M5"].achieved == 0


def test_a_communes_progress_lists_its_schools_for_those_who_read_them(client, p):
    coordinator = user_with_role(Role.COORDINATOR, p.tree.aisne)
    result = measure_progress(coordinator, measure=measure("M5"), node=p.tree.laon, schools=True)
    assert result.total.total == 6 and result.total.in_service == 2
    rows = {r.school_id: r for r in result.rows}
    assert set(rows) == {school.pk for school in p.laon}
    assert sum(r.in_service for r in rows.values()) == 2
    assert all(r.label.endswith(f"({school.uai})") for school in p.laon for r in [rows[school.pk]])

    client.force_login(coordinator)
    html = client.get(reverse("equipment:progress"), {"measure": "M5", "node": p.tree.laon.pk})
    for school in p.laon:
        assert reverse("equipment:school", args=[school.pk]) in html.content.decode()

    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    client.force_login(evaluator)
    html = unescape(
        client.get(
            reverse("equipment:progress"), {"measure": "M5", "node": p.tree.laon.pk}
        ).content.decode()
    )
    assert "Le détail par école n'est pas affiché pour votre rôle" in html  # figures only
    for school in p.laon:
        assert school.uai not in html


def test_m4_counts_classes_on_the_dashboard_and_in_the_progress_alike(p):
    """Classes are M4's unit (« 2 700 classes »): the schools' shared packs and the heads' kits
    bought with its envelope are in neither the progress nor the programme's counter."""
    m4 = measure("M4")
    for code, selection in (
        ("socle-classe", Selection(node=p.tree.aisne)),
        ("socle-ecole", Selection(node=p.tree.aisne)),
        ("socle-direction", Selection(node=p.tree.aisne)),
    ):
        deployments.allocate(
            campaign=campaign_on(p.tree.aisne, code=code), selection=selection, actor=p.coordinator
        )
    m4_rows = Allocation.objects.filter(measure=m4)
    # 3 Aisne schools with 2 elementary classes each; a pack and a head kit per school.
    assert m4_rows.filter(school_class__isnull=False).count() == 6
    assert m4_rows.filter(school_class__isnull=True).count() == 6
    set_status(m4_rows, AllocationStatus.IN_SERVICE)

    progress = measure_progress(p.coordinator, measure=m4, node=p.tree.aisne)
    counted = {r.measure.code: r.achieved for r in programme_progress(p.coordinator)}
    assert progress.total.total == progress.total.in_service == 6
    assert counted["M4"] == 6
    # Per commune too (the counter takes a node): Laon has two schools, four classes.
    assert measure_counters()["M4"](p.coordinator, p.tree.laon) == 4
    laon = measure_progress(p.coordinator, measure=m4, node=p.tree.laon, schools=True)
    assert laon.total.in_service == 4
    # A school head reads their school's two classes.
    head = user_with_role(Role.SCHOOL_HEAD, p.laon[0])
    assert measure_counters()["M4"](head, None) == 2
