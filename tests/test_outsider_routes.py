"""Conformance: every URL pattern and every API route, walked as an outsider, shows none of the
data of a place that is not theirs.

The data lives in Aisne (a school, its staff, a class, an import job, a role grant, an API token,
a target and an envelope of the programme).
The outsiders hold one role each, granted in Val-d'Oise only — the strongest of them coordinates
the whole département. For each route, the test fills the route's parameters with the ids of the
Aisne objects and asks for the page: it must be refused (404, 403, 405) or, for the pages that
have no such parameter (lists, dashboards, public pages), must not contain any of the markers of
the Aisne data. A new route whose parameter this test does not know fails here, until someone
says which Aisne object it names; a route that forgets scoping fails on the markers.
Anonymous visitors get the login page (or 401 from the API) everywhere but on public pages.
"""

import itertools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.equipment.signoff_factories import aisne_signoff_ids
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    UserFactory,
    grant,
)
from tests.loans.needs_helpers import aisne_needs_ids
from tests.loans.outsider_values import aisne_loan_ids
from tests.programme.factories import EnvelopeFactory, TargetFactory
from tne.accounts.models import ApiToken
from tne.core.audit import record
from tne.core.models import AuditAction, AuditSource, Job, JobStatus
from tne.core.roles import Role
from tne.territory.uploads import IMPORT_JOB_KIND

pytestmark = pytest.mark.django_db

# Routes of the Django admin are for superusers only (the admin checks it itself) and are not
# walked: an outsider is redirected to the admin's login page.
SKIPPED_PREFIXES = ("admin/",)
# Pages anyone may read without logging in: they show no data of any place.
PUBLIC = {
    "accounts:login",
    "accounts:password_set",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "core:legal",
    "core:accessibility",
    "api:openapi-json",
    "api:api-root",
    "api_docs:documentation",
    # Any address under /api/ that no operation answers: a JSON 404 for everyone.
    "api:unknown-address",
    "api_docs:unknown-address",
}
PUBLIC_ROUTES = {"favicon.ico"}


