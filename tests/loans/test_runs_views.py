"""The runs' pages, per grant: the list, starting a run (its job computes it), a run with its
figures and table per school, the decisions with their filters, why a pupil was not served,
« what if » (nothing written), applying a run once; and their query budgets."""

from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.equipment.factories import price_kits
from tne.core.models import AuditEvent, Job
from tne.loans.enums import HomeInternet, RunStatus
from tne.loans.models import AllocationRun, Loan, RunDecision, SchoolQuota
from tne.loans.selectors import runs as selectors
from tne.loans.services.runs import start_run

from .run_helpers import RunPlace, computed, pupils, run_now, tablet

pytestmark = pytest.mark.django_db

RUNS = reverse("loans:runs")
NEW = reverse("loans:run_new")


@pytest.fixture
def place(tree):
    return RunPlace(tree)


@pytest.fixture
def run(place, tree):
    """Aisne: 5 pupils at A (REP+, max 2), 3 at Soissons; a stock of 4."""
    SchoolQuota.objects.create(school=place.school_a, maximum=2)
    pupils(place.school_a, 5, internet=HomeInternet.NONE)
    pupils(place.soissons, 3)
    return run_now(place.coordinator, tree.aisne, stock=4, label="Rentrée tablettes")


def url(name, *args):
    return reverse(f"loans:{name}", args=args)


def html_of(response) -> str:
    """The page, its entities read (« &#x27; » is « ' », « &nbsp; » a no-break space)."""
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


# --- The list and the rights ------------------------------------------------------------------


def test_the_coordinator_lists_the_runs_of_their_territory_only(client, place, tree, run):
    pupils(place.cergy, 2)
    elsewhere = run_now(place.vdo_coordinator, tree.vdo, stock=1)
    client.force_login(place.coordinator)
    html = html_of(client.get(RUNS))
    assert f'id="run-{run.pk}"' in html and "Rentrée tablettes" in html
    assert f'id="run-{elsewhere.pk}"' not in html
    assert client.get(url("run", elsewhere.pk)).status_code == 404
    assert client.get(url("run_decisions", elsewhere.pk)).status_code == 404


@pytest.mark.parametrize("who", ["head_a", "ien", "two_roles"])
def test_who_does_not_allocate_gets_403_on_the_runs(client, place, run, who):
    client.force_login(getattr(place, who))
    for address in (RUNS, NEW, url("run", run.pk), url("run_apply", run.pk)):
        assert client.get(address).status_code == 403


def test_national_steering_reads_every_run(client, place, run):
    client.force_login(place.national)
    assert f'id="run-{run.pk}"' in html_of(client.get(RUNS))


# --- Starting a run -----------------------------------------------------------------------------


def test_a_run_started_from_the_form_is_computed_by_its_job(
    client, place, tree, django_capture_on_commit_callbacks
):
    pupils(place.school_a, 3)
    client.force_login(place.coordinator)
    page = html_of(client.get(NEW))
    assert "En stock dans le territoire Aisne (02)" in page and 'name="cap_02"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {
                "node": tree.aisne.pk,
                "category": selectors.lendable_categories().get(code="tablet").pk,
                "label": "Essai",
                "stock_mode": "custom",
                "stock": "2",
                "cap_02": "5",
            },
        )
    created = AllocationRun.objects.get()
    assert response.status_code == 302 and response.url == url("run", created.pk)
    created.refresh_from_db()
    assert created.status == RunStatus.DONE and created.served == 2
    assert created.departement_caps == {"02": 5} and created.created_by == place.coordinator
    html = html_of(client.get(url("run", created.pk)))
    assert "3\u00a0élèves" in html and "Stock épuisé" in html and 'id="run-schools"' in html


def test_the_form_refuses_in_french_on_the_field(client, place, tree):
    client.force_login(place.coordinator)
    tablet = selectors.lendable_categories().get(code="tablet")
    html = html_of(
        client.post(NEW, {"node": tree.aisne.pk, "category": tablet.pk, "stock_mode": "custom"})
    )
    assert "Indiquez le nombre d'appareils du stock." in html
    html = html_of(
        client.post(
            NEW,
            {"node": tree.aisne.pk, "category": tablet.pk, "stock_mode": "none", "budget": "1000"},
        )
    )
    assert "modèle de référence chiffré" in html
    assert not AllocationRun.objects.exists()


def test_refreshing_the_form_for_another_node_starts_nothing(client, place, tree):
    client.force_login(place.national)
    html = html_of(client.post(NEW, {"node": tree.vdo.pk, "refresh": "1", "label": "Gardé"}))
    assert "En stock dans le territoire Val-d'Oise (95)" in html and 'value="Gardé"' in html
    assert 'name="cap_95"' in html and 'name="cap_02"' not in html
    assert not AllocationRun.objects.exists()


