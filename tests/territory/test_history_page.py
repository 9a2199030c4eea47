"""« Historique du territoire »: the changes made in the places where the user reads people, in
French, with current names and no stored one; closed to roles that do not read people."""

import pytest
from django.urls import reverse

from tests.factories import Role, SchoolFactory, StaffFactory, UserFactory, grant, user_with_role
from tne.core.models import AuditSource
from tne.territory import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(tree):
    laon = SchoolFactory(commune=tree.laon, name="École Jean Macé")
    cergy = SchoolFactory(commune=tree.cergy, name="École des Touleuses")
    staff = StaffFactory(school=laon, first_name="Ana", last_name="Lys")
    services.staff_update(staff=staff, values={"last_name": "Lys-Martin"}, source=AuditSource.ADMIN)
    other = StaffFactory(school=cergy, first_name="Zoé", last_name="Kerbrat")
    services.staff_update(staff=other, values={"is_new_teacher": True})
    grant(UserFactory(), Role.COORDINATOR, tree.aisne)
    return laon, staff


def test_a_coordinator_reads_the_changes_of_their_territory_in_french(client, tree, changes):
    _, staff = changes
    client.force_login(user_with_role(Role.COORDINATOR, tree.aisne))

    response = client.get(reverse("territory:history"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Modification — personnel&nbsp;: Ana Lys-Martin" in page  # the current name
    assert "nom\u00a0: modifié" in page
    assert "Kerbrat" not in page  # Val-d'Oise
    pk = staff.pk
    staff.delete()
    page = client.get(reverse("territory:history")).content.decode()
    assert f"personnel&nbsp;: Personnel n° {pk}" in page
    assert "Lys-Martin" not in page


def test_roles_that_do_not_read_people_have_no_history(client, tree, changes):
    client.force_login(user_with_role(Role.EVALUATOR, tree.country))

    assert client.get(reverse("territory:history")).status_code == 403


def test_the_history_page_has_a_fixed_query_budget(
    client, tree, changes, django_assert_max_num_queries
):
    client.force_login(user_with_role(Role.NATIONAL, tree.country))
    client.get(reverse("territory:history"))

    with django_assert_max_num_queries(14):
        assert client.get(reverse("territory:history")).status_code == 200
