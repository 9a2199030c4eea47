"""The figures of the loans dashboards, on the hand-made pilot of ``dashboard_factories``:
needs, served, waiting, active, overdue, lost, stock, cost with its sources, the M6 envelope
and target, the rows per commune, circonscription, département and school; per grant (Aisne vs
Val-d'Oise, a school head, an evaluator, a head who is a parent elsewhere); the programme's M6
counter."""

from decimal import Decimal

import pytest

from tests.factories import Role, grant, user_with_role
from tne.core.registry import measure_counters
from tne.loans.selectors.dashboards import (
    default_place,
    equipped_pupils,
    node_dashboard,
    school_dashboard,
)
from tne.programme.selectors import measure_progress

from .dashboard_factories import pilot


@pytest.fixture
def p(tree):
    return pilot(tree)


def _counts(figures):
    return {
        "needs": figures.needs,
        "served": figures.served,
        "waiting": figures.waiting,
        "equipped": figures.equipped,
        "active": figures.active,
        "overdue": figures.overdue,
        "lost": figures.lost,
        "stock": figures.stock,
    }


def test_a_departement_sums_its_schools_and_its_store(p):
    board = node_dashboard(p.coordinator, node=p.tree.aisne)
    assert _counts(board.total.figures) == {
        "needs": 9,
        "served": 6,
        "waiting": 3,
        "equipped": 5,
        "active": 3,
        "overdue": 1,
        "lost": 1,
        "stock": 3,  # two tablets at Laon A, the laptop of Aisne's store; not the webcam
    }
    assert board.total.figures.percent == 67
    assert board.total.target == 500 and board.total.target_percent == 1


def test_the_rows_of_a_departement_are_its_communes_or_circonscriptions(p):
    board = node_dashboard(p.coordinator, node=p.tree.aisne)
    rows = {row.label: _counts(row.figures) for row in board.rows}
    assert set(rows) == {"Laon", "Soissons"}
    assert rows["Laon"] == {
        "needs": 6,
        "served": 4,
        "waiting": 2,
        "equipped": 3,
        "active": 2,
        "overdue": 1,
        "lost": 1,
        "stock": 2,
    }
    assert rows["Soissons"]["served"] == 2 and rows["Soissons"]["waiting"] == 1
    by_circ = node_dashboard(p.coordinator, node=p.tree.aisne, child_kind="CIRCONSCRIPTION")
    assert [(r.label, r.figures.needs, r.figures.served) for r in by_circ.rows] == [("Laon", 4, 3)]
    assert by_circ.total.figures.needs == 9  # the schools without circonscription count too


def test_the_cost_counts_each_device_lent_once_and_says_its_price(p):
    cost = node_dashboard(p.coordinator, node=p.tree.aisne).cost
    # 300 (line) + 329 (reference: no order) + 250 (line) + 200 (line, lent twice: once)
    assert cost.total == Decimal("1079.00")
    assert (cost.devices, cost.from_order_lines, cost.from_reference, cost.unpriced) == (4, 3, 1, 0)


def test_the_envelope_and_its_split(p):
    board = node_dashboard(p.coordinator, node=p.tree.aisne)
    assert board.envelope.amount == Decimal("1000000.00")
    assert board.envelope.split == Decimal("100000.00")
    assert board.envelope.remaining(board.cost) == Decimal("998921.00")
    laon = next(r for r in board.rows if r.label == "Laon")
    assert laon.envelope == Decimal("100000.00") and laon.target is None


def test_national_rows_are_departements_and_the_target_is_15000(p):
    board = node_dashboard(p.national, node=p.tree.country)
    assert board.total.target == 15_000
    assert board.total.figures.needs == 11 and board.total.figures.equipped == 6
    rows = {r.label: r.figures.served for r in board.rows}
    assert rows == {str(p.tree.aisne): 6, str(p.tree.vdo): 1}


def test_a_coordinator_counts_their_departement_only(p):
    board = node_dashboard(p.vdo_coordinator, node=p.tree.country)
    assert board.total.figures.needs == 2 and board.total.figures.served == 1
    assert [r.label for r in board.rows] == [str(p.tree.vdo)]
    assert board.cost.total == Decimal("310.00")