def test_a_coordinator_cannot_start_a_run_elsewhere(client, place, tree):
    client.force_login(place.coordinator)
    tablet = selectors.lendable_categories().get(code="tablet")
    html = html_of(
        client.post(
            NEW, {"node": tree.vdo.pk, "category": tablet.pk, "stock_mode": "custom", "stock": 3}
        )
    )
    assert "Sélectionnez un choix valide" in html
    assert not AllocationRun.objects.exists()


# --- A run --------------------------------------------------------------------------------------


def test_the_run_page_shows_inputs_figures_and_schools(client, place, run):
    client.force_login(place.coordinator)
    html = html_of(client.get(url("run", run.pk)))
    assert "4\u00a0appareils (stock de 4)" in html and "8\u00a0élèves" in html
    assert "Maximum de l'école atteint" in html and "Stock épuisé" in html
    assert f'id="school-{place.school_a.pk}"' in html and f'id="school-{place.soissons.pk}"' in html
    assert url("run_apply", run.pk) in html


def test_a_failed_run_shows_the_engines_message(client, place, tree):
    SchoolQuota.objects.create(school=place.soissons, minimum=3)
    pupils(place.soissons, 3)
    failed = run_now(place.coordinator, tree.aisne, stock=1)
    client.force_login(place.coordinator)
    html = html_of(client.get(url("run", failed.pk)))
    assert "L'attribution a échoué" in html and "Attribution impossible" in html


