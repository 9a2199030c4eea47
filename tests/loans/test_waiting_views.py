"""A school's waiting list, the offer of a device back in stock to the next pupil (the
coordinator confirms; a double submit makes one offer) and the « propositions à confirmer »,
per grant, with their query budgets."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tne.loans.enums import HomeDevices, HomeInternet, LoanStatus
from tne.loans.models import Loan
from tne.loans.services import offers

from .factories import LoanFactory
from .run_helpers import RunPlace, pupils, run_now, stock

pytestmark = pytest.mark.django_db

PROPOSALS = reverse("loans:proposals")
OFFER = reverse("loans:offer_next")


@pytest.fixture
def place(tree):
    return RunPlace(tree)


@pytest.fixture
def applied(place, tree):
    """School A: 2 pupils with nothing at home (90), 3 with a shared device (60); a run of 2
    tablets on Aisne, applied: the 3 others wait."""
    first = pupils(place.school_a, 2, internet=HomeInternet.NONE)
    waiting = pupils(place.school_a, 3, devices=HomeDevices.SHARED, shared_with=1)
    run = run_now(place.coordinator, tree.aisne, stock=2)
    offers.apply_run(actor=place.coordinator, run_id=run.pk)
    return {"run": run, "served": first, "waiting": waiting}


def waiting_url(school):
    return reverse("loans:waiting", args=[school.pk])


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def test_the_waiting_list_shows_the_unserved_by_rank(client, place, applied):
    client.force_login(place.head_a)
    html = html_of(client.get(waiting_url(place.school_a)))
    rows = [html.index(p.code) for p in applied["waiting"]]
    assert rows == sorted(rows)  # same priority: by pupil, as the run ranked them
    assert all(p.code not in html for p in applied["served"])
    assert "3\u00a0élèves en attente de «\u00a0Tablette\u00a0»" in html
    assert OFFER not in html  # the head does not confirm offers


def test_a_pupil_with_an_open_loan_leaves_the_waiting_list(client, place, applied):
    LoanFactory(pupil=applied["waiting"][0], status=LoanStatus.OFFERED)
    client.force_login(place.coordinator)
    html = html_of(client.get(waiting_url(place.school_a)))
    assert applied["waiting"][0].code not in html and applied["waiting"][1].code in html


@pytest.mark.parametrize("who", ["two_roles", "vdo_coordinator"])
def test_the_waiting_list_of_another_school_is_a_404(client, place, applied, who):
    client.force_login(getattr(place, who))
    assert client.get(waiting_url(place.school_a)).status_code == 404


def test_a_school_without_an_applied_run_has_no_waiting_list(client, place, applied):
    client.force_login(place.national)
    html = html_of(client.get(waiting_url(place.cergy)))
    assert "Pas de liste d'attente" in html
    client.force_login(place.coordinator)
    html = html_of(client.get(waiting_url(place.soissons)))  # covered by the run: nobody waits
    assert "Personne n'attend ce matériel à l'école." in html


def test_the_coordinator_offers_a_returned_device_to_the_next_pupil(client, place, applied):
    stock(place.school_a, 3)  # two for the run's offers, one back from a family
    client.force_login(place.coordinator)
    waiting = html_of(client.get(waiting_url(place.school_a)))
    link = f"{OFFER}?school={place.school_a.pk}&category=tablet"
    assert link in waiting
    page = html_of(client.get(OFFER, {"school": place.school_a.pk, "category": "tablet"}))
    nxt = applied["waiting"][0]
    assert f"Élève {nxt.code}" in page
    assert (
        "Priorité 60\u00a0: Équipement partagé\u00a0: +20 · Partagé avec 1 enfant\u00a0: +5 · "
        "Internet mobile seulement\u00a0: +15 · École en REP+\u00a0: +20"
    ) in page
    assert "2\u00a0autres élèves attendent après lui" in page
    decision = nxt.decisions.get()
    data = {"school": place.school_a.pk, "category": "tablet", "decision": decision.pk}

    response = client.post(OFFER, data)
    assert response.status_code == 302 and response.url == waiting_url(place.school_a)
    loan = Loan.objects.get(pupil=nxt)
    assert loan.status == LoanStatus.OFFERED and loan.offered_by == place.coordinator
    # A double submit makes no second offer, and offers no one else.
    response = client.post(OFFER, data, follow=True)
    assert "Une proposition est déjà faite à l'élève" in unescape(response.content.decode())
    assert Loan.objects.count() == 3
    # The free device is taken: the next pupil is shown, but not offered.
    page = html_of(client.get(OFFER, {"school": place.school_a.pk, "category": "tablet"}))
    assert "Aucun appareil disponible" in page and "Confirmer la proposition" not in page


def test_offering_needs_the_right_on_the_school(client, place, applied):
    stock(place.school_a, 3)
    decision = applied["waiting"][0].decisions.get()
    data = {"school": place.school_a.pk, "category": "tablet", "decision": decision.pk}
    client.force_login(place.head_a)
    assert client.get(OFFER, data).status_code == 403
    assert client.post(OFFER, data).status_code == 403
    client.force_login(place.vdo_coordinator)
    assert client.get(OFFER, data).status_code == 404
    assert client.post(OFFER, data).status_code == 404
    assert Loan.objects.count() == 2


def test_offer_next_without_a_school_goes_to_the_proposals_and_refuses_unknown_kinds(
    client, place, applied
):
    client.force_login(place.coordinator)
    response = client.get(OFFER)
    assert response.status_code == 302 and response.url == PROPOSALS
    assert (
        client.get(OFFER, {"school": place.school_a.pk, "category": "projector"}).status_code == 404
    )


def test_the_proposals_list_the_schools_with_a_free_device_and_pupils_waiting(
    client, place, applied
):
    client.force_login(place.coordinator)
    assert "Rien à confirmer" in html_of(client.get(PROPOSALS))
    stock(place.school_a, 3)
    html = html_of(client.get(PROPOSALS))
    assert f'id="proposal-{place.school_a.pk}-tablet"' in html
    assert f"{OFFER}?school={place.school_a.pk}&category=tablet" in html
    client.force_login(place.vdo_coordinator)
    assert f'id="proposal-{place.school_a.pk}-tablet"' not in html_of(client.get(PROPOSALS))
    client.force_login(place.head_a)
    assert client.get(PROPOSALS).status_code == 403


def _queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        html_of(client.get(address, params or {}))
    return len(queries)


def test_the_waiting_pages_hold_their_query_budgets(client, place, tree, applied):
    stock(place.school_a, 3)
    client.force_login(place.coordinator)
    pages = [
        (waiting_url(place.school_a), None),
        (PROPOSALS, None),
        (OFFER, {"school": place.school_a.pk, "category": "tablet"}),
    ]
    for address, params in pages:
        client.get(address, params or {})
    small = [_queries(client, a, p) for a, p in pages]

    # More pupils waiting at more schools, another kind of device, more devices back.
    pupils(place.school_a, 10)
    pupils(place.school_b, 8)
    pupils(place.soissons, 6)
    laptops = run_now(place.coordinator, tree.aisne, stock=3, category=_laptop())
    offers.apply_run(actor=place.coordinator, run_id=laptops.pk)
    more = run_now(place.coordinator, tree.laon, stock=4)
    offers.apply_run(actor=place.coordinator, run_id=more.pk)
    stock(place.school_b, 6)
    stock(place.soissons, 2, code="laptop")
    stock(place.school_a, 4, code="laptop")
    large = [_queries(client, a, p) for a, p in pages]

    assert large == small and max(large) <= 12, (small, large)


def _laptop():
    from tne.equipment.models import Category

    return Category.objects.get(code="laptop")


def test_the_runs_and_waiting_pages_have_french_typography(client, place, tree, applied):
    from tests.typography import typography_problems, visible_text_of_html
    from tne.loans.models import RunDecision, SchoolQuota

    SchoolQuota.objects.create(school=place.soissons, minimum=2)
    pupils(place.soissons, 3)
    failed = run_now(place.coordinator, tree.aisne, stock=1)
    stock(place.school_a, 3)
    run = applied["run"]
    unserved = RunDecision.objects.filter(run=run, served=False).first()
    served = RunDecision.objects.filter(run=run, served=True).first()
    client.force_login(place.coordinator)
    pages = [
        reverse("loans:runs"),
        reverse("loans:run_new"),
        reverse("loans:run", args=[run.pk]),
        reverse("loans:run", args=[failed.pk]),
        reverse("loans:run_decisions", args=[run.pk]),
        reverse("loans:decision", args=[unserved.pk]),
        reverse("loans:decision", args=[served.pk]),
        reverse("loans:run_what_if", args=[run.pk]) + "?stock=4",
        reverse("loans:run_what_if", args=[run.pk]) + "?stock=0",
        waiting_url(place.school_a),
        f"{OFFER}?school={place.school_a.pk}&category=tablet",
        PROPOSALS,
    ]
    problems = {}
    for address in pages:
        found = typography_problems(visible_text_of_html(html_of(client.get(address))))
        if found:
            problems[address] = found
    assert problems == {}
