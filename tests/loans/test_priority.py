"""The priority formula (``tne.loans.priority``): a plain sum of points, each line with its
reason, in a fixed order, lines worth nothing left out; the weights of a row, and as JSON for a
run's snapshot."""

from decimal import Decimal

import pytest

from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import PriorityWeights
from tne.loans.priority import Line, Weights, as_text, breakdown, score
from tne.territory.enums import EducationNetwork

DEFAULTS = Weights()


def lines(weights=DEFAULTS, **values):
    base = {
        "devices_at_home": HomeDevices.OWN,
        "shared_with": None,
        "internet_at_home": HomeInternet.FIXED,
        "education_network": EducationNetwork.NONE,
        "ips": Decimal("110"),
    }
    return breakdown(weights, **{**base, **values})


def test_a_family_with_everything_in_a_favoured_school_has_no_priority():
    assert lines() == []
    assert score(lines()) == 0
    assert as_text(lines()) == "Aucun critère de priorité"


def test_each_criterion_gives_its_points_in_a_fixed_order():
    found = lines(
        devices_at_home=HomeDevices.SHARED,
        shared_with=2,
        internet_at_home=HomeInternet.MOBILE,
        education_network=EducationNetwork.REP,
        ips=Decimal("89.9"),
    )

    assert found == [
        Line("Équipement partagé", 20),
        Line("Partagé avec 2 enfants", 10),
        Line("Internet mobile seulement", 15),
        Line("École en REP", 10),
        Line("IPS de l'école sous 90", 10),
    ]
    assert score(found) == 65
    assert as_text(found).startswith("Équipement partagé\u00a0: +20 · Partagé avec 2 enfants")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"devices_at_home": HomeDevices.NONE}, [("Aucun équipement à la maison", 40)]),
        ({"internet_at_home": HomeInternet.NONE}, [("Pas d'accès à internet", 30)]),
        ({"education_network": EducationNetwork.REP_PLUS}, [("École en REP+", 20)]),
        ({"ips": Decimal("90")}, []),  # at the threshold: not under it
        ({"ips": None}, []),  # a school without IPS
        (
            {"devices_at_home": HomeDevices.SHARED, "shared_with": 1},
            [("Équipement partagé", 20), ("Partagé avec 1 enfant", 5)],
        ),
    ],
)
def test_one_criterion_at_a_time(values, expected):
    assert [(line.label, line.points) for line in lines(**values)] == expected


def test_a_weight_of_zero_drops_its_line_and_a_threshold_reads_in_french():
    weights = Weights(rep_plus=0, ips_threshold=Decimal("92.5"))

    found = lines(weights, education_network=EducationNetwork.REP_PLUS, ips=Decimal("91"))

    assert found == [Line("IPS de l'école sous 92,5", 10)]


@pytest.mark.django_db
def test_the_weights_of_a_row_and_their_json_snapshot(tree):
    row = PriorityWeights.objects.create(node=tree.aisne, no_device=55, ips_threshold="88.5")
    row.refresh_from_db()

    weights = Weights.of(row)

    assert weights.no_device == 55 and weights.ips_threshold == Decimal("88.5")
    assert Weights.of(None) == Weights()
    assert Weights.from_json(weights.as_json()) == weights
    assert weights.as_json()["ips_threshold"] == "88.5"
