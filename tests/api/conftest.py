"""Schools on both sides of the pilot (three in Aisne, two in Val-d'Oise) and API clients that
authenticate with a personal token."""

from dataclasses import dataclass

import pytest

from tests.api.clients import SessionClient, TokenClient
from tests.factories import SchoolClassFactory, SchoolFactory, StaffFactory, user_with_role
from tne.territory.enums import EducationNetwork, SchoolKind, Sector


@dataclass
class Schools:
    laon_ecole: object
    soissons_ecole: object
    laon_college: object
    cergy_ecole: object
    pontoise_college: object

    def all(self):
        return [
            self.laon_ecole,
            self.soissons_ecole,
            self.laon_college,
            self.cergy_ecole,
            self.pontoise_college,
        ]


@pytest.fixture
def schools(tree):
    found = Schools(
        laon_ecole=SchoolFactory(
            commune=tree.laon,
            circonscription=tree.circ_laon,
            name="École Jean Macé",
            education_network=EducationNetwork.REP_PLUS,
            ips="72.4",
        ),
        soissons_ecole=SchoolFactory(
            commune=tree.soissons, name="École du Centre", sector=Sector.PRIVATE, ips="118.0"
        ),
        laon_college=SchoolFactory(
            commune=tree.laon,
            kind=SchoolKind.COLLEGE,
            name="Collège Les Frères Le Nain",
            education_network=EducationNetwork.REP,
            ips="88.0",
        ),
        cergy_ecole=SchoolFactory(
            commune=tree.cergy, circonscription=tree.circ_cergy, name="École des Linandes"
        ),
        pontoise_college=SchoolFactory(
            commune=tree.pontoise, kind=SchoolKind.COLLEGE, name="Collège Pissarro"
        ),
    )
    for school in found.all():
        SchoolClassFactory(school=school)
        StaffFactory(school=school)
    return found


@pytest.fixture
def api_as(client):
    """``api_as(role, target)``: a TokenClient for a new user holding that role, or a
    SessionClient (the API from the browser) for a role without ``accounts.use_api``, whose
    tokens the API refuses."""
    from tne.accounts.perms import can_use_api

    def make(role, target):
        user = user_with_role(role, target)
        return TokenClient(client, user) if can_use_api(user) else SessionClient(client, user)

    return make
