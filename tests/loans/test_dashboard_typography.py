"""French typography of the M6 dashboard when its counts are 1: a figure is followed by its
source sentence, which must not read as « 1 Remis… » (a plural after 1), for a school and for its
département."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.equipment.factories import AssetFactory, DeviceModelFactory, category
from tests.factories import Role, SchoolFactory, user_with_role
from tests.typography import typography_problems, visible_text_of_html
from tne.equipment.enums import AssetState
from tne.loans.enums import LoanStatus

from .factories import LoanFactory, NeedDeclarationFactory, PupilFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_with_ones_follows_french_typography(client, tree):
    school = SchoolFactory(commune=tree.laon, name="École Jean-Macé")
    pupil = PupilFactory(school=school, code="JM-01")
    NeedDeclarationFactory(pupil=pupil)
    device = AssetFactory(
        model=DeviceModelFactory(category=category("tablet")),
        state=AssetState.LENT,
        school=school,
    )
    LoanFactory(pupil=pupil, status=LoanStatus.ACTIVE, asset=device, handed_out_at=timezone.now())
    url = reverse("loans:dashboard")
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    for query in ({"school": school.pk}, {"node": tree.aisne.pk}):
        response = client.get(url, query)
        assert response.status_code == 200
        html = response.content.decode()
        active = 'Prêts en cours</p><p class="tne-figure__value">1</p>'
        assert active in html, query
        assert typography_problems(visible_text_of_html(html)) == [], query
