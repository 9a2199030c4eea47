"""Campaigns and bulk allocation: by commune, circonscription, département, school and CSV file,
the classes that already have the kit skipped and listed, the tallies kept, the scope held."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import Role, SchoolClassFactory, SchoolYearFactory, user_with_role
from tne.core.audit import history_of
from tne.core.rowerrors import ImportFileError
from tne.equipment.enums import AllocationStatus
from tne.equipment.models import Allocation, Campaign
from tne.equipment.services import deployments
from tne.equipment.services.deployments import Selection
from tne.territory.enums import Stage

from .deployment_factories import assert_tallies_match, campaign_on, pilot
from .factories import kit, measure


@pytest.fixture
def p(tree):
    return pilot(tree)


def test_it_creates_a_campaign_on_a_node_the_coordinator_covers(p):
    campaign = deployments.create_campaign(
        name="Kits hybrides — Laon",
        measure=measure("M5"),
        kit=kit("kit-hybride"),
        node=p.tree.laon,
        actor=p.coordinator,
    )
    assert campaign.created_by == p.coordinator
    assert history_of(campaign).filter(action="CREATE").count() == 1


def test_it_refuses_a_campaign_outside_the_territory_or_with_a_kit_of_another_measure(p):
    with pytest.raises(PermissionDenied):
        deployments.create_campaign(
            name="x",
            measure=measure("M5"),
            kit=kit("kit-hybride"),
            node=p.tree.cergy,
            actor=p.coordinator,
        )
    with pytest.raises(ValidationError, match="relève de la mesure M4"):
        deployments.create_campaign(
            name="x",
            measure=measure("M5"),
            kit=kit("socle-classe"),
            node=p.tree.laon,
            actor=p.coordinator,
        )
    assert not Campaign.objects.exists()


def test_it_allocates_every_class_of_a_commune_in_one_action(p):
    campaign = campaign_on(p.tree.aisne)
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    laon_classes = {c.pk for s in p.laon for c in p.classes[s.pk]}
    assert plan.created == 6 and plan.school_count == 2 and not plan.skipped
    assert set(Allocation.objects.values_list("school_class_id", flat=True)) == laon_classes
    assert set(Allocation.objects.values_list("status", flat=True)) == {AllocationStatus.PLANNED}
    assert history_of(campaign).count() == 1
    assert_tallies_match()


def test_it_allocates_a_circonscription_and_a_departement(p):
    campaign = campaign_on(p.tree.aisne)
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.circ_laon), actor=p.coordinator
    )
    assert plan.created == 6
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.aisne), actor=p.coordinator
    )
    assert plan.created == 3  # Soissons' three classes; Laon's six already have the kit.
    assert len(plan.skipped) == 6
    assert {s.school_id for s in plan.skipped} == {s.pk for s in p.laon}
    assert Allocation.objects.count() == 9
    assert_tallies_match()


def test_it_counts_and_lists_the_classes_already_equipped_in_the_preview(p):
    campaign = campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign,
        selection=Selection(school_ids=(p.laon[0].pk,)),
        actor=p.coordinator,
    )
    preview = deployments.plan_allocations(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    assert len(preview.to_create) == 3 and len(preview.skipped) == 3
    assert preview.school_count == 1 and preview.total == 6
    assert {s.class_name for s in preview.skipped} == {"CE1", "CE2", "GS1"}
    assert Allocation.objects.count() == 3  # The preview wrote nothing.


def test_a_cancelled_allocation_lets_the_class_have_the_kit_again(p):
    campaign = campaign_on(p.tree.aisne)
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(school_ids=(p.soissons.pk,)), actor=p.coordinator
    )
    ids = list(Allocation.objects.values_list("pk", flat=True))
    result = deployments.cancel(allocation_ids=ids[:1], actor=p.coordinator)
    assert (result.done, result.skipped) == (1, 0)
    again = deployments.allocate(
        campaign=campaign, selection=Selection(school_ids=(p.soissons.pk,)), actor=p.coordinator
    )
    assert plan.created == 3 and again.created == 1 and len(again.skipped) == 2
    assert_tallies_match()


def test_m4_allocates_elementary_classes_only_and_stage_filters_narrow(p):
    campaign = campaign_on(p.tree.aisne, code="socle-classe")
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    stages = set(Allocation.objects.values_list("school_class__stage", flat=True))
    assert plan.created == 4 and stages == {Stage.ELEMENTARY}
    m5 = campaign_on(p.tree.aisne)
    plan = deployments.allocate(
        campaign=m5,
        selection=Selection(node=p.tree.soissons, stages=(Stage.PRE_ELEMENTARY,)),
        actor=p.coordinator,
    )
    assert plan.created == 1


def test_only_the_current_school_years_classes_are_allocated(p):
    last_year = SchoolYearFactory(label="2019-2020")
    SchoolClassFactory(school=p.soissons, year=last_year, name="CM1", stage=Stage.ELEMENTARY)
    plan = deployments.plan_allocations(
        campaign=campaign_on(p.tree.aisne),
        selection=Selection(node=p.tree.soissons),
        actor=p.coordinator,
    )
    assert len(plan.to_create) == 3


def test_a_school_kit_gives_one_allocation_per_school(p):
    campaign = campaign_on(p.tree.aisne, code="socle-ecole")
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.aisne), actor=p.coordinator
    )
    assert plan.created == 3
    assert set(Allocation.objects.values_list("school_class", flat=True)) == {None}
    again = deployments.allocate(
        campaign=campaign, selection=Selection(school_ids=(p.soissons.pk,)), actor=p.coordinator
    )
    assert again.created == 0 and [s.school_id for s in again.skipped] == [p.soissons.pk]
    assert_tallies_match()


def test_a_coordinator_of_aisne_cannot_allocate_in_val_doise(p):
    campaign = campaign_on(p.tree.aisne)
    with pytest.raises(PermissionDenied):
        deployments.allocate(
            campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.vdo_coordinator
        )
    vdo = campaign_on(p.tree.vdo)
    with pytest.raises(ValidationError, match="pas dans le territoire de la campagne"):
        deployments.allocate(
            campaign=vdo, selection=Selection(node=p.tree.laon), actor=p.vdo_coordinator
        )
    # Choosing a school of Val-d'Oise in a campaign of Aisne allocates nothing there.
    plan = deployments.allocate(
        campaign=campaign, selection=Selection(school_ids=(p.cergy.pk,)), actor=p.coordinator
    )
    assert plan.created == 0 and plan.outside == 1 and not Allocation.objects.exists()


def test_a_person_with_two_roles_allocates_with_the_coordinator_grant_only(p):
    person = user_with_role(Role.SCHOOL_HEAD, p.cergy)
    from tests.factories import grant

    grant(person, Role.COORDINATOR, p.tree.aisne)
    with pytest.raises(PermissionDenied):
        deployments.create_campaign(
            name="x",
            measure=measure("M5"),
            kit=kit("kit-hybride"),
            node=p.tree.cergy,
            actor=person,
        )
    plan = deployments.allocate(
        campaign=campaign_on(p.tree.country),
        selection=Selection(school_ids=(p.cergy.pk, p.soissons.pk)),
        actor=person,
    )
    assert {a.school_id for a in Allocation.objects.all()} == {p.soissons.pk}
    assert plan.created == 3


def test_a_teacher_kit_is_not_allocated_in_bulk(p):
    with pytest.raises(ValidationError, match="enseignant"):
        deployments.plan_allocations(
            campaign=campaign_on(p.tree.aisne, code="nouvel-enseignant"),
            selection=Selection(node=p.tree.laon),
            actor=p.coordinator,
        )


# --- CSV --------------------------------------------------------------------------------------


def write(tmp_path, text, name="classes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_allocates_the_classes_of_a_csv_file(p, tmp_path):
    a, b = p.laon
    path = write(tmp_path, f"\ufeffuai,classe\n{a.uai},CE1\n{b.uai.lower()},ce2\n")
    campaign = campaign_on(p.tree.aisne)
    selection = deployments.read_allocation_csv(path, campaign=campaign, actor=p.coordinator)
    plan = deployments.allocate(campaign=campaign, selection=selection, actor=p.coordinator)
    assert plan.created == 2
    names = set(Allocation.objects.values_list("school__uai", "school_class__name"))
    assert names == {(a.uai, "CE1"), (b.uai, "CE2")}


def test_a_csv_with_errors_says_each_by_line_and_column_and_writes_nothing(p, tmp_path):
    a = p.laon[0]
    path = write(
        tmp_path,
        "uai;classe\n"
        f"{a.uai};CE1\n"
        "0020000X;CE1\n"
        f"{p.cergy.uai};CE1\n"
        f"{a.uai};CM2\n"
        f"{a.uai};CE1\n"
        f"{a.uai};\n",
    )
    campaign = campaign_on(p.tree.aisne, code="socle-classe")
    with pytest.raises(ImportFileError) as caught:
        deployments.read_allocation_csv(path, campaign=campaign, actor=p.coordinator)
    where = [(e.line, e.column) for e in caught.value.errors]
    assert where == [(7, "classe"), (3, "uai"), (4, "uai"), (5, "classe"), (6, "classe")]
    text = caught.value.message
    assert "aucune école" in text and "déjà nommée ligne 2" in text
    assert not Allocation.objects.exists()


def test_a_csv_naming_a_pre_elementary_class_is_refused_for_m4(p, tmp_path):
    a = p.laon[0]
    path = write(tmp_path, f"uai;classe\n{a.uai};GS1\n")
    with pytest.raises(ImportFileError, match="élémentaire"):
        deployments.read_allocation_csv(
            path, campaign=campaign_on(p.tree.aisne, code="socle-classe"), actor=p.coordinator
        )


def test_a_csv_without_the_header_is_refused(p, tmp_path):
    path = write(tmp_path, "ecole;nom\nx;y\n")
    with pytest.raises(ImportFileError) as caught:
        deployments.read_allocation_csv(
            path, campaign=campaign_on(p.tree.aisne), actor=p.coordinator
        )
    assert {(e.line, e.column) for e in caught.value.errors} == {(1, "uai"), (1, "classe")}


# --- Steps ----------------------------------------------------------------------------------


def allocated(p, campaign=None):
    campaign = campaign or campaign_on(p.tree.aisne)
    deployments.allocate(
        campaign=campaign, selection=Selection(node=p.tree.laon), actor=p.coordinator
    )
    return list(Allocation.objects.order_by("pk").values_list("pk", flat=True))


def test_the_technician_marks_delivered_then_installed(p):
    ids = allocated(p)
    day = datetime.date(2026, 11, 2)
    result = deployments.mark_delivered(allocation_ids=ids[:4], on=day, actor=p.technician)
    assert (result.done, result.skipped) == (4, 0)
    result = deployments.mark_installed(allocation_ids=ids[:5], on=day, actor=p.technician)
    assert (result.done, result.skipped) == (4, 1)
    rows = Allocation.objects.order_by("pk")
    assert [a.status for a in rows[:5]] == [AllocationStatus.INSTALLED] * 4 + [
        AllocationStatus.PLANNED
    ]
    assert rows[0].installed_on == day and rows[0].delivered_on == day
    assert_tallies_match()


def test_a_step_dated_in_the_future_or_before_the_previous_one_is_refused(p):
    ids = allocated(p)
    with pytest.raises(ValidationError, match="futur"):
        deployments.mark_delivered(
            allocation_ids=ids, on=datetime.date(2999, 1, 1), actor=p.technician
        )
    deployments.mark_delivered(
        allocation_ids=ids, on=datetime.date(2026, 11, 2), actor=p.technician
    )
    with pytest.raises(ValidationError, match="antérieure"):
        deployments.mark_installed(
            allocation_ids=ids, on=datetime.date(2026, 10, 1), actor=p.technician
        )


def test_steps_outside_the_scope_are_refused_whole(p):
    ids = allocated(p)
    with pytest.raises(PermissionDenied):
        deployments.mark_delivered(
            allocation_ids=ids, on=datetime.date(2026, 11, 2), actor=p.vdo_coordinator
        )
    with pytest.raises(PermissionDenied):
        deployments.cancel(allocation_ids=ids, actor=p.technician)  # Not allocate.
    assert set(Allocation.objects.values_list("status", flat=True)) == {AllocationStatus.PLANNED}


def test_cancel_leaves_delivered_allocations_and_counts_them(p):
    ids = allocated(p)
    deployments.mark_delivered(
        allocation_ids=ids[:2], on=datetime.date(2026, 11, 2), actor=p.technician
    )
    result = deployments.cancel(allocation_ids=ids, actor=p.coordinator)
    assert (result.done, result.skipped) == (4, 2)
    assert_tallies_match()


# --- The CSV reader never fails otherwise than by saying where ----------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELLS = st.one_of(
    st.sampled_from(["", "CE1", "ce2", "GS1", "0020000X", "CM2", '"', "\x00", "é"]),
    st.text(max_size=12),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(CELLS, CELLS), max_size=6), sep=st.sampled_from([";", ","]))
def test_any_file_is_read_or_refused_by_line_and_column(p, tmp_path_factory, rows, sep):
    a = p.laon[0]
    lines = [f"uai{sep}classe"] + [
        sep.join(a.uai if cell == "0020000X" and i % 2 else cell for cell in row)
        for i, row in enumerate(rows)
    ]
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    campaign = campaign_on(p.tree.aisne)
    try:
        selection = deployments.read_allocation_csv(path, campaign=campaign, actor=p.coordinator)
    except ImportFileError as exc:
        assert exc.errors and all(e.line is None or e.line >= 1 for e in exc.errors)
    else:
        assert selection.class_ids
        assert set(selection.class_ids) <= {c.pk for c in p.classes[a.pk]}
    assert not Allocation.objects.exists()
