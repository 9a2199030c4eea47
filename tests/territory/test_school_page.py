from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import (
    Role,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    UserFactory,
    current_school_year_label,
    user_with_role,
)
from tne.core import audit
from tne.core.models import AuditAction, AuditSource
from tne.territory.enums import EducationNetwork, SchoolKind, Stage


def _page(client, user, school):
    client.force_login(user)
    return client.get(reverse("territory:school_detail", args=[school.uai]))


@pytest.fixture
def school(tree):
    return SchoolFactory(
        commune=tree.laon,
        circonscription=tree.circ_laon,
        name="École Jean Macé",
        kind=SchoolKind.ELEMENTAIRE,
        education_network=EducationNetwork.REP_PLUS,
        ips=Decimal("87.4"),
        ips_year="2021-2022",
        ips_std=Decimal("24.1"),
        address="3 rue des Écoles",
        postcode="02000",
    )


@pytest.fixture
def coordinator(tree):
    return user_with_role(Role.COORDINATOR, tree.aisne)


def test_it_shows_the_identity_of_the_school(client, school, coordinator):
    html = _page(client, coordinator, school).content.decode()

    assert "<h1>École Jean Macé</h1>" in html
    for text in [
        school.uai,
        "École élémentaire",
        "Public",
        "REP+",
        "87,4 (2021-2022), écart-type 24,1",
        "3 rue des Écoles, 02000 Laon",
        "Laon (02408)",
        "Aisne (02)",
        "Amiens",
        "Laon (0201)",
        "Laon (commune)",
    ]:
        assert text in html, text


def test_it_lists_the_classes_of_the_current_year_with_totals_per_stage(
    client, school, coordinator
):
    SchoolClassFactory(school=school, name="CP-A", levels=["CP"], headcount=22)
    SchoolClassFactory(school=school, name="CE1-CE2", levels=["CE1", "CE2"], headcount=25)
    SchoolClassFactory(
        school=school, name="GS", levels=["GS"], stage=Stage.PRE_ELEMENTARY, headcount=20
    )
    SchoolClassFactory(
        school=school,
        name="Ancienne",
        year__label="2024-2025",
        year__starts_on="2024-09-01",
        year__ends_on="2025-07-05",
    )

    html = _page(client, coordinator, school).content.decode()

    assert f"Classes de l'année {current_school_year_label()}" in html
    assert "CE1, CE2" in html
    assert "Ancienne" not in html
    assert '<th scope="row">Élémentaire</th><td>2</td><td>47</td>' in html
    assert '<th scope="row">Préélémentaire</th><td>1</td><td>20</td>' in html
    assert '<th scope="row">Total</th><td>3</td><td>67</td>' in html


def test_it_marks_the_synthesised_data(client, school, coordinator):
    SchoolClassFactory(school=school, name="CP-A", is_synthetic=False)
    html = _page(client, coordinator, school).content.decode()
    assert "Donnée synthétique" not in html

    SchoolClassFactory(school=school, name="CP-B", is_synthetic=True)
    StaffFactory(school=school, is_synthetic=True)
    school.synthesised_fields = ["education_network"]
    school.save()
    html = _page(client, coordinator, school).content.decode()

    assert html.count("Donnée synthétique") == 4  # legend of the classes, CP-B, REP+, staff
    assert "1\xa0personnel créé par la démonstration" in html


def test_it_counts_teachers_and_new_teachers_for_roles_that_see_people(client, school, coordinator):
    StaffFactory.create_batch(3, school=school)
    StaffFactory.create_batch(2, school=school, is_new_teacher=True)
    StaffFactory(school=school, role="HEAD")
    StaffFactory(school=SchoolFactory(commune=school.commune))

    html = _page(client, coordinator, school).content.decode()

    assert "Enseignants&nbsp;: 5" in html
    assert "dont nouveaux professeurs&nbsp;: 2" in html


# A parent gets 403 on the school page (loans M6: « Mon prêt » only, tne.loans.family_access).
@pytest.mark.parametrize("role", [Role.EVALUATOR])
def test_staff_counts_are_hidden_from_roles_that_do_not_see_people(client, tree, school, role):
    StaffFactory.create_batch(3, school=school)
    user = user_with_role(role, school if role == Role.PARENT else tree.aisne)

    response = _page(client, user, school)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Personnels" not in html
    assert "Enseignants" not in html


