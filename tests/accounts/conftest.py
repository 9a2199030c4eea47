import re

import pytest

from tests.factories import SchoolFactory, UserFactory


@pytest.fixture
def owner(client):
    """A logged-in user, owner of the API tokens under test."""
    user = UserFactory()
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
