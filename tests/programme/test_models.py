"""The programme's model: the eight measures are there, targets are positive and unique, an
envelope split among the nodes below never exceeds its whole, amounts are exact decimals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.programme.factories import EnvelopeFactory, TargetFactory, measure
from tne.programme.models import Envelope, Measure, Period


def test_every_installation_has_the_eight_measures(db):
    codes = list(Measure.objects.values_list("code", flat=True))

    assert codes == [f"M{i}" for i in range(1, 9)]
    assert measure("M4").title == "Socle numérique des écoles"
    assert "2\u00a0700 classes" in measure("M4").description
    assert "15\u00a0000 élèves" in measure("M6").description


def test_a_target_is_a_positive_count(tree, period):
    target = TargetFactory.build(node=tree.aisne, period=period, count=0)

    with pytest.raises(ValidationError) as error:
        target.full_clean()

    assert "count" in error.value.message_dict


def test_a_target_is_unique_per_measure_node_and_period(tree, period):
    TargetFactory(node=tree.aisne, period=period)
    twin = TargetFactory.build(node=tree.aisne, period=period, measure=measure("M4"))

    with pytest.raises(ValidationError) as error:
        twin.full_clean()

    assert "existe déjà" in str(error.value)


def test_a_negative_or_zero_amount_is_refused(tree):
    for amount in (Decimal("-1"), Decimal("0")):
        with pytest.raises(ValidationError) as error:
            EnvelopeFactory.build(node=tree.aisne, amount=amount).full_clean()
        assert "amount" in error.value.message_dict


def test_amounts_are_exact_decimals(tree):
    envelope = EnvelopeFactory(node=tree.aisne, amount=Decimal("0.10") + Decimal("0.20"))

    envelope.refresh_from_db()

    assert envelope.amount == Decimal("0.30")
    assert isinstance(envelope.amount, Decimal)


def test_more_than_cents_is_refused(tree):
    with pytest.raises(ValidationError):
        EnvelopeFactory.build(node=tree.aisne, amount=Decimal("1.005")).full_clean()


@pytest.fixture
def national(tree):
    return EnvelopeFactory(node=tree.country, amount=Decimal("9000000"))


def test_parts_of_an_envelope_may_fill_it_exactly(tree, national):
    EnvelopeFactory(node=tree.aisne, parent=national, amount=Decimal("2000000"))
    part = EnvelopeFactory.build(node=tree.vdo, parent=national, amount=Decimal("7000000"))

    part.full_clean()


def test_parts_of_an_envelope_cannot_exceed_it(tree, national):
    EnvelopeFactory(node=tree.aisne, parent=national, amount=Decimal("2000000"))
    part = EnvelopeFactory.build(node=tree.vdo, parent=national, amount=Decimal("7000000.01"))

    with pytest.raises(ValidationError) as error:
        part.full_clean()

    assert error.value.message_dict["amount"] == [
        "Le total des sous-enveloppes (9\u202f000\u202f000,01\u00a0€) dépasserait l'enveloppe de "
        "France (9\u202f000\u202f000\u00a0€) : il reste 7\u202f000\u202f000\u00a0€ à répartir."
    ]


def test_changing_a_part_counts_the_other_parts_only(tree, national):
    part = EnvelopeFactory(node=tree.aisne, parent=national, amount=Decimal("9000000"))

    part.amount = Decimal("8000000")
    part.full_clean()


def test_a_part_is_of_the_same_measure(tree, national):
    part = EnvelopeFactory.build(node=tree.aisne, parent=national, measure=measure("M6"))

    with pytest.raises(ValidationError) as error:
        part.full_clean()

    assert "même mesure" in str(error.value)


def test_a_part_is_held_below_the_node_of_the_whole(tree):
    aisne = EnvelopeFactory(node=tree.aisne)
    for node in (tree.vdo, tree.aisne, tree.country):
        with pytest.raises(ValidationError) as error:
            EnvelopeFactory.build(node=node, parent=aisne, amount=Decimal("1")).full_clean()
        assert "situé sous celui" in str(error.value)


def test_a_part_has_the_period_of_the_whole(tree, period):
    whole = EnvelopeFactory(node=tree.country, period=period)
    other = Period.objects.create(label="Généralisation", kind="PHASE", starts_on="2022-09-01")

    with pytest.raises(ValidationError) as error:
        EnvelopeFactory.build(node=tree.aisne, parent=whole, period=other).full_clean()

    assert "period" in error.value.message_dict


def test_an_envelope_cannot_go_below_its_parts(tree, national):
    EnvelopeFactory(node=tree.aisne, parent=national, amount=Decimal("5000000"))

    national.amount = Decimal("4999999.99")
    with pytest.raises(ValidationError) as error:
        national.full_clean()

    assert "répartie à hauteur de 5\u202f000\u202f000\u00a0€" in " ".join(error.value.messages)


def test_the_current_period_is_the_latest_ongoing_one(db):
    Period.objects.create(label="Phase pilote", kind="PHASE", starts_on="2020-09-01")
    later = Period.objects.create(
        label="Généralisation", kind="PHASE", starts_on="2022-09-01", ends_on="2030-08-31"
    )
    Period.objects.create(label="Plus tard", kind="PHASE", starts_on="2090-09-01")

    assert Period.objects.current() == later


def test_without_an_ongoing_period_the_latest_started_one_is_current(db):
    Period.objects.create(
        label="Phase pilote 2020-2022", kind="PHASE", starts_on="2020-09-01", ends_on="2022-08-31"
    )
    last = Period.objects.create(
        label="2022-2023", kind="SCHOOL_YEAR", starts_on="2022-09-01", ends_on="2023-07-07"
    )

    assert Period.objects.current() == last
    assert Envelope.objects.count() == 0