def test_a_run_in_progress_is_polled_through_its_fragment(client, place, tree):
    queued = start_run(actor=place.coordinator, node=tree.aisne, category=tablet(), stock=1)
    client.force_login(place.coordinator)
    html = html_of(client.get(url("run", queued.pk)))
    assert 'hx-trigger="every 1s"' in html and 'id="run-progress-bar"' in html
    fragment = html_of(client.get(url("run", queued.pk), headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="run-progress"') and "<h1" not in fragment
    computed(queued)
    fragment = html_of(client.get(url("run", queued.pk), headers={"HX-Request": "true"}))
    assert "hx-trigger" not in fragment and "Voir les résultats de l'attribution" in fragment


# --- Decisions -------------------------------------------------------------------------------


def test_the_decisions_filter_by_school_decision_and_reason(client, place, run):
    client.force_login(place.coordinator)
    address = url("run_decisions", run.pk)
    html = html_of(client.get(address))
    assert "8\u00a0décisions" in html
    assert "3\u00a0décisions" in html_of(client.get(address, {"motif": "school_max"}))
    assert "4\u00a0décisions" in html_of(client.get(address, {"servi": "oui"}))
    html = html_of(client.get(address, {"ecole": place.soissons.uai.lower()}))
    assert "3\u00a0décisions" in html and "École Jean-Macé" not in html.split('id="decisions"')[1]
    html = html_of(client.get(address, {"ecole": "12345"}))
    assert "Saisissez l'UAI de l'école" in html


def test_a_pupil_not_served_because_of_the_school_maximum_reads_why(client, place, run):
    decision = RunDecision.objects.filter(run=run, school=place.school_a, served=False).first()
    client.force_login(place.head_a)  # the school head reads their pupils' decisions
    html = html_of(client.get(url("decision", decision.pk)))
    assert "Priorité 90 (Aucun équipement à la maison\u00a0: +40 · Pas d'accès à internet" in html
    assert (
        "Non servi\u00a0: le maximum de l'école (2) était atteint\u202f; le dernier élève servi "
        "de cette école avant lui dans l'ordre des priorités avait une priorité de 90"
    ) in html
    assert url("run", run.pk) not in html  # the head does not read the run itself


def test_a_pupil_not_served_for_lack_of_stock_reads_the_stock(client, place, run):
    decision = RunDecision.objects.filter(run=run, reason="stock").first()
    client.force_login(place.coordinator)
    html = html_of(client.get(url("decision", decision.pk)))
    assert "le stock (4\u00a0appareils) était épuisé" in html


@pytest.mark.parametrize("who", ["two_roles", "vdo_coordinator"])
def test_a_decision_of_another_school_is_a_404(client, place, run, who):
    decision = RunDecision.objects.filter(run=run, school=place.school_a).first()
    client.force_login(getattr(place, who))
    assert client.get(url("decision", decision.pk)).status_code == 404


# --- What if ---------------------------------------------------------------------------------


def _counts():
    return [m.objects.count() for m in (AllocationRun, RunDecision, Loan, Job, AuditEvent)]


def test_what_if_shows_the_gain_and_writes_nothing(client, place, tree):
    price_kits()
    pupils(place.school_a, 12)
    budget_run = run_now(
        place.coordinator, tree.aisne, budget=Decimal("1000"), unit_cost=Decimal("100")
    )
    client.force_login(place.coordinator)
    address = url("run_what_if", budget_run.pk)
    page = html_of(client.get(address))
    assert "?budget=1100.00" in page  # the « +10 % » suggestion
    before = _counts()
    with CaptureQueriesContext(connection) as queries:
        html = html_of(client.get(address, {"budget": "1100.00"}))
    assert "1\u00a0élève de plus servi pour 100\u00a0€ de plus" in html
    assert f'id="gain-{place.school_a.pk}"' in html
    assert _counts() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_what_if_of_a_large_run_is_a_job(client, place, run, monkeypatch):
    monkeypatch.setattr(selectors, "WHAT_IF_INLINE_MAX", 3)
    client.force_login(place.coordinator)
    address = url("run_what_if", run.pk)
    html = html_of(client.get(address, {"stock": "6"}))
    assert 'method="post"' in html and 'id="what-if-outcome"' not in html
    response = client.post(address, {"stock": "6"})
    job = Job.objects.get(kind="loans.what_if")
    assert response.status_code == 302 and response.url == reverse("core:job_detail", args=[job.pk])
    from tne.core.jobs import run_job_now

    job = run_job_now(job.pk)
    assert job.result["served"] == 5 and job.result["summary"].startswith("1\u00a0élève de plus")
    html = html_of(client.get(reverse("core:job_detail", args=[job.pk])))
    assert job.result["summary"] in html and url("run", run.pk) in html
    html = html_of(client.get(reverse("core:job_detail", args=[run.job_id])))
    assert "Élèves servis" in html and "Voir l'attribution et ses décisions" in html
    assert RunDecision.objects.filter(run=run).count() == 8 and not Loan.objects.exists()


def test_what_if_with_less_stock_than_the_minimums_says_why(client, place, tree):
    SchoolQuota.objects.create(school=place.soissons, minimum=2)
    pupils(place.soissons, 3)
    small = run_now(place.coordinator, tree.aisne, stock=3)
    client.force_login(place.coordinator)
    html = html_of(client.get(url("run_what_if", small.pk), {"stock": "1"}))
    assert "Simulation impossible" in html and "Attribution impossible" in html


# --- Applying ----------------------------------------------------------------------------------


def test_applying_asks_a_confirmation_then_makes_the_offers_once(client, place, run):
    client.force_login(place.coordinator)
    address = url("run_apply", run.pk)
    assert "Je confirme l'envoi de 4\u00a0propositions" in html_of(client.get(address))
    assert "Cochez la case pour confirmer." in html_of(client.post(address, {}))
    assert not Loan.objects.exists()
    response = client.post(address, {"confirm": "on"})
    assert response.status_code == 302 and Loan.objects.filter(run=run).count() == 4
    response = client.post(address, {"confirm": "on"}, follow=True)
    assert "déjà appliquée" in response.content.decode()
    assert Loan.objects.filter(run=run).count() == 4
    html = html_of(client.get(url("run", run.pk)))
    assert 'id="run-applied"' in html and "4\u00a0propositions" in html
    assert address not in html


def test_applying_a_run_of_another_territory_is_a_404(client, place, run):
    client.force_login(place.vdo_coordinator)
    assert client.post(url("run_apply", run.pk), {"confirm": "on"}).status_code == 404
    assert not Loan.objects.exists()


# --- Query budgets -----------------------------------------------------------------------------


def _queries(client, address, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        html_of(client.get(address, params))
    return len(queries)


def test_the_runs_pages_hold_their_query_budgets(client, place, tree):
    pupils(place.school_a, 2)
    small = run_now(place.coordinator, tree.aisne, stock=1)
    client.force_login(place.coordinator)
    decision = RunDecision.objects.filter(run=small, served=False).first()
    pages = {
        "list": (RUNS, {}),
        "run": (url("run", small.pk), {}),
        "decisions": (url("run_decisions", small.pk), {}),
        "decisions filtered": (url("run_decisions", small.pk), {"servi": "non"}),
        "decision": (url("decision", decision.pk), {}),
        "what if": (url("run_what_if", small.pk), {"stock": "2"}),
    }
    for address, params in pages.values():
        client.get(address, params)  # warm the caches (content types…)
    small_counts = {name: _queries(client, a, **p) for name, (a, p) in pages.items()}

    SchoolQuota.objects.create(school=place.school_b, maximum=3)
    for school in (place.school_a, place.school_b, place.soissons):
        pupils(school, 12)
    big = run_now(place.coordinator, tree.aisne, stock=20)
    for _ in range(3):
        run_now(place.coordinator, tree.laon, stock=5)
    pages["run"] = (url("run", big.pk), {})
    pages["decisions"] = (url("run_decisions", big.pk), {})
    pages["decisions filtered"] = (url("run_decisions", big.pk), {"servi": "non"})
    decision = RunDecision.objects.filter(run=big, served=False, reason="school_max").first()
    pages["decision"] = (url("decision", decision.pk), {})
    pages["what if"] = (url("run_what_if", big.pk), {"stock": "30"})
    big_counts = {name: _queries(client, a, **p) for name, (a, p) in pages.items()}

    assert big_counts == small_counts
    assert max(big_counts.values()) <= 12, big_counts
