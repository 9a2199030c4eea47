"""From the equipment's page of a device, the loan that names it (``core.registry.asset_link``,
registered by loans): « Voir le prêt de ce matériel » for who reads that loan, « Reprendre au
guichet des prêts » for who hands out at its school — each on its own permission — and the
notice that a lent device comes back at the counter."""

import pytest
from django.urls import reverse

from tests.factories import Role, user_with_role

from .lifecycle_factories import accepted_loan, active_loan, lendable_asset, prepare

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


def device_page(client, user, asset) -> str:
    client.force_login(user)
    response = client.get(reverse("equipment:asset_detail", args=[asset.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lent_device_links_to_its_loan_and_to_the_counters_return(client, counter):
    loan = active_loan(counter, tag="TNE-LIEN-1")
    loan_page = reverse("loans:loan", args=[loan.pk])
    counter_return = reverse("loans:return", args=[counter.school.pk]) + "?code=TNE-LIEN-1"

    html = device_page(client, counter.technician, loan.asset)

    assert "son retour se fait au guichet des prêts" in html
    assert loan_page in html and counter_return in html
    assert "TNE-LIEN-1" in client.get(counter_return).content.decode()


def test_who_reads_loans_without_handing_out_gets_the_loan_only(client, counter):
    loan = active_loan(counter)
    ien = user_with_role(Role.IEN_ERUN, counter.tree.circ_laon)

    html = device_page(client, ien, loan.asset)

    assert reverse("loans:loan", args=[loan.pk]) in html
    assert reverse("loans:return", args=[counter.school.pk]) not in html


def test_a_device_reserved_by_a_convention_links_to_its_loan_without_the_notice(client, counter):
    asset = lendable_asset(counter.school)
    loan = prepare(counter, accepted_loan(counter.school), asset.asset_tag)

    html = device_page(client, counter.technician, asset)

    assert reverse("loans:loan", args=[loan.pk]) in html
    assert "son retour se fait au guichet des prêts" not in html
    assert reverse("loans:return", args=[counter.school.pk]) not in html


def test_a_device_of_no_open_loan_has_no_link(client, counter):
    asset = lendable_asset(counter.school)

    html = device_page(client, counter.technician, asset)

    assert 'id="asset-lent"' not in html
