"""A small known world for the territory browser tests: six schools in the two pilot
départements, with classes and teachers (and their summary figures), and one person per role."""

from dataclasses import dataclass
from decimal import Decimal

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    StaffFactory,
    Tree,
    user_with_role,
)
from tne.territory.enums import EducationNetwork, SchoolKind, Sector, Stage
from tne.territory.models import School
from tne.territory.services import refresh_school_figures


@dataclass
class World:
    tree: Tree
    laon_ecole: School
    laon_maternelle: School
    laon_college: School
    soissons_ecole: School
    cergy_ecole: School
    cergy_lycee: School

    @property
    def aisne(self) -> set[str]:
        return {s.uai for s in self.all_schools if s.departement_id == self.tree.aisne.pk}

    @property
    def all_schools(self) -> list[School]:
        return [
            self.laon_ecole,
            self.laon_maternelle,
            self.laon_college,
            self.soissons_ecole,
            self.cergy_ecole,
            self.cergy_lycee,
        ]


def build_world(tree: Tree) -> World:
    year = SchoolYearFactory()
    old_year = SchoolYearFactory(label="2024-2025", starts_on="2024-09-01", ends_on="2025-07-05")
    world = World(
        tree=tree,
        laon_ecole=SchoolFactory(
            name="École Jean Macé",
            commune=tree.laon,
            circonscription=tree.circ_laon,
            education_network=EducationNetwork.REP_PLUS,
            ips=Decimal("78.5"),
        ),
        laon_maternelle=SchoolFactory(
            name="École maternelle Les Tilleuls",
            kind=SchoolKind.MATERNELLE,
            commune=tree.laon,
            circonscription=tree.circ_laon,
            ips=None,
        ),
        laon_college=SchoolFactory(
            name="Collège Charles de Gaulle",
            kind=SchoolKind.COLLEGE,
            commune=tree.laon,
            education_network=EducationNetwork.REP,
            ips=Decimal("88.0"),
        ),
        soissons_ecole=SchoolFactory(
            name="École Saint-Crépin",
            commune=tree.soissons,
            sector=Sector.PRIVATE,
            ips=Decimal("112.3"),
        ),
        cergy_ecole=SchoolFactory(
            name="École des Touleuses",
            commune=tree.cergy,
            circonscription=tree.circ_cergy,
            ips=Decimal("95.0"),
        ),
        cergy_lycee=SchoolFactory(
            name="Lycée Alfred Kastler",
            kind=SchoolKind.LYCEE_GT,
            commune=tree.cergy,
            ips=Decimal("104.2"),
        ),
    )
    # Classes of the current year: Aisne 2 elementary + 1 pre-elementary + 2 collège classes;
    # Val-d'Oise 1 elementary (synthetic) + 1 lycée class. One class of last year, not counted.
    SchoolClassFactory(school=world.laon_ecole, year=year, headcount=20)
    SchoolClassFactory(school=world.laon_ecole, year=year, headcount=22)
    SchoolClassFactory(
        school=world.laon_maternelle,
        year=year,
        levels=["PS"],
        stage=Stage.PRE_ELEMENTARY,
        headcount=25,
    )
    SchoolClassFactory(
        school=world.laon_college, year=year, levels=["6E"], stage=Stage.COLLEGE, headcount=28
    )
    SchoolClassFactory(
        school=world.laon_college, year=year, levels=["5E"], stage=Stage.COLLEGE, headcount=27
    )
    SchoolClassFactory(school=world.cergy_ecole, year=year, headcount=24, is_synthetic=True)
    SchoolClassFactory(
        school=world.cergy_lycee, year=year, levels=["2NDE"], stage=Stage.LYCEE, headcount=35
    )
    SchoolClassFactory(school=world.laon_ecole, year=old_year, headcount=19)
    # Teachers: Aisne 3 (1 new) and a head; Val-d'Oise 2 (1 new, synthetic).
    StaffFactory(school=world.laon_ecole)
    StaffFactory(school=world.laon_ecole, is_new_teacher=True)
    StaffFactory(school=world.laon_college)
    StaffFactory(school=world.laon_college, role="HEAD")
    StaffFactory(school=world.cergy_ecole, is_synthetic=True)
    StaffFactory(school=world.cergy_lycee, is_new_teacher=True, is_synthetic=True)
    refresh_school_figures()  # What the dashboard and the list read.
    return world


def people(world: World) -> dict:
    """One user per role, with the UAIs each must see exactly."""
    tree = world.tree
    uais = {s.uai for s in world.all_schools}
    vdo = {world.cergy_ecole.uai, world.cergy_lycee.uai}
    return {
        "national": (user_with_role(Role.NATIONAL, tree.country), uais),
        "coordinator of Aisne": (user_with_role(Role.COORDINATOR, tree.aisne), world.aisne),
        "IEN of the Laon circonscription": (
            user_with_role(Role.IEN_ERUN, tree.circ_laon),
            {world.laon_ecole.uai, world.laon_maternelle.uai},
        ),
        "school head": (
            user_with_role(Role.SCHOOL_HEAD, world.laon_college),
            {world.laon_college.uai},
        ),
        "local authority officer of Laon": (
            user_with_role(Role.LOCAL_AUTHORITY, tree.laon),
            {world.laon_ecole.uai, world.laon_maternelle.uai},
        ),
        "evaluator of Val-d'Oise": (user_with_role(Role.EVALUATOR, tree.vdo), vdo),
        "parent": (user_with_role(Role.PARENT, world.soissons_ecole), {world.soissons_ecole.uai}),
        "teacher": (user_with_role(Role.TEACHER, world.cergy_ecole), {world.cergy_ecole.uai}),
        "technician of Val-d'Oise": (user_with_role(Role.TECHNICIAN, tree.vdo), vdo),
        "trainer of the Laon circonscription": (
            user_with_role(Role.TRAINER, tree.circ_laon),
            {world.laon_ecole.uai, world.laon_maternelle.uai},
        ),
    }
