import re

import pytest

from tests.factories import SchoolFactory


@pytest.fixture(autouse=True)
def _invitations_through_djangos_mail(settings):
    """The accounts' invitations go through ``tne.core.notify``: with its ``email`` backend they
    reach Django's mail, the outbox of the tests (the default in development is the console)."""
    settings.TNE_NOTIFY_EMAIL_BACKEND = "email"


def api_user():
    """A user whose role carries ``accounts.use_api`` (national steering)."""
    from tests.factories import Role, node, user_with_role
    from tne.territory.enums import NodeKind

    return user_with_role(Role.NATIONAL, node(NodeKind.COUNTRY, "FR", "France"))


@pytest.fixture
def owner(client):
    """A logged-in user, owner of the API tokens under test: national steering (a role that may use
    the API, ``accounts.use_api``)."""
    user = api_user()
    client.force_login(user)
    return user


@pytest.fixture
def laon_school(tree):
    return SchoolFactory(commune=tree.laon)


@pytest.fixture
def cergy_school(tree):
    return SchoolFactory(commune=tree.cergy)


def raw_token_shown(response) -> str | None:
    """The raw API token a page shows once after its creation, if any."""
    found = re.search(r'data-testid="raw-token">(tne_[^<]+)<', response.content.decode())
    return found.group(1) if found else None
