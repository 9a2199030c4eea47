"""The demo loads the pilot's announced figures, and splits what was not announced between Aisne
and Val-d'Oise in proportion to their classes, the parts adding up exactly; a second run creates
nothing."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.factories import SchoolClassFactory, SchoolFactory, StaffFactory
from tne.core.models import AuditEvent
from tne.demo.programme import HYPOTHESIS, load_programme_figures, split
from tne.programme.models import Envelope, Target
from tne.territory.enums import Stage
from tne.territory.services import refresh_school_figures


@pytest.fixture
def pilot(tree):
    """Aisne: 3 classes (2 elementary), 1 teacher; Val-d'Oise: 7 classes (4 elementary), 3."""
    for commune, elementary, other, teachers in ((tree.laon, 2, 1, 1), (tree.cergy, 4, 3, 3)):
        school = SchoolFactory(commune=commune)
        for _ in range(elementary):
            SchoolClassFactory(school=school)
        for _ in range(other):
            SchoolClassFactory(school=school, stage=Stage.PRE_ELEMENTARY, levels=["GS"])
        for _ in range(teachers):
            StaffFactory(school=school)
    refresh_school_figures()
    return tree


def _target(code, node):
    return Target.objects.get(measure__code=code, node=node)


def _envelope(code, node):
    return Envelope.objects.get(measure__code=code, node=node)


def test_the_announced_figures_are_loaded(pilot):
    load_programme_figures()

    country = pilot.country
    assert (_target("M4", country).count, _target("M4", country).unit) == (2_700, "CLASSES")
    assert _target("M5", country).count == 15_000
    assert (_target("M6", country).count, _target("M6", country).unit) == (15_000, "PUPILS")
    assert (_target("M7", country).count, _target("M7", country).unit) == (1_000, "TEACHERS")
    assert _envelope("M4", country).amount == Decimal("9000000")
    assert _envelope("M6", country).amount == Decimal("6000000")
    assert _envelope("M7", country).amount == Decimal("2000000")
    national = Envelope.objects.filter(node=country).aggregate(total=Sum("amount"))["total"]
    assert national == Decimal("27300000")
    assert not Target.objects.filter(measure__code__in=["M2", "M8"]).exists()


def test_the_kits_are_split_as_announced(pilot):
    load_programme_figures()

    assert _target("M7", pilot.aisne).count == 225
    assert _target("M7", pilot.vdo).count == 775
    assert _envelope("M7", pilot.aisne).amount == Decimal("450000")
    assert _envelope("M7", pilot.vdo).amount == Decimal("1550000")
    assert HYPOTHESIS not in _target("M7", pilot.aisne).note


def test_the_other_splits_follow_the_classes_and_say_they_are_hypotheses(pilot):
    load_programme_figures()

    # Elementary classes 2 / 4: M4 2 700 classes → 900 / 1 800, 9 M€ → 3 M€ / 6 M€.
    assert (_target("M4", pilot.aisne).count, _target("M4", pilot.vdo).count) == (900, 1_800)
    assert _envelope("M4", pilot.aisne).amount == Decimal("3000000")
    # All classes 3 / 7: M5 15 000 → 4 500 / 10 500.
    assert (_target("M5", pilot.aisne).count, _target("M5", pilot.vdo).count) == (4_500, 10_500)
    assert _target("M1", pilot.country).count == 4
    assert (_target("M1", pilot.aisne).count, _target("M1", pilot.vdo).count) == (1, 3)
    for part in Target.objects.exclude(node=pilot.country).exclude(measure__code="M7"):
        assert HYPOTHESIS in part.note
    assert HYPOTHESIS in _envelope("M2", pilot.country).note


def test_the_parts_add_up_to_the_whole_exactly(pilot):
    load_programme_figures()

    for whole in Envelope.objects.filter(node=pilot.country):
        parts = whole.children.aggregate(total=Sum("amount"))["total"]
        assert parts == whole.amount, whole
        assert set(whole.children.values_list("node__code", flat=True)) == {"02", "95"}
    for whole in Target.objects.filter(node=pilot.country):
        parts = Target.objects.filter(measure=whole.measure, node__in=[pilot.aisne, pilot.vdo])
        assert parts.aggregate(total=Sum("count"))["total"] == whole.count


def test_a_second_run_creates_nothing(pilot):
    first = load_programme_figures()
    counts = (Target.objects.count(), Envelope.objects.count(), AuditEvent.objects.count())

    second = load_programme_figures()

    assert first.targets == Target.objects.count() > 0
    assert (second.targets, second.envelopes) == (0, 0)
    assert (Target.objects.count(), Envelope.objects.count(), AuditEvent.objects.count()) == counts


def test_a_figure_changed_by_someone_is_kept(pilot):
    load_programme_figures()
    Target.objects.filter(measure__code="M4", node=pilot.aisne).update(count=1_000)

    load_programme_figures()

    assert _target("M4", pilot.aisne).count == 1_000


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (2_700, {"02": 1, "95": 2}, {"02": 900, "95": 1_800}),
        (10, {"02": 1, "95": 2}, {"02": 3, "95": 7}),
        (9_000_000, {"02": 1_234, "95": 4_567}, {"02": 1_914_498, "95": 7_085_502}),
        (5, {"02": 0, "95": 0}, {"02": 3, "95": 2}),
        (7, {"02": 1, "95": 1}, {"02": 4, "95": 3}),
    ],
)
def test_split_gives_whole_parts_that_add_up(total, weights, parts):
    assert split(total, weights) == parts
    assert sum(split(total, weights).values()) == total