def _routes(patterns=None, prefix="", namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if not route.startswith(SKIPPED_PREFIXES):
                yield route, f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern


# Routes whose parameter names no object of a place: they may answer 200 (without the markers).
# The programme's exports list what the outsider reads (the national figures, those of their
# département): never the Aisne markers.
EMPTY_ANSWERS = PUBLIC | {
    "territory:school_export",
    "programme:target_export",
    "programme:envelope_export",
    # The socle overview's export lists the outsider's own schools.
    "equipment:audit_export",
    # Equipment: the catalogue and the kits are the programme's shared reference (no place);
    # the exports of orders and of the ledger list what the outsider reads.
    "equipment:catalogue_export",
    "equipment:kit_export",
    "equipment:kit_detail",
    "equipment:model_update",
    "equipment:category_reference",
    "equipment:order_export",
    "equipment:ledger_export",
    "equipment:signoff_export",
    "equipment:teacher_export",
    # Loans (M6): the exports list the outsider's own pupils, loans and figures.
    "loans:declarations_export",
    "loans:loans_export",
    "loans:dashboard_export",
}

ROUTES = sorted({(route, name) for route, name, _ in _routes()})


@pytest.fixture
def aisne(tree, tmp_path, settings):
    """The data of a place: a school of Laon with a class, a named teacher, a history, an import
    job of its coordinator, a role grant and an API token."""
    settings.MEDIA_ROOT = tmp_path
    school = SchoolFactory(
        commune=tree.laon,
        circonscription=tree.circ_laon,
        owner=tree.laon,
        name="ECOLE MARQUEUR AISNE",
    )
    SchoolClassFactory(school=school, name="CE1 Marqueur")
    StaffFactory(school=school, last_name="Marqueurnom")
    coordinator = UserFactory(email="coordination-marqueur@example.org")
    assignment = grant(coordinator, Role.COORDINATOR, tree.aisne)
    head = UserFactory(email="direction-marqueur@example.org")
    grant(head, Role.SCHOOL_HEAD, school)
    record(school, AuditAction.UPDATE, actor=coordinator, source=AuditSource.UI, changes={})
    job = Job.objects.create(
        kind=IMPORT_JOB_KIND,
        label="Import de fichier-marqueur.csv",
        params={"name": "fichier-marqueur.csv", "path": "fichier-marqueur.csv"},
        status=JobStatus.FAILED,
        message="fichier-marqueur.csv : ligne 3, colonne UAI : erreur",
        created_by=coordinator,
    )
    token = ApiToken.objects.create(
        user=coordinator, name="jeton-marqueur", key_hash="0" * 64, hint="tne_abc"
    )
    # The programme figures of Aisne: read in Aisne and above, not from Val-d'Oise.
    target = TargetFactory(node=tree.aisne, note="objectif-note-marqueur")
    envelope = EnvelopeFactory(node=tree.aisne, note="enveloppe-note-marqueur")
    return {
        "school": school,
        "coordinator": coordinator,
        "assignment": assignment,
        "job": job,
        "token": token,
        "target": target,
        "envelope": envelope,
        "markers": [
            school.uai,
            "ECOLE MARQUEUR AISNE",
            "Marqueurnom",
            "CE1 Marqueur",
            "coordination-marqueur",
            "direction-marqueur",
            "fichier-marqueur",
            "jeton-marqueur",
            "objectif-note-marqueur",
            "enveloppe-note-marqueur",
        ],
    }


def _register_values(school, coordinator) -> dict[str, list[str]]:
    """The asset register: a device of the Aisne school, an incident of it, a label sheet."""
    from django.core.files.base import ContentFile

    from tests.equipment.factories import AssetFactory
    from tne.core.models import Document
    from tne.equipment.enums import IncidentKind
    from tne.equipment.models import Incident

    asset = AssetFactory(school=school, asset_tag="TNE-MARQUEUR-1")
    incident = Incident.objects.create(asset=asset, kind=IncidentKind.BREAKDOWN, description="x")
    sheet = Document.objects.create(
        kind="equipment.labels",
        title="Étiquettes marqueur",
        file=ContentFile(b"%PDF-1.7", name="etiquettes-marqueur.pdf"),
        sha256="0" * 64,
        created_by=coordinator,
    )
    return {
        "asset_id": [str(asset.pk)],
        "incident_id": [str(incident.pk)],
        "document_id": [str(sheet.pk)],
    }


def _values(tree, data) -> dict[str, list[str]]:
    """For each route parameter, the Aisne objects it may name."""
    school = data["school"]
    # Equipment: an order of Aisne with its line, a campaign of Laon, and catalogue objects.
    from tests.equipment.factories import (
        AllocationFactory,
        CampaignFactory,
        OrderFactory,
        OrderLineFactory,
        ensure_catalogue,
        kit,
    )

    order = OrderFactory(envelope=data["envelope"], number="CMD-MARQUEUR-02")
    line = OrderLineFactory(order=order)
    campaign = CampaignFactory(node=tree.laon, name="Campagne marqueur")
    hybrid = kit("kit-hybride")
    data["markers"] += ["CMD-MARQUEUR-02", "Campagne marqueur"]
    # Equipment (deployments): a campaign of Aisne with an allocation at the marked school.
    ensure_catalogue()
    school_campaign = CampaignFactory(node=tree.aisne, name="campagne-marqueur")
    AllocationFactory(campaign=school_campaign, school=school)
    return {
        "uai": [school.uai],
        "code": ["02", tree.laon.code],
        "kind": ["DEPARTEMENT", "COMMUNE", "CIRCONSCRIPTION"],
        "job_id": [str(data["job"].pk)],
        "token_id": [str(data["token"].pk)],
        "assignment_id": [str(data["assignment"].pk)],
        "uidb64": [urlsafe_base64_encode(force_bytes(data["coordinator"].pk))],
        "token": ["not-a-valid-token"],
        "fmt": ["csv", "xlsx"],
        "target_id": [str(data["target"].pk)],
        "envelope_id": [str(data["envelope"].pk)],
        "school_id": [str(school.pk)],
        "order_id": [str(order.pk)],
        "line_id": [str(line.pk)],
        "campaign_id": [str(campaign.pk), str(school_campaign.pk)],
        "model_id": [str(line.model_id)],
        "category_id": [str(line.model.category_id)],
        "kit_id": [str(hybrid.pk)],
        "item_id": [str(hybrid.items.first().pk)],
        "action": ["delivered", "installed"],
        "measure": ["M5"],
        **_register_values(school, data["coordinator"]),
        # equipment, sign-offs and new teachers: an accepted installation, a teacher's receipt
        **aisne_signoff_ids(school),
        **_sent_message(school, data["markers"]),
        # loans, lifecycle: a loan of the Aisne school handed out, with its signed convention
        **_loan_lifecycle_values(school, data),
        # loans, runs: an applied run of Aisne with its decisions about the school's pupils
        **_loans_run_values(school, data),
        # loans, needs and rules: a pupil with its declaration and contact, its class, Aisne
        **aisne_needs_ids(tree, school, data["markers"]),
        # loans (M6): a pupil of the marked school, its loan and agreement, a run, a family link
        **aisne_loan_ids(tree, school, data["markers"]),
    }


# --- Notifications: a message sent about the Aisne school (« Messages envoyés ») -------------
def _sent_message(school, markers: list[str]) -> dict[str, list[str]]:
    from tne.core.models import Channel
    from tne.core.notify import send

    send(
        channel=Channel.EMAIL,
        to="parent-marqueur@example.org",
        subject="Objet-marqueur",
        body="message-marqueur-aisne",
        kind="loans.reminder",
        place=school,
    )
    markers += ["Objet-marqueur", "message-marqueur-aisne", "parent-marqueur"]
    return {}


def _loan_lifecycle_values(school, data) -> dict[str, list[str]]:
    """An active loan of the marked school (handed out through the service, so it has its
    signed convention) and an accepted offer, with the markers of its pupil and device."""
    from tests.loans.factories import PupilFactory
    from tests.loans.lifecycle_factories import accepted_loan, lendable_asset, signed
    from tne.loans.services import lifecycle

    head = UserFactory(email="direction-pret-marqueur@example.org")
    grant(head, Role.SCHOOL_HEAD, school)
    offer = accepted_loan(school)
    lent = accepted_loan(school, pupil=PupilFactory(school=school, code="ELEVE-MARQUEUR"))
    asset = lendable_asset(school, asset_tag="TNE-PRET-MARQUEUR")
    lifecycle.hand_out(
        actor=head, loan=lent, asset_tag=asset.asset_tag, signature_data=signed(), prepare=True
    )
    data["markers"] += ["TNE-PRET-MARQUEUR", "ELEVE-MARQUEUR", "Camille Martin"]
    return {"loan_id": [str(offer.pk), str(lent.pk)]}


def _loans_run_values(school, data) -> dict[str, list[str]]:
    from tests.loans.run_helpers import aisne_run_ids

    data["markers"] += ["attribution-marqueur", "ELEVE-MARQUEUR-ATTENTE"]
    return aisne_run_ids(school, data["coordinator"])


def _urls(route: str, values: dict[str, list[str]]):
    """Every URL of ``route`` with its parameters filled from ``values``."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = [n for n in names if n not in values]
    assert not missing, (
        f"The route {route!r} takes {missing}: say in _values which Aisne object it names."
    )
    for combination in itertools.product(*(values[n] for n in names)):
        url = route
        for name, value in zip(names, combination, strict=True):
            url = re.sub(rf"<(?:\w+:)?{name}>", value, url, count=1)
        yield "/" + url, bool(names)


OUTSIDER_PLACES = {
    Role.COORDINATOR: "vdo",
    Role.IEN_ERUN: "circ_cergy",
    Role.TECHNICIAN: "vdo",
    Role.TRAINER: "vdo",
    Role.LOCAL_AUTHORITY: "cergy",
    Role.EVALUATOR: "vdo",
    Role.SCHOOL_HEAD: "school",
    Role.TEACHER: "school",
    Role.PARENT: "school",
}


def _outsider(tree, role):
    person = UserFactory()
    place = OUTSIDER_PLACES[role]
    target = SchoolFactory(commune=tree.cergy) if place == "school" else getattr(tree, place)
    grant(person, role, target)
    return person


def _shown(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("role", list(OUTSIDER_PLACES), ids=str)
def test_an_outsider_gets_no_page_with_the_data_of_another_place(client, tree, aisne, role):
    client.force_login(_outsider(tree, role))
    values = _values(tree, aisne)
    leaks = []

    for route, name in ROUTES:
        for url, named in _urls(route, values):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = _shown(response)
                found = [m for m in aisne["markers"] if m in body]
                if found:
                    leaks.append(f"{method.upper()} {url} ({name}) {response.status_code}: {found}")
                elif named and response.status_code == 200 and name not in EMPTY_ANSWERS:
                    # A page about a foreign object may only be refused, never shown empty.
                    leaks.append(f"{method.upper()} {url} ({name}) answered 200")

    assert not leaks, "\n".join(leaks)
    # Nothing was changed by the POSTs either: the grant, the token and the job are there.
    aisne["assignment"].refresh_from_db()
    aisne["token"].refresh_from_db()
    assert aisne["token"].revoked_at is None
    aisne["target"].refresh_from_db()
    aisne["envelope"].refresh_from_db()


# --- Loans (M6): an account whose only role is « Parent » opens « Mon prêt » only -----------
# Its pages (its family page, its child's agreement, its API route), and the home page, which
# sends it there; logging out is not walked (the walk would go on logged out).
FAMILY_PAGES = {"loans:family", "loans:family_agreement", "api:family_loans", "home"}


def test_a_parents_account_opens_nothing_but_its_family_page(client, tree, aisne):
    from tests.loans.factories import LoanFactory, NeedDeclarationFactory, PupilFactory
    from tne.loans.services.families import link_parent

    values = _values(tree, aisne)
    school = SchoolFactory(commune=tree.cergy)
    pupil = PupilFactory(school=school, code="ELEVE-CERGY")
    NeedDeclarationFactory(pupil=pupil)
    LoanFactory(pupil=pupil)
    head = UserFactory()
    grant(head, Role.SCHOOL_HEAD, school)
    parent = link_parent(actor=head, pupil=pupil, email="parent-cergy@example.org").link.user
    client.force_login(parent)
    wrong = []

    for route, name in ROUTES:
        if name == "accounts:logout":
            continue
        for url, _ in _urls(route, values):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = _shown(response)
                found = [m for m in aisne["markers"] if m in body]
                if found:
                    wrong.append(f"{method.upper()} {url} ({name}): {found}")
                elif name in PUBLIC or route in PUBLIC_ROUTES or name in FAMILY_PAGES:
                    continue
                elif response.status_code not in (403, 404, 405):
                    wrong.append(f"{method.upper()} {url} ({name}) answered {response.status_code}")

    assert not wrong, "\n".join(wrong)
    response = client.get(reverse("loans:family"))
    assert response.status_code == 200 and "ELEVE-CERGY" not in _shown(response)


def test_an_anonymous_visitor_gets_the_login_page_everywhere_but_public_pages(client, tree, aisne):
    values = _values(tree, aisne)
    login = reverse("accounts:login")
    wrong = []

    for route, name in ROUTES:
        for url, _ in _urls(route, values):
            response = client.get(url)
            body = _shown(response)
            if any(m in body for m in aisne["markers"]):
                wrong.append(f"{url} shows data")
            elif name in PUBLIC or route in PUBLIC_ROUTES or response.status_code == 405:
                continue
            elif url.startswith("/api/"):
                if response.status_code != 401:
                    wrong.append(f"{url} answered {response.status_code}, not 401")
            elif not (response.status_code == 302 and response.url.startswith(login)):
                wrong.append(f"{url} answered {response.status_code}, not the login page")

    assert not wrong, "\n".join(wrong)


def test_every_route_is_walked():
    """The walk above sees the routes of every app (a resolver that hid them would pass)."""
    names = {name for _, name in ROUTES}

    assert {
        "home",
        "core:job_detail",
        "accounts:access_withdraw",
        "territory:school_detail",
        "api:list_school_staff",
        "programme:target_update",
        "programme:envelope_delete",
        "core:messages",
    } <= names
