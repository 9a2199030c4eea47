"""The pages open to a family-only account are a registry hook (``core.registry.parent_page``):
loans registers « Mon prêt », its agreement and its API route; a later app (the parents'
training of M2) registers its own pages the same way, without editing the loans' middleware."""

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role
from tne.core import registry
from tne.loans.services.families import link_parent

from .dashboard_factories import pilot

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(tree):
    return pilot(tree)


@pytest.fixture
def parent(p):
    head = user_with_role(Role.SCHOOL_HEAD, p.laon_a)
    return link_parent(actor=head, pupil=p.pupils["A1"], email="parent@example.org").link.user


def test_loans_registers_the_family_pages_and_logging_out_stays_open(client, parent):
    assert {"loans:family", "loans:family_agreement", "api:family_loans"} <= (
        registry.parent_pages()
    )
    client.force_login(parent)

    assert client.get(reverse("loans:family")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code in (200, 302)


def test_a_page_another_app_registers_opens_to_parents_and_closes_again(client, p, parent):
    # Their school's page, which their role reads (``territory.view_schools``), stands for the
    # page of a later app for parents.
    page = reverse("territory:school_detail", args=[p.laon_a.uai])
    client.force_login(parent)
    before = client.get(page).status_code

    registry.parent_page("territory:school_detail")
    try:
        opened = client.get(page).status_code
    finally:
        registry.unregister_parent_page("territory:school_detail")

    assert (before, opened) == (403, 200)
    assert client.get(page).status_code == 403
