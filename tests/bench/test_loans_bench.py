"""The bench's loans pages (bench/loans.py, ``--loans-pages``) on a small territory: the pairs of
an accepted loan and a tablet in stock at its school, the hand-out's confirming POST measured
each run on another loan (prepared outside the timing, signed by the POST), the pages in rounds,
the dashboards said missing while their view is not there."""

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse

from bench import loans
from tests.equipment.factories import category
from tests.factories import SchoolFactory
from tests.loans.factories import PupilFactory, lendable_asset
from tests.loans.lifecycle_factories import accepted_loan
from tne.loans.enums import LoanStatus
from tne.loans.models import AllocationRun, Loan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def connection_kept(monkeypatch):
    """``bench.timing`` closes each response again after the test client returned: its
    ``request_finished`` would close the connection of this test's transaction (PostgreSQL)."""
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)


@pytest.fixture
def bench_loans(tree):
    run = AllocationRun.objects.create(
        node=tree.aisne, category=category("tablet"), label=loans.NOTE
    )
    busy = SchoolFactory(commune=tree.laon, circonscription=tree.circ_laon)
    small = SchoolFactory(commune=tree.soissons)
    bare = SchoolFactory(commune=tree.soissons)
    made = {
        "busy": [accepted_loan(busy, run=run) for _ in range(4)],
        "small": [accepted_loan(small, run=run)],
        "bare": [accepted_loan(bare, run=run)],
        "outside": [accepted_loan(SchoolFactory(commune=tree.cergy), run=run)],
    }
    made["busy_tags"] = [lendable_asset(busy).asset_tag for _ in range(3)]
    made["small_tags"] = [lendable_asset(small).asset_tag]
    # A tablet a convention already reserved is not offered again.
    reserved = lendable_asset(small)
    accepted_loan(small, pupil=PupilFactory(school=small), asset=reserved)
    made["reserved"] = reserved.asset_tag
    lendable_asset(bare, code="laptop")
    return made


def test_the_pairs_are_a_tablet_in_stock_at_the_loans_school_busiest_first(tree, bench_loans):
    pairs = loans.hand_out_pairs(tree.aisne, 10)

    busy = [loan.pk for loan in bench_loans["busy"]]
    assert pairs[:3] == list(zip(busy[:3], bench_loans["busy_tags"], strict=True))
    assert pairs[3:] == [(bench_loans["small"][0].pk, bench_loans["small_tags"][0])]
    assert bench_loans["reserved"] not in {tag for _, tag in pairs}
    assert loans.hand_out_pairs(tree.aisne, 2) == pairs[:2]


def test_the_hand_out_post_is_timed_on_another_prepared_loan_each_run(tree, bench_loans):
    user = loans.counter_user(tree.aisne)

    measured = loans.measure_hand_out(user, tree.aisne, runs=2, warmup=1)

    assert measured.ok and len(measured.timings_ms) == 2 and len(measured.cpu_ms) == 2
    assert 0 < measured.queries < 30 and measured.slowest
    signed = Loan.objects.filter(status=LoanStatus.ACTIVE, agreement_signature__isnull=False)
    assert signed.count() == 4
    assert all(loan.agreement_signature.document_id == loan.agreement_id for loan in signed)
    assert loans.hand_out_pairs(tree.aisne, 10) == []  # consumed: a new run takes the next
    again = loans.measure_hand_out(user, tree.aisne, runs=2, warmup=1)
    assert not again.ok and "pas assez de prêts acceptés" in again.verdict


def test_the_pages_are_measured_and_the_missing_dashboards_said(tree, bench_loans, connection_kept):
    active = accepted_loan(bench_loans["busy"][0].school, run=bench_loans["busy"][0].run)
    Loan.objects.filter(pk=active.pk).update(
        status=LoanStatus.ACTIVE, asset_id=lendable_asset(active.school).pk
    )

    measures, skipped = loans.measure_pages(tree.aisne, runs=1, warmup=0)

    pages = {m.scenario.page: m for m in measures}
    assert pages["Remise : POST de confirmation"].ok
    for page in (
        "Guichet des prêts (écoles)",
        "Retour : matériel scanné",
        "Page d'un prêt en cours",
    ):
        assert pages[page].ok, pages[page].verdict
    try:
        reverse("loans:dashboard", args=[tree.aisne.pk])
    except NoReverseMatch:
        assert len(skipped) == 2 and "loans:dashboard" in skipped[0]
    section = loans.report_section(measures, skipped, title="Prêts (M6)", runs=1)
    assert "Remise : POST de confirmation" in section and "objectif : médiane sous 50" in section
