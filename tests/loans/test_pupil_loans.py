"""A pupil's page leads to the pupil's loans (each to its page, where the school records the
family's answer and hands the device out) and, for the school head and the M6 coordinator, to
linking a parent's account; per grant: the IEN reads the loans but links no family."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from tne.loans.enums import LoanStatus

from .factories import LoanFactory, lendable_asset
from .needs_helpers import Needs

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(tree):
    return Needs(tree)


def page_of(client, pupil) -> str:
    response = client.get(reverse("loans:pupil", args=[pupil.pk]))
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def test_it_lists_the_pupils_loans_with_a_link_to_each(client, place):
    pupil = place.pupil(code="E-001")
    declined = LoanFactory(pupil=pupil, status=LoanStatus.DECLINED)
    asset = lendable_asset(place.school, asset_tag="TNE-E001")
    active = LoanFactory(pupil=pupil, status=LoanStatus.ACTIVE, asset=asset)
    other = LoanFactory(pupil=place.pupil(code="E-002"))
    client.force_login(place.head)

    html = page_of(client, pupil)

    assert reverse("loans:loan", args=[declined.pk]) in html
    assert reverse("loans:loan", args=[active.pk]) in html
    assert reverse("loans:loan", args=[other.pk]) not in html
    text = re.sub(r"<[^>]+>", "", html)
    assert f"Prêt n°\u00a0{active.pk}\u00a0: Tablette TNE-E001 — En cours" in text
    assert f"Prêt n°\u00a0{declined.pk}\u00a0: Tablette — Décliné ou retiré" in text
    assert reverse("loans:family_links", args=[pupil.pk]) in html


def test_a_pupil_without_a_loan_says_so(client, place):
    pupil = place.pupil(code="E-001")
    client.force_login(place.head)

    html = page_of(client, pupil)

    assert "Aucun prêt n'est proposé à cet élève pour l'instant." in html


def test_the_coordinator_links_families_and_the_ien_only_reads_the_loans(client, place):
    pupil = place.pupil(code="E-001")
    offer = LoanFactory(pupil=pupil)
    family_links = reverse("loans:family_links", args=[pupil.pk])

    client.force_login(place.coordinator)
    html = page_of(client, pupil)
    assert reverse("loans:loan", args=[offer.pk]) in html
    assert family_links in html

    client.force_login(place.ien)
    html = page_of(client, pupil)
    assert reverse("loans:loan", args=[offer.pk]) in html
    assert family_links not in html
    assert client.get(family_links).status_code == 403


def test_a_head_here_and_parent_elsewhere_links_only_here(client, place):
    """The « Parent » grant on école B gives no reach to B's pupils' pages or loans."""
    here = place.pupil(code="E-001")
    there = place.pupil(place.other_class, code="B-001")
    LoanFactory(pupil=there)
    client.force_login(place.two_roles)

    html = page_of(client, here)

    assert reverse("loans:family_links", args=[here.pk]) in html
    assert client.get(reverse("loans:pupil", args=[there.pk])).status_code == 404
