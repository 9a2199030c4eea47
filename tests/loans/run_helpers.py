"""What the tests of the runs, offers and waiting lists share: a place (two schools of Laon and
one of Soissons in Aisne, one of Cergy in Val-d'Oise, the people of each grant), pupils with a
need declaration in bulk, and a run started and computed at once."""

import datetime

from tests.factories import Role, SchoolFactory, grant, user_with_role
from tne.core.jobs import run_job_now
from tne.equipment.models import Category
from tne.loans.enums import HomeDevices, HomeInternet
from tne.loans.models import AllocationRun, NeedDeclaration, Pupil
from tne.loans.services import runs as run_services
from tne.loans.services import tallies
from tne.territory.enums import EducationNetwork

from .factories import lendable_asset


class RunPlace:
    """Laon A (REP+), Laon B, Soissons (Aisne) and Cergy (Val-d'Oise); the Aisne and Val-d'Oise
    coordinators, national steering, the head of A, the IEN of Laon's circonscription, and a
    person who is head at B and parent at A (two roles, two places)."""

    def __init__(self, tree):
        self.tree = tree
        self.school_a = SchoolFactory(
            commune=tree.laon,
            circonscription=tree.circ_laon,
            name="École Jean-Macé",
            education_network=EducationNetwork.REP_PLUS,
        )
        self.school_b = SchoolFactory(
            commune=tree.laon, circonscription=tree.circ_laon, name="École Victor-Hugo"
        )
        self.soissons = SchoolFactory(commune=tree.soissons, name="École de Soissons")
        self.cergy = SchoolFactory(commune=tree.cergy, name="École de Cergy")
        self.coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
        self.vdo_coordinator = user_with_role(Role.COORDINATOR, tree.vdo)
        self.national = user_with_role(Role.NATIONAL, tree.country)
        self.head_a = user_with_role(Role.SCHOOL_HEAD, self.school_a)
        self.ien = user_with_role(Role.IEN_ERUN, tree.circ_laon)
        self.two_roles = user_with_role(Role.SCHOOL_HEAD, self.school_b)
        grant(self.two_roles, Role.PARENT, self.school_a)


def tablet() -> Category:
    return Category.objects.get(code="tablet")


_codes = iter(range(10**9))


def pupils(
    school,
    n: int,
    *,
    devices: str = HomeDevices.NONE,
    internet: str = HomeInternet.MOBILE,
    shared_with: int | None = None,
) -> list[Pupil]:
    """``n`` pupils of ``school`` with a need declaration (bulk: two statements, and the
    school's tally of the dashboards recounted)."""
    made = Pupil.objects.bulk_create(
        Pupil(school=school, code=f"P{next(_codes):07d}", level="CM1") for _ in range(n)
    )
    NeedDeclaration.objects.bulk_create(
        NeedDeclaration(
            pupil=pupil,
            devices_at_home=devices,
            shared_with=shared_with,
            internet_at_home=internet,
            declared_on=datetime.date(2026, 10, 1),
        )
        for pupil in made
    )
    tallies.recount([school.pk])  # as the services do
    return made


def computed(run: AllocationRun) -> AllocationRun:
    """The run after its job ran (the job is enqueued on commit, which a test never reaches)."""
    run_job_now(run.job_id)
    run.refresh_from_db()
    return run


def run_now(actor, node, **inputs) -> AllocationRun:
    """A run started with ``inputs`` (a tablet run by default) and computed."""
    inputs.setdefault("category", tablet())
    return computed(run_services.start_run(actor=actor, node=node, **inputs))


def events_of(obj, action: str | None = None):
    """The audit events about ``obj`` (its content type and id)."""
    from django.contrib.contenttypes.models import ContentType

    from tne.core.models import AuditEvent

    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
    return events.filter(action=action) if action else events


def stock(school, n: int, *, code: str = "tablet"):
    return [lendable_asset(school, code=code) for _ in range(n)]


def aisne_run_ids(school, coordinator) -> dict[str, list[str]]:
    """For the outsider walk (``tests/test_outsider_routes.py``): a run of the school's
    département labelled « attribution-marqueur », computed and applied, whose decision about a
    pupil « ELEVE-MARQUEUR-ATTENTE » of ``school`` is not served (so that the school has a waiting
    list), as route values."""
    from tne.loans.services import offers

    first = Pupil.objects.create(school=school, code="ELEVE-MARQUEUR-SERVI", level="CM1")
    second = Pupil.objects.create(school=school, code="ELEVE-MARQUEUR-ATTENTE", level="CM1")
    for pupil in (first, second):
        NeedDeclaration.objects.create(
            pupil=pupil,
            devices_at_home=HomeDevices.NONE,
            internet_at_home=HomeInternet.NONE,
            declared_on=datetime.date(2026, 10, 1),
        )
    run = run_now(coordinator, school.departement, stock=1, label="attribution-marqueur")
    offers.apply_run(actor=coordinator, run_id=run.pk)
    return {
        "run_id": [str(run.pk)],
        "decision_id": [str(d.pk) for d in run.decisions.all()],
    }