def test_a_coordinator_of_aisne_gets_404_on_a_val_d_oise_school(client, tree, coordinator):
    outside = SchoolFactory(commune=tree.cergy)

    assert _page(client, coordinator, outside).status_code == 404


def test_a_teacher_sees_only_their_school(client, tree, school):
    teacher = user_with_role(Role.TEACHER, school)
    neighbour = SchoolFactory(commune=tree.laon)

    assert _page(client, teacher, school).status_code == 200
    assert _page(client, teacher, neighbour).status_code == 404


def test_a_user_without_role_gets_404(client, school):
    assert _page(client, UserFactory(), school).status_code == 404


def test_it_shows_the_change_history(client, school, coordinator):
    author = UserFactory(first_name="Aline", last_name="Martin")
    audit.record(
        school,
        AuditAction.UPDATE,
        actor=author,
        source=AuditSource.IMPORT,
        changes={"ips": ["85.0", "87.4"], "name": ["École Macé", "École Jean Macé"]},
    )

    html = _page(client, coordinator, school).content.decode()

    assert "Historique des modifications" in html
    assert "Aline Martin" in html
    assert "Import" in html and "Modification" in html
    assert "IPS&nbsp;: 85,0 → 87,4" in html
    assert "nom&nbsp;: École Macé → École Jean Macé" in html


@pytest.mark.parametrize("role", [Role.PARENT, Role.EVALUATOR, Role.LOCAL_AUTHORITY])
def test_roles_that_may_not_see_people_get_no_history(client, school, role):
    audit.record(
        school, AuditAction.UPDATE, actor=UserFactory(first_name="Aline"), changes={"ips": [1, 2]}
    )
    target = (
        school
        if role == Role.PARENT
        else school.owner
        if role == Role.LOCAL_AUTHORITY
        else school.departement
    )
    user = user_with_role(role, target)

    html = _page(client, user, school).content.decode()

    assert "Historique des modifications" not in html
    assert "Aline" not in html


def test_the_history_is_limited_to_the_last_twenty_events(client, school, coordinator):
    for n in range(25):
        audit.record(school, AuditAction.UPDATE, changes={"name": [f"v{n}", f"v{n + 1}"]})

    html = _page(client, coordinator, school).content.decode()

    assert "Les 20&nbsp;dernières modifications" in html
    assert "v24 → v25" in html
    assert "v4 → v5" not in html


def test_the_map_link_leads_the_users_who_browse_to_the_map_of_its_departement(
    client, school, coordinator
):
    map_url = reverse("territory:departement_map", args=["02"])
    assert map_url in _page(client, coordinator, school).content.decode()
    teacher = user_with_role(Role.TEACHER, school)  # Their school, not the territory.
    assert map_url not in _page(client, teacher, school).content.decode()


def _populate(school, n_classes):
    SchoolClassFactory.create_batch(n_classes, school=school)
    StaffFactory.create_batch(n_classes, school=school, is_new_teacher=True)
    authors = UserFactory.create_batch(2)
    for n in range(n_classes):
        audit.record(school, AuditAction.UPDATE, actor=authors[n % 2], changes={"ips": [n, n + 1]})


@pytest.mark.parametrize("n_classes", [2, 30])
def test_the_school_page_makes_a_fixed_number_of_queries(
    client, school, coordinator, n_classes, django_assert_max_num_queries
):
    _populate(school, n_classes)
    client.force_login(coordinator)
    url = reverse("territory:school_detail", args=[school.uai])
    client.get(url)  # warms the content type cache

    with django_assert_max_num_queries(9):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= n_classes


def test_the_school_head_reads_the_names_of_the_staff_by_function(client, school):
    StaffFactory(school=school, last_name="Zola", first_name="Émile", is_new_teacher=True)
    StaffFactory(school=school, last_name="Aubrac", first_name="Lucie")
    head = user_with_role(Role.SCHOOL_HEAD, school)

    html = _page(client, head, school).content.decode()

    table = html[html.index('id="staff-table"') :]
    assert table.index("Aubrac Lucie") < table.index("Zola Émile")
    assert "Liste des personnels (2)" in html


def test_a_parent_reads_no_staff_name(client, school):
    StaffFactory(school=school, last_name="Zola")
    parent = user_with_role(Role.PARENT, school)

    html = _page(client, parent, school).content.decode()

    assert "Zola" not in html and 'id="staff-table"' not in html
