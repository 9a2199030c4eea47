"""The gap rules of the socle on hand-made cases: each criterion, the optional document camera,
a class not audited, an unpriced category; the school's pack and its head's kit; the bulk
figures, in a fixed number of queries whatever the number of classes."""

from decimal import Decimal

import pytest

from tests.equipment.audit_factories import FULL_CLASS, audit, school_with_classes, without
from tests.equipment.factories import PRICES, category, price_kits
from tests.factories import SchoolClassFactory, SchoolFactory
from tne.equipment.socle import (
    CLASS_CRITERIA,
    ClassStatus,
    class_gap,
    class_gaps,
    load_prices,
    school_figures,
    school_side_gap,
    socle_classes,
    socle_schools,
)
from tne.territory.enums import SchoolKind, Stage

CLASS_COST = sum(
    PRICES[c]
    for c in ("projector", "laptop", "wifi-access-point", "webcam", "microphone", "speakers")
)


@pytest.fixture
def prices(db):
    price_kits()
    return load_prices()


def gap(answers, prices):
    return class_gap(class_id=1, name="CP", school_id=1, answers=answers, prices=prices)


def test_it_says_a_class_with_every_criterion_is_complete(prices):
    result = gap(FULL_CLASS, prices)
    assert result.status == ClassStatus.COMPLETE
    assert result.items == () and result.cost == Decimal("0")


@pytest.mark.parametrize(
    ("field", "items"),
    [
        ("has_display", ("projector",)),
        ("has_laptop", ("laptop",)),
        ("has_internet", ("wifi-access-point",)),
        ("has_camera", ("webcam",)),
        ("has_audio", ("microphone", "speakers")),
    ],
)
def test_it_closes_each_missing_criterion_with_its_items_at_their_reference_price(
    prices, field, items
):
    result = gap(without(field), prices)
    assert result.status == ClassStatus.GAP
    assert [c.field for c in result.missing] == [field]
    assert result.items == items
    assert result.cost == sum(PRICES[code] for code in items)


def test_the_document_camera_is_optional_and_never_a_gap(prices):
    result = gap({**FULL_CLASS, "has_document_camera": False}, prices)
    assert result.status == ClassStatus.COMPLETE


def test_a_class_with_nothing_needs_the_whole_socle_class(prices):
    result = gap({}, prices)
    assert len(result.missing) == len(CLASS_CRITERIA)
    assert result.cost == CLASS_COST


def test_a_class_not_audited_is_neither_complete_nor_below(prices):
    result = gap(None, prices)
    assert result.status == ClassStatus.NOT_AUDITED
    assert result.status_label == "Non audité"
    assert not result.is_below and result.cost is None


def test_an_unpriced_category_makes_the_cost_unknown_not_zero(prices):
    webcam = category("webcam")
    webcam.reference_model = None
    webcam.save()
    unpriced = load_prices()
    result = gap(without("has_camera", "has_laptop"), unpriced)
    assert result.cost is None
    assert result.unpriced == ("webcam",)
    assert gap(without("has_laptop"), unpriced).cost == PRICES["laptop"]


def test_the_school_pack_and_the_head_kit(prices):
    side = school_side_gap({"has_shared_pack": False, "head_has_laptop": True}, prices)
    assert side.needs_pack
    assert side.pack_cost == 15 * PRICES["tablet"] + PRICES["charging-cart"]
    assert [c.field for c in side.head_missing] == ["head_has_internet", "head_has_printer"]
    assert side.head_items == ("router-4g", "printer-scanner")
    assert side.head_cost == PRICES["router-4g"] + PRICES["printer-scanner"]
    assert school_side_gap(
        {
            "has_shared_pack": True,
            "head_has_laptop": True,
            "head_has_internet": True,
            "head_has_printer": True,
        },
        prices,
    ).is_complete
    assert not school_side_gap(None, prices).audited


def test_only_elementary_classes_of_elementary_and_primary_schools_count(tree, prices):
    elementary, classes = school_with_classes(tree.laon, 2)
    primary = SchoolFactory(commune=tree.laon, kind=SchoolKind.PRIMAIRE)
    gs_cp = SchoolClassFactory(school=primary, name="GS-CP", levels=["GS", "CP"])
    SchoolClassFactory(school=primary, name="MS", levels=["MS"], stage=Stage.PRE_ELEMENTARY)
    maternelle = SchoolFactory(commune=tree.laon, kind=SchoolKind.MATERNELLE)
    SchoolClassFactory(school=maternelle, levels=["PS"], stage=Stage.PRE_ELEMENTARY)
    college = SchoolFactory(commune=tree.laon, kind=SchoolKind.COLLEGE)
    SchoolClassFactory(school=college, levels=["6E"], stage=Stage.COLLEGE)

    assert set(socle_schools()) == {elementary, primary}
    assert set(socle_classes()) == {*classes, gs_cp}


def test_a_class_of_last_year_does_not_count(tree, prices):
    from tests.factories import SchoolYearFactory

    school, classes = school_with_classes(tree.laon, 1)
    SchoolClassFactory(school=school, year=SchoolYearFactory(label="2019-2020"), name="Ancienne")
    assert list(socle_classes()) == classes


def test_the_bulk_gaps_and_the_school_figures_agree_with_the_rules(tree, prices):
    school, (cp, ce1, ce2, cm1) = school_with_classes(tree.laon, 4)
    audit(
        school,
        {cp: FULL_CLASS, ce1: without("has_audio"), ce2: {}},
        has_shared_pack=True,
        head_has_laptop=True,
    )
    gaps = {g.class_id: g for g in class_gaps(socle_classes())}
    assert gaps[cp.pk].status == ClassStatus.COMPLETE
    assert gaps[ce1.pk].cost == PRICES["microphone"] + PRICES["speakers"]
    assert gaps[ce2.pk].cost == CLASS_COST
    assert gaps[cm1.pk].status == ClassStatus.NOT_AUDITED

    fig = school_figures(socle_schools())[school.pk]
    assert (fig.classes, fig.audited, fig.below, fig.not_audited, fig.complete) == (4, 3, 2, 1, 1)
    assert fig.items == 2 + 6
    assert fig.cost == PRICES["microphone"] + PRICES["speakers"] + CLASS_COST
    assert not fig.side.needs_pack
    assert fig.side_cost == PRICES["router-4g"] + PRICES["printer-scanner"]


def test_a_school_without_audit_has_all_its_classes_not_audited(tree, prices):
    school, _ = school_with_classes(tree.laon, 3)
    fig = school_figures(socle_schools())[school.pk]
    assert (fig.classes, fig.audited, fig.below, fig.cost) == (3, 0, 0, Decimal("0"))
    assert fig.side is None and fig.side_cost is None


def _bulk_queries(django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        prices = load_prices()
        class_gaps(socle_classes(), prices)
        school_figures(socle_schools(), prices)


@pytest.mark.parametrize("schools", [2, 12])
def test_the_bulk_functions_make_a_fixed_number_of_queries(
    tree, prices, django_assert_num_queries, schools
):
    for i in range(schools):
        school, classes = school_with_classes(tree.laon if i % 2 else tree.cergy, 1 + i % 5)
        audit(school, {c: without("has_laptop") for c in classes[::2]}, has_shared_pack=True)
    # prices: categories, the pack kit, its items (3); class gaps: 2; figures: 3.
    _bulk_queries(django_assert_num_queries, 8)
