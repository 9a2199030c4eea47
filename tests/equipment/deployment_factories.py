"""A small pilot for the deployment tests: schools of Laon (in the circonscription of Laon),
Soissons and Cergy with classes of the current school year, and the people who act on them."""

from dataclasses import dataclass

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    user_with_role,
)
from tne.equipment.models import Allocation, SchoolTally
from tne.equipment.services.tallies import COUNTED, recount_schools
from tne.territory.enums import SchoolKind, Stage

from .factories import CampaignFactory, kit


@dataclass
class Pilot:
    tree: object
    laon: list
    soissons: object
    cergy: object
    classes: dict
    coordinator: object
    vdo_coordinator: object
    technician: object


def school_with_classes(commune, n_elementary=2, n_pre=1, **extra):
    year = SchoolYearFactory()
    school = SchoolFactory(commune=commune, kind=SchoolKind.PRIMAIRE, **extra)
    classes = [
        SchoolClassFactory(
            school=school, year=year, name=f"CE{i + 1}", levels=["CE1"], stage=Stage.ELEMENTARY
        )
        for i in range(n_elementary)
    ] + [
        SchoolClassFactory(
            school=school, year=year, name=f"GS{i + 1}", levels=["GS"], stage=Stage.PRE_ELEMENTARY
        )
        for i in range(n_pre)
    ]
    return school, classes


def pilot(tree) -> Pilot:
    classes = {}
    laon = []
    for _ in range(2):
        school, cls = school_with_classes(tree.laon, circonscription=tree.circ_laon)
        laon.append(school)
        classes[school.pk] = cls
    soissons, cls = school_with_classes(tree.soissons)
    classes[soissons.pk] = cls
    cergy, cls = school_with_classes(tree.cergy, circonscription=tree.circ_cergy)
    classes[cergy.pk] = cls
    return Pilot(
        tree=tree,
        laon=laon,
        soissons=soissons,
        cergy=cergy,
        classes=classes,
        coordinator=user_with_role(Role.COORDINATOR, tree.aisne),
        vdo_coordinator=user_with_role(Role.COORDINATOR, tree.vdo),
        technician=user_with_role(Role.TECHNICIAN, tree.aisne),
    )


def campaign_on(node, code="kit-hybride", **extra):
    return CampaignFactory(node=node, kit=kit(code), **extra)


def tallies() -> dict:
    return {
        (t.school_id, t.measure_id, t.status): t.count for t in SchoolTally.objects.all() if t.count
    }


def assert_tallies_match():
    """The tallies the services kept equal a recount from the allocations."""
    kept = tallies()
    recount_schools(None)
    assert kept == tallies()
    # Every allocation to a class or a teacher, none of a school's or a head's kit.
    assert sum(kept.values()) == Allocation.objects.filter(COUNTED).count()
