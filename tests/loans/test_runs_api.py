"""The runs in the API: the runs of the caller's territory, one run, its decisions by keyset
(never a contact), starting a run, « what if » (nothing saved)."""

import json

import pytest

from tests.api.clients import TokenClient
from tne.core.models import AuditEvent, Job
from tne.loans.enums import RunStatus
from tne.loans.models import AllocationRun, Loan, RunDecision, SchoolQuota

from .factories import GuardianContactFactory
from .run_helpers import RunPlace, events_of, pupils, run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return RunPlace(tree)


@pytest.fixture
def run(place, tree):
    SchoolQuota.objects.create(school=place.school_a, maximum=2)
    made = pupils(place.school_a, 4) + pupils(place.soissons, 3)
    for pupil in made:
        GuardianContactFactory(pupil=pupil, name="Camille Martin", email="camille@example.org")
    return run_now(place.coordinator, tree.aisne, stock=3)


@pytest.fixture
def api(client, place):
    return TokenClient(client, place.coordinator)


def post(api, path, body):
    return api.client.post(
        f"/api/v1{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw}"},
    )


def test_it_lists_the_runs_of_the_territory(client, api, place, tree, run):
    pupils(place.cergy, 1)
    elsewhere = run_now(place.vdo_coordinator, tree.vdo, stock=1)
    body = api.get("/loans/runs").json()
    assert [r["id"] for r in body["items"]] == [run.pk]
    row = body["items"][0]
    assert row["node"] == {"kind": "DEPARTEMENT", "code": "02", "name": "Aisne"}
    assert row["status"] == {"code": "DONE", "label": "Terminé"}
    assert row["category"] == "tablet" and row["served"] == 3 and row["candidates"] == 7
    assert row["unserved_by_reason"] == {"school_max": 2, "stock": 2}
    assert api.get(f"/loans/runs/{run.pk}").json()["capacity"] == 3
    assert api.get(f"/loans/runs/{elsewhere.pk}").status_code == 404
    assert api.get(f"/loans/runs/{elsewhere.pk}/decisions").status_code == 404


def test_its_decisions_page_by_rank_filter_and_hold_no_contact(api, place, run):
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/loans/runs/{run.pk}/decisions", **params)
        body = response.json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [d["rank"] for d in seen] == list(range(1, 8))
    assert {d["school_uai"] for d in seen} == {place.school_a.uai, place.soissons.uai}
    text = json.dumps(seen, ensure_ascii=False)
    assert "Camille" not in text and "example.org" not in text
    assert seen[0]["breakdown"][0] == {"label": "Aucun équipement à la maison", "points": 40}
    body = api.get(f"/loans/runs/{run.pk}/decisions", reason="school_max").json()
    assert len(body["items"]) == 2 and {d["reason"]["code"] for d in body["items"]} == {
        "school_max"
    }
    body = api.get(f"/loans/runs/{run.pk}/decisions", school=place.soissons.uai, served=False)
    assert len(body.json()["items"]) == 2


def test_who_does_not_allocate_gets_403(client, place, run):
    ien = TokenClient(client, place.ien)
    assert ien.get("/loans/runs").status_code == 403
    assert ien.get(f"/loans/runs/{run.pk}").status_code == 403


def test_it_starts_a_run_computed_by_its_job(api, place, tree, django_capture_on_commit_callbacks):
    pupils(place.school_a, 3)
    body = {
        "node_kind": "DEPARTEMENT",
        "node_code": "02",
        "stock": 2,
        "departement_caps": {"02": 5},
        "label": "Par l'API",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, "/loans/runs", body)
    assert response.status_code == 202
    assert response.json()["status"]["code"] == "QUEUED"
    started = AllocationRun.objects.get(pk=response.json()["id"])
    assert started.status == RunStatus.DONE and started.served == 2
    event = events_of(started, "CREATE").get()
    assert event.source == "API"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"node_kind": "DEPARTEMENT", "node_code": "95", "stock": 2}, 403, "Val-d'Oise"),
        ({"node_kind": "DEPARTEMENT", "node_code": "99", "stock": 2}, 404, ""),
        ({"node_kind": "DEPARTEMENT", "node_code": "02"}, 400, "Indiquez un stock"),
        (
            {
                "node_kind": "DEPARTEMENT",
                "node_code": "02",
                "stock": 2,
                "departement_caps": {"95": 1},
            },
            400,
            "n'est pas dans",
        ),
        ({"node_kind": "DEPARTEMENT", "node_code": "02", "stock": -1}, 422, ""),
        ({"node_kind": "DEPARTEMENT", "node_code": "02", "budget": "NaN"}, 422, ""),
        ({"node_kind": "DEPARTEMENT", "node_code": "02", "category": "projector"}, 422, ""),
    ],
)
def test_a_refused_run_says_why(api, place, body, status, fragment):
    response = post(api, "/loans/runs", body)
    assert response.status_code == status, response.content
    assert fragment in json.dumps(response.json(), ensure_ascii=False)
    assert not AllocationRun.objects.exists()


def _counts():
    return [m.objects.count() for m in (AllocationRun, RunDecision, Loan, Job, AuditEvent)]


def test_what_if_answers_the_gain_and_saves_nothing(api, place, run):
    before = _counts()
    response = post(api, f"/loans/runs/{run.pk}/what-if", {"stock": 5})
    assert response.status_code == 200
    body = response.json()
    # A is at its maximum (2): the two more devices go to Soissons.
    assert body["served"] == 5 and body["run_served"] == 3 and body["extra_pupils"] == 2
    assert body["summary"].startswith("2\u00a0élèves de plus servis")
    assert body["schools"] == [
        {"uai": place.soissons.uai, "name": place.soissons.name, "before": 1, "after": 3}
    ]
    assert _counts() == before
    assert post(api, f"/loans/runs/{run.pk}/what-if", {}).status_code == 400


def test_what_if_of_a_run_not_done_is_a_409(api, place, tree):
    from tne.loans.services.runs import start_run

    from .run_helpers import tablet

    queued = start_run(actor=place.coordinator, node=tree.aisne, category=tablet(), stock=1)
    assert post(api, f"/loans/runs/{queued.pk}/what-if", {"stock": 2}).status_code == 409
