"""The people and places of the tests of pupils, needs, contacts and rules."""

from decimal import Decimal

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    grant,
    user_with_role,
)
from tne.territory.enums import EducationNetwork

from .factories import NeedDeclarationFactory, PupilFactory


class Needs:
    """École A of Laon (REP+, IPS 85) with two classes of the current year (« CE1 A »: CE1;
    « CM1-CM2 »: CM1 and CM2) and a class of last year; école B of Laon; an école of Cergy.
    Their heads; the coordinators of Aisne and of Val-d'Oise; the IEN of Laon's
    circonscription; a teacher of A; an evaluator of Aisne; a person head at A and parent at B."""

    def __init__(self, tree):
        self.tree = tree
        self.year = SchoolYearFactory()
        self.school = SchoolFactory(
            commune=tree.laon,
            circonscription=tree.circ_laon,
            name="École Jean-Macé",
            education_network=EducationNetwork.REP_PLUS,
            ips=Decimal("85.0"),
        )
        self.other_school = SchoolFactory(
            commune=tree.laon, circonscription=tree.circ_laon, name="École Victor-Hugo"
        )
        self.cergy_school = SchoolFactory(commune=tree.cergy, name="École de Cergy")
        self.ce1 = SchoolClassFactory(
            school=self.school, year=self.year, name="CE1 A", levels=["CE1"]
        )
        self.cm = SchoolClassFactory(
            school=self.school, year=self.year, name="CM1-CM2", levels=["CM1", "CM2"]
        )
        last = int(self.year.label[:4]) - 1
        self.old_class = SchoolClassFactory(
            school=self.school,
            year=SchoolYearFactory(label=f"{last}-{last + 1}"),
            name="CE1 A",
            levels=["CE1"],
        )
        self.other_class = SchoolClassFactory(
            school=self.other_school, year=self.year, name="CP", levels=["CP"]
        )
        self.cergy_class = SchoolClassFactory(
            school=self.cergy_school, year=self.year, name="CP", levels=["CP"]
        )
        self.head = user_with_role(Role.SCHOOL_HEAD, self.school)
        self.other_head = user_with_role(Role.SCHOOL_HEAD, self.other_school)
        self.cergy_head = user_with_role(Role.SCHOOL_HEAD, self.cergy_school)
        self.coordinator = user_with_role(Role.COORDINATOR, tree.aisne)
        self.vdo_coordinator = user_with_role(Role.COORDINATOR, tree.vdo)
        self.ien = user_with_role(Role.IEN_ERUN, tree.circ_laon)
        self.teacher = user_with_role(Role.TEACHER, self.school)
        self.evaluator = user_with_role(Role.EVALUATOR, tree.aisne)
        self.two_roles = user_with_role(Role.SCHOOL_HEAD, self.school)
        grant(self.two_roles, Role.PARENT, self.other_school)

    def pupil(self, school_class=None, *, declared=True, **kwargs):
        school_class = school_class or self.ce1
        kwargs.setdefault("level", school_class.levels[0])
        pupil = PupilFactory(school=school_class.school, school_class=school_class, **kwargs)
        if declared:
            NeedDeclarationFactory(pupil=pupil)
        return pupil


def aisne_needs_ids(tree, school, markers: list[str]) -> dict[str, list[str]]:
    """For the outsider walk (``tests/test_outsider_routes.py``): a pupil of the Aisne
    ``school`` in its class « CE1 Marqueur » with a declaration and a sealed contact, a quota of
    the school and the weights of Aisne, as route values; their markers added to ``markers``."""
    from tne.loans.models import PriorityWeights, SchoolQuota
    from tne.territory.models import SchoolClass

    from .factories import GuardianContactFactory

    school_class = SchoolClass.objects.get(school=school, name="CE1 Marqueur")
    pupil = PupilFactory(
        school=school, school_class=school_class, code="ELEVE-MARQUEUR-BESOIN", level="CE1"
    )
    NeedDeclarationFactory(pupil=pupil)
    GuardianContactFactory(
        pupil=pupil, name="Responsable Marqueurcontact", email="marqueurcontact@example.org"
    )
    SchoolQuota.objects.create(school=school, minimum=7, maximum=9)
    PriorityWeights.objects.create(node=tree.aisne, no_device=41)
    markers += ["ELEVE-MARQUEUR-BESOIN", "Marqueurcontact", "marqueurcontact"]
    return {
        "pupil_id": [str(pupil.pk)],
        "class_id": [str(school_class.pk)],
        "node_id": [str(tree.aisne.pk), str(tree.laon.pk)],
    }
