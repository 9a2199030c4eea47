"""The coordinator's rules through their services and selectors: which weights a school uses
(its nearest node's, in two queries for any number of schools), setting them within one's
authority, the quotas of schools one by one and from a file, all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests.factories import Role, SchoolFactory, node, user_with_role
from tne.core.models import AuditAction, AuditEvent
from tne.core.rowerrors import ImportFileError
from tne.core.scope import EVERYTHING, scope_of
from tne.loans.models import PriorityWeights, SchoolQuota
from tne.loans.perms import SET_RULES
from tne.loans.priority import Weights
from tne.loans.selectors.rules import (
    quotas_for_schools,
    weights_for_node,
    weights_for_school,
    weights_for_schools,
)
from tne.loans.services import rules as services
from tne.territory.enums import NodeKind
from tne.territory.models import School

from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return Needs(tree)


def weights(node, **points):
    return PriorityWeights.objects.create(node=node, **points)


def test_a_school_uses_its_nearest_nodes_weights(place):
    tree = place.tree
    assert weights_for_schools(School.objects.all())[place.school.pk] == Weights()
    weights(tree.country, no_device=1)
    weights(tree.aisne, no_device=2)
    assert weights_for_schools(School.objects.all())[place.school.pk].no_device == 2
    assert weights_for_schools(School.objects.all())[place.cergy_school.pk].no_device == 1
    weights(tree.circ_laon, no_device=3)
    assert weights_for_schools([place.school])[place.school.pk].no_device == 3
    weights(tree.laon, no_device=4)
    assert weights_for_schools([place.school.pk])[place.school.pk].no_device == 4
    applied = weights_for_school(place.school)
    assert (applied.weights.no_device, applied.node) == (4, tree.laon)
    assert weights_for_school(place.cergy_school).node == tree.country
    assert weights_for_node(tree.vdo).node == tree.country
    assert weights_for_node(tree.soissons).node == tree.aisne


def test_weights_for_any_number_of_schools_take_two_queries(place, django_assert_num_queries):
    tree = place.tree
    weights(tree.aisne, no_device=2)
    weights(tree.laon, no_device=4)
    for i in range(40):
        commune = node(NodeKind.COMMUNE, f"02{i:03d}", f"Commune {i}", tree.aisne)
        SchoolFactory(commune=commune)

    with django_assert_num_queries(2):
        found = weights_for_schools(School.objects.all())

    assert len(found) == School.objects.count() == 43
    assert found[place.school.pk].no_device == 4
    assert found[place.cergy_school.pk] == Weights()
    assert {w.no_device for pk, w in found.items() if pk not in (place.school.pk,)} >= {2, 40}


def test_without_any_weights_the_defaults_cost_the_same_two_queries(
    place, django_assert_num_queries
):
    with django_assert_num_queries(2):
        found = weights_for_schools(School.objects.all())
    assert set(found.values()) == {Weights()}


def values(**changes):
    base = Weights().as_json()
    base["ips_threshold"] = Decimal(base["ips_threshold"])
    return {**base, **changes}


def test_the_coordinator_sets_the_weights_of_their_territory_only(place):
    row = services.set_weights(
        node=place.tree.laon, values=values(rep_plus=35), actor=place.coordinator
    )
    assert (row.rep_plus, row.updated_by) == (35, place.coordinator)
    services.set_weights(node=place.tree.laon, values=values(rep_plus=36), actor=place.coordinator)
    row.refresh_from_db()
    assert row.rep_plus == 36
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.changes["rep_plus"] == [35, 36] and event.place_path == place.tree.laon.path

    for actor, node_ in (
        (place.coordinator, place.tree.country),
        (place.coordinator, place.tree.vdo),
        (place.vdo_coordinator, place.tree.laon),
        (place.head, place.tree.laon),
        (place.ien, place.tree.circ_laon),
    ):
        with pytest.raises(PermissionDenied):
            services.set_weights(node=node_, values=values(), actor=actor)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"no_device": -1}, "no_device"),
        ({"no_device": 1001}, "no_device"),
        ({"rep": "dix"}, "rep"),
        ({"rep": True}, "rep"),
        ({"ips_threshold": "abc"}, "ips_threshold"),
        ({"ips_threshold": Decimal("250")}, "ips_threshold"),
    ],
)
def test_weights_out_of_bounds_are_refused(place, changes, field):
    with pytest.raises(ValidationError) as error:
        services.set_weights(
            node=place.tree.aisne, values=values(**changes), actor=place.coordinator
        )
    assert field in error.value.message_dict
    assert not PriorityWeights.objects.exists()


def test_resetting_weights_gives_back_the_inherited_ones(place):
    services.set_weights(node=place.tree.aisne, values=values(no_device=9), actor=place.coordinator)
    assert services.reset_weights(node=place.tree.aisne, actor=place.coordinator)
    assert not services.reset_weights(node=place.tree.aisne, actor=place.coordinator)
    assert weights_for_school(place.school).weights == Weights()


def test_a_quota_is_set_changed_and_removed_within_the_territory(place):
    quota = services.set_quota(school=place.school, minimum=2, maximum=10, actor=place.coordinator)
    assert (quota.minimum, quota.maximum, quota.updated_by) == (2, 10, place.coordinator)
    services.set_quota(school=place.school, minimum=3, maximum=None, actor=place.coordinator)
    assert quotas_for_schools(School.objects.all()) == {place.school.pk: (3, None)}

    assert (
        services.set_quota(school=place.school, minimum=0, maximum=None, actor=place.coordinator)
        is None
    )
    assert not SchoolQuota.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1

    with pytest.raises(ValidationError) as error:
        services.set_quota(school=place.school, minimum=5, maximum=2, actor=place.coordinator)
    assert "sous le minimum" in error.value.message_dict["maximum"][0]
    for outsider in (place.vdo_coordinator, place.head):
        with pytest.raises(PermissionDenied):
            services.set_quota(school=place.school, minimum=1, maximum=2, actor=outsider)


def write(tmp_path, text):
    path = tmp_path / "quotas.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_quota_file_is_checked_whole_with_lines_and_columns(place, tmp_path):
    SchoolQuota.objects.create(school=place.other_school, minimum=1, maximum=4)
    path = write(
        tmp_path,
        "uai;minimum;maximum\n"
        f"{place.school.uai};2;10\n"
        f"{place.other_school.uai.lower()};0;\n"
        f"{place.cergy_school.uai};1;2\n"
        "0029999Z;1;2\n"
        f"{place.school.uai};1;2\n"
        ";1;2\n",
    )
    scope = scope_of(place.coordinator, SET_RULES)

    with pytest.raises(ImportFileError) as error:
        services.check_quotas_file(path, label="quotas.csv", scope=scope)

    found = {(e.line, e.column): e.message for e in error.value.errors}
    assert set(found) == {(4, "uai"), (5, "uai"), (6, "uai"), (7, "uai")}
    assert "aucune école de votre territoire n'a l'UAI" in found[4, "uai"]
    assert found[6, "uai"] == "même école qu'à la ligne 2."

    path = write(
        tmp_path,
        f"uai;minimum;maximum\n{place.school.uai};5;2\n{place.other_school.uai};-1;x\n",
    )
    with pytest.raises(ImportFileError) as error:
        services.check_quotas_file(path, label="quotas.csv", scope=scope)
    found = {(e.line, e.column): e.message for e in error.value.errors}
    assert set(found) == {(2, "maximum"), (3, "minimum"), (3, "maximum")}


def test_a_quota_file_writes_everything_or_nothing(place, tmp_path):
    SchoolQuota.objects.create(school=place.other_school, minimum=1, maximum=4)
    path = write(
        tmp_path,
        f"uai;minimum;maximum\n{place.school.uai};2;10\n{place.other_school.uai};0;\n",
    )

    check = services.import_quotas_file(path, label="quotas.csv", actor=place.coordinator)

    assert check.counts() == {"created": 1, "updated": 0, "removed": 1, "unchanged": 0}
    assert quotas_for_schools(School.objects.all()) == {place.school.pk: (2, 10)}
    with pytest.raises(PermissionDenied):
        services.import_quotas_file(path, label="quotas.csv", actor=place.head)


def test_tne_import_reads_a_quota_file(place, tmp_path, capsys):
    path = write(tmp_path, f"uai;minimum;maximum\n{place.cergy_school.uai};1;3\n")

    call_command("import", str(path))

    assert quotas_for_schools(School.objects.all()) == {place.cergy_school.pk: (1, 3)}
    assert "Quotas des écoles (prêts M6)" in capsys.readouterr().out


def test_a_check_limited_to_a_node_refuses_the_schools_outside_it(place, tmp_path):
    path = write(tmp_path, f"uai;minimum;maximum\n{place.cergy_school.uai};1;3\n")
    national = user_with_role(Role.NATIONAL, place.tree.country)

    with pytest.raises(ImportFileError) as error:
        services.check_quotas_file(
            path, label="quotas.csv", scope=scope_of(national, SET_RULES), node=place.tree.aisne
        )
    assert "(Aisne (02))" in error.value.errors[0].message
    assert services.check_quotas_file(path, label="q.csv", scope=EVERYTHING).lines
