"""The admin sets periods; targets and envelopes are only read there (their writes go through
the services, which check authority and splits and write the audit trail)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.programme.factories import EnvelopeFactory, TargetFactory


@pytest.mark.parametrize("model", ["measure", "period", "target", "envelope"])
def test_a_superuser_reads_every_programme_list(admin_client, tree, period, model):
    TargetFactory(node=tree.aisne, period=period)
    EnvelopeFactory(node=tree.aisne, amount=Decimal("1234.50"))

    response = admin_client.get(reverse(f"admin:programme_{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["measure", "target", "envelope"])
def test_targets_envelopes_and_measures_are_not_added_in_the_admin(admin_client, db, model):
    assert admin_client.get(reverse(f"admin:programme_{model}_add")).status_code == 403


def test_a_period_is_added_in_the_admin(admin_client, db):
    response = admin_client.post(
        reverse("admin:programme_period_add"),
        {"label": "Généralisation", "kind": "PHASE", "starts_on": "2022-09-01", "ends_on": ""},
    )

    assert response.status_code == 302
