"""factory_boy factories for the whole project. ``territory_tree()`` builds two départements in
two académies, like the pilot, so scoping tests have an inside and an outside."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tne.accounts.models import RoleAssignment, User
from tne.accounts.roles import grant_role
from tne.core.roles import Role
from tne.territory.enums import NodeKind, SchoolKind, Sector, StaffRole, Stage
from tne.territory.models import (
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    TerritoryNode,
    school_search_text,
    school_year_label,
)
from tne.territory.validators import uai_check_letter


def node(kind, code, name, parent=None, **extra) -> TerritoryNode:
    obj, _ = TerritoryNode.objects.get_or_create(
        kind=kind,
        code=code,
        defaults={
            "name": name,
            "parent": parent,
            "path": TerritoryNode.path_for(kind, code, parent),
            "depth": (parent.depth + 1) if parent else 0,
            **extra,
        },
    )
    return obj


class Tree:
    """Pays → 2 régions → 2 académies → Aisne (02) and Val-d'Oise (95), two communes each and one
    circonscription each."""

    def __init__(self):
        self.country = node(NodeKind.COUNTRY, "FR", "France")
        self.hdf = node(NodeKind.REGION, "32", "Hauts-de-France", self.country)
        self.idf = node(NodeKind.REGION, "11", "Île-de-France", self.country)
        self.amiens = node(NodeKind.ACADEMIE, "20", "Amiens", self.hdf)
        self.versailles = node(NodeKind.ACADEMIE, "25", "Versailles", self.idf)
        self.aisne = node(NodeKind.DEPARTEMENT, "02", "Aisne", self.amiens, is_pilot=True)
        self.vdo = node(NodeKind.DEPARTEMENT, "95", "Val-d'Oise", self.versailles, is_pilot=True)
        self.laon = node(NodeKind.COMMUNE, "02408", "Laon", self.aisne)
        self.soissons = node(NodeKind.COMMUNE, "02722", "Soissons", self.aisne)
        self.cergy = node(NodeKind.COMMUNE, "95127", "Cergy", self.vdo)
        self.pontoise = node(NodeKind.COMMUNE, "95500", "Pontoise", self.vdo)
        self.circ_laon = node(NodeKind.CIRCONSCRIPTION, "0201", "Laon", self.aisne)
        self.circ_cergy = node(NodeKind.CIRCONSCRIPTION, "9501", "Cergy", self.vdo)


def territory_tree() -> Tree:
    return Tree()


_uai_counter = iter(range(1000, 10**7))


def make_uai(dep: str = "002") -> str:
    digits = f"{dep}{next(_uai_counter) % 10000:04d}"
    return digits + uai_check_letter(digits)


class SchoolFactory(DjangoModelFactory):
    """Needs ``commune=``; the other territory links are derived from it."""

    class Meta:
        model = School

    uai = factory.LazyAttribute(lambda o: make_uai("0" + o.commune.code[:2]))
    name = factory.Faker("street_name", locale="fr_FR")
    search_name = factory.LazyAttribute(lambda o: school_search_text(o.name, o.commune.name))
    kind = SchoolKind.ELEMENTAIRE
    sector = Sector.PUBLIC
    ips = factory.LazyFunction(lambda: Decimal("100.0"))
    departement = factory.LazyAttribute(lambda o: o.commune.parent)
    academie = factory.LazyAttribute(lambda o: o.departement.parent)
    region = factory.LazyAttribute(lambda o: o.academie.parent)
    owner = factory.LazyAttribute(
        lambda o: (
            o.commune
            if o.kind in SchoolKind.first_degree()
            else (o.departement if o.kind == SchoolKind.COLLEGE else o.region)
        )
    )


def current_school_year_label() -> str:
    """The label of the school year of today's date (« 2026-2027 » from 1 September 2026)."""
    return school_year_label(timezone.localdate())


class SchoolYearFactory(DjangoModelFactory):
    """By default the school year of today's date, hence the current one (not pinned)."""

    class Meta:
        model = SchoolYear
        django_get_or_create = ("label",)

    label = factory.LazyFunction(current_school_year_label)
    starts_on = factory.LazyAttribute(lambda o: datetime.date(int(o.label[:4]), 9, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(int(o.label[:4]) + 1, 7, 4))


class SchoolClassFactory(DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(SchoolYearFactory)
    name = factory.Sequence(lambda n: f"Classe {n}")
    levels = factory.LazyFunction(lambda: ["CE1"])
    stage = Stage.ELEMENTARY
    headcount = 24


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = Staff

    school = factory.SubFactory(SchoolFactory)
    role = StaffRole.TEACHER
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-de-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def grant(user: User, role: str, target) -> RoleAssignment:
    """Give ``user`` ``role`` on a TerritoryNode or a School."""
    return grant_role(user=user, role=role, target=target)


def user_with_role(role: str, target) -> User:
    user = UserFactory()
    grant(user, role, target)
    return user


__all__ = [
    "Role",
    "SchoolClassFactory",
    "SchoolFactory",
    "SchoolYearFactory",
    "StaffFactory",
    "UserFactory",
    "grant",
    "territory_tree",
    "user_with_role",
]