def test_under_a_commune_the_rows_are_schools_for_who_reads_them(p):
    board = node_dashboard(p.coordinator, node=p.tree.laon)
    assert board.school_rows and not board.hidden_schools
    assert [(r.label.split(" (")[0], r.figures.needs) for r in board.rows] == [
        ("ECOLE LAON A", 4),
        ("ECOLE LAON B", 2),
    ]
    evaluator = user_with_role(Role.EVALUATOR, p.tree.aisne)
    board = node_dashboard(evaluator, node=p.tree.laon)
    assert board.rows == [] and board.hidden_schools
    assert board.total.figures.needs == 6


def test_a_school_head_reads_their_school(p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    assert default_place(head) == (None, p.laon_a)
    board = school_dashboard(head, school=p.laon_a)
    assert _counts(board.total.figures) == {
        "needs": 4,
        "served": 3,
        "waiting": 1,
        "equipped": 2,
        "active": 2,
        "overdue": 1,
        "lost": 0,
        "stock": 2,
    }
    assert board.cost.total == Decimal("629.00")
    # At their département, the figures of their school only.
    assert node_dashboard(head, node=p.tree.aisne).total.figures.needs == 4


def test_a_parent_role_elsewhere_adds_nothing(p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    grant(head, Role.PARENT, p.cergy)
    assert node_dashboard(head, node=p.tree.country).total.figures.needs == 4
    parent = user_with_role(Role.PARENT, p.laon_a)
    assert node_dashboard(parent, node=p.tree.aisne).total.figures.needs == 0


def test_the_default_place_of_each_role(p):
    assert default_place(p.national) == (p.tree.country, None)
    assert default_place(p.coordinator) == (p.tree.aisne, None)
    ien = user_with_role(Role.IEN_ERUN, p.tree.circ_laon)
    assert default_place(ien) == (p.tree.circ_laon, None)
    assert default_place(user_with_role(Role.TEACHER, p.laon_a)) == (None, None)


def test_the_m6_counter_counts_pupils_equipped(p):
    assert measure_counters()["M6"] is equipped_pupils
    assert equipped_pupils(p.national) == 6
    assert equipped_pupils(p.coordinator) == 5
    assert equipped_pupils(p.coordinator, p.tree.soissons) == 2
    assert equipped_pupils(user_with_role(Role.TRAINER, p.tree.aisne)) == 0
    m6 = next(row for row in measure_progress(p.national) if row.measure.code == "M6")
    assert m6.tracked and m6.achieved == 6 and m6.target == 15_000


def test_the_dashboard_makes_a_fixed_number_of_queries(p, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.loans.factories import LoanFactory, NeedDeclarationFactory, PupilFactory
    from tne.loans.enums import LoanStatus

    node_dashboard(p.coordinator, node=p.tree.aisne)  # the grants, once
    with CaptureQueriesContext(connection) as small:
        node_dashboard(p.coordinator, node=p.tree.aisne)
    for n in range(6):
        pupil = PupilFactory(school=p.soissons if n % 2 else p.laon_b, code=f"N{n}")
        NeedDeclarationFactory(pupil=pupil)
        LoanFactory(pupil=pupil, status=LoanStatus.OFFERED)
    with CaptureQueriesContext(connection) as big:
        board = node_dashboard(p.coordinator, node=p.tree.aisne)
    assert board.total.figures.needs == 15
    assert len(big) == len(small) <= 9


def test_the_cost_is_cached_until_a_device_is_handed_out(p, django_assert_num_queries):
    from tests.loans.factories import LoanFactory, lendable_asset
    from tne.loans.enums import LoanStatus
    from tne.loans.selectors.dashboards import cost_to_date

    cost_to_date(p.coordinator, node=p.tree.aisne)
    with django_assert_num_queries(1):  # what the devices lent are; the cost from the cache
        assert cost_to_date(p.coordinator, node=p.tree.aisne).total == Decimal("1079.00")
    LoanFactory(pupil=p.pupils["A4"], status=LoanStatus.ACTIVE, asset=lendable_asset(p.laon_a))
    cost = cost_to_date(p.coordinator, node=p.tree.aisne)
    assert cost.devices == 5 and cost.from_reference == 2
    assert cost.total == Decimal("1408.00")  # + the tablet's reference price
    # Another reader's reach is cached apart.
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    assert cost_to_date(head, node=p.tree.aisne).total == Decimal("958.00")
