"""A focused benchmark of the deployment progress (``equipment:progress``) on PostgreSQL at
national scale, without the national files: 100 départements of 350 communes and 450 schools
each (45,000 schools), and the per-school tallies of 600,000 M5 allocations spread over the five
steps. Times ``measure_progress`` (national and one département) and the page itself.

    DATABASE_URL=postgres://tne:tne@127.0.0.1:5432/tne_dep DEBUG=1 PYTHONPATH=. \\
        python bench/deployment_progress.py

The database must be migrated; the synthetic rows (codes starting with « B ») are written once
and kept."""

import os
import random
import sys
import time

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tne.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.synthetic import median_ms, node, territory  # noqa: E402
from tne.accounts.roles import grant_role  # noqa: E402
from tne.core.roles import Role  # noqa: E402
from tne.equipment.deployment_selectors import STEPS, measure_progress  # noqa: E402
from tne.equipment.models import SchoolTally  # noqa: E402
from tne.programme.models import Measure  # noqa: E402
from tne.territory.enums import NodeKind  # noqa: E402
from tne.territory.models import School, TerritoryNode  # noqa: E402

DEPARTEMENTS, COMMUNES, SCHOOLS, ALLOCATIONS = 100, 350, 450, 600_000


def load():
    country = node(NodeKind.COUNTRY, "FR", "France", None)
    if School.objects.filter(uai__startswith="B").exists():
        return country
    m5 = Measure.objects.get(code="M5")
    rng = random.Random(7)
    per_school = ALLOCATIONS // (DEPARTEMENTS * SCHOOLS)
    country, made = territory("B", departements=DEPARTEMENTS, communes=COMMUNES, schools=SCHOOLS)
    for _dep, schools in made:
        tallies = []
        for school in schools:
            left = per_school + rng.randint(-3, 3)
            for status in STEPS:
                n = rng.randint(0, left) if status != STEPS[-1] else left
                left -= n
                if n:
                    tallies.append(SchoolTally(school=school, measure=m5, status=status, count=n))
        SchoolTally.objects.bulk_create(tallies, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE equipment_schooltally")
        cursor.execute("VACUUM ANALYZE territory_school")
    return country


def main():
    from django.contrib.auth import get_user_model

    country = load()
    national = get_user_model().objects.filter(email="banc-national@example.org").first()
    if national is None:
        national = get_user_model().objects.create_user(
            email="banc-national@example.org", password="banc-national-mdp"
        )
        grant_role(user=national, role=Role.NATIONAL, target=country)
    dep = TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="B42")
    m5 = Measure.objects.get(code="M5")
    total = sum(SchoolTally.objects.filter(measure=m5).values_list("count", flat=True))
    print(
        f"{School.objects.count()} écoles, {SchoolTally.objects.count()} décomptes, "
        f"{total} affectations M5"
    )
    for label, where in (("national", country), ("département", dep)):
        ms = median_ms(lambda w=where: measure_progress(national, measure=m5, node=w))
        with CaptureQueriesContext(connection) as queries:
            measure_progress(national, measure=m5, node=where)
        print(f"measure_progress {label}: médiane {ms:.1f} ms, {len(queries)} requêtes")
    client = Client(SERVER_NAME="localhost")
    client.force_login(national)
    for label, where in (("national", country), ("département", dep)):
        url = f"/equipement/avancement/?measure=M5&node={where.pk}"
        ms = median_ms(lambda u=url: client.get(u))
        print(f"page {label}: médiane {ms:.1f} ms")


if __name__ == "__main__" and not sys.argv[1:]:
    main()


def allocation_timing():
    """A bulk allocation of a whole département: 3,000 classes of the current year in 450
    schools of département B07, allocated by node, timed (then cancelled, for re-runs)."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tne.equipment.enums import AllocationStatus
    from tne.equipment.models import Allocation, Campaign, KitTemplate
    from tne.equipment.services import deployments
    from tne.territory.enums import Stage
    from tne.territory.models import SchoolClass, SchoolYear, school_year_label

    label = school_year_label(timezone.localdate())
    year, _ = SchoolYear.objects.get_or_create(
        label=label,
        defaults={
            "starts_on": datetime.date(int(label[:4]), 9, 1),
            "ends_on": datetime.date(int(label[:4]) + 1, 7, 4),
        },
    )
    dep = TerritoryNode.objects.get(kind=NodeKind.DEPARTEMENT, code="B07")
    schools = list(School.objects.filter(departement=dep).order_by("pk"))
    if not SchoolClass.objects.filter(school__departement=dep).exists():
        SchoolClass.objects.bulk_create(
            SchoolClass(
                school=school,
                year=year,
                name=f"Classe {i}",
                levels=["CE1"],
                headcount=25,
                stage=Stage.ELEMENTARY,
            )
            for school in schools
            for i in range(7 if school.pk % 3 else 6)
        )
    national = get_user_model().objects.get(email="banc-national@example.org")
    kit = KitTemplate.objects.get(code="kit-hybride")
    campaign = Campaign.objects.create(
        name="Banc", measure=kit.measure, kit=kit, node=dep, created_by=national
    )
    selection = deployments.Selection(node=dep)
    start = time.perf_counter()
    plan = deployments.plan_allocations(campaign=campaign, selection=selection, actor=national)
    preview = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    done = deployments.allocate(campaign=campaign, selection=selection, actor=national)
    took = (time.perf_counter() - start) * 1000
    print(
        f"aperçu {len(plan.to_create)} classes : {preview:.0f} ms ; affectation "
        f"{done.created} classes dans {done.school_count} écoles : {took:.0f} ms"
    )
    Allocation.objects.filter(campaign=campaign).update(status=AllocationStatus.CANCELLED)
    from tne.equipment.services.tallies import recount_schools

    recount_schools([s.pk for s in schools])


if __name__ == "__main__" and sys.argv[1:] == ["allocate"]:
    allocation_timing()
