"""The home dashboard: the real figures of the user's scope (without targets beside them), the
measures of the programme with the target of the user's territory and nothing achieved yet, the
synthetic data said, an empty state without role, a fixed query budget."""

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
from tests.programme.factories import EnvelopeFactory, TargetFactory, measure
from tests.territory.factories_browse import build_world, people
from tne.territory.selectors import dashboard_figures
from tne.territory.services import refresh_school_figures


@pytest.fixture
def world(tree):
    return build_world(tree)


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_the_national_figures_count_the_whole_country(world):
    national, _ = people(world)["national"]

    figures = dashboard_figures(national)

    assert (figures.ecoles, figures.colleges, figures.lycees) == (4, 1, 1)
    assert figures.schools == 6
    assert figures.year.label == current_school_year_label()
    assert figures.classes == 7  # The class of last year is not counted.
    assert figures.elementary_classes == 3
    assert figures.pupils == 20 + 22 + 25 + 28 + 27 + 24 + 35
    assert (figures.teachers, figures.new_teachers) == (5, 2)  # The head is not a teacher.
    assert figures.synthetic_classes == 1
    assert figures.synthetic_staff == 2
    assert figures.national


def test_the_figures_of_a_coordinator_stay_in_the_departement(world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    figures = dashboard_figures(coordinator)

    assert (figures.ecoles, figures.colleges, figures.lycees) == (3, 1, 0)
    assert (figures.classes, figures.elementary_classes) == (5, 2)
    assert figures.pupils == 20 + 22 + 25 + 28 + 27
    assert (figures.teachers, figures.new_teachers) == (3, 1)
    assert not figures.has_synthetic
    assert not figures.national


def test_the_figures_of_an_ien_cover_the_circonscription(world):
    ien, _ = people(world)["IEN of the Laon circonscription"]

    figures = dashboard_figures(ien)

    assert (figures.ecoles, figures.colleges, figures.lycees) == (2, 0, 0)
    assert (figures.classes, figures.elementary_classes, figures.pupils) == (3, 2, 67)
    assert (figures.teachers, figures.new_teachers) == (2, 1)


# A parent is sent to « Mon prêt » (loans M6, tne.loans.family_access): no dashboard.
@pytest.mark.parametrize("role", ["evaluator of Val-d'Oise", "local authority officer of Laon"])
def test_roles_that_may_not_see_people_get_no_teacher_figures(client, world, role):
    user, _ = people(world)[role]

    response = dashboard(client, user)

    assert response.context["figures"].teachers is None
    assert response.context["staff_cards"] == []
    assert "Enseignants" not in response.content.decode()


def test_the_existing_counts_have_no_target_beside_them(client, world):
    """The figures count what exists: a target beside them would read as progress of the
    measure (« 14 963 classes / objectif 15 000 »), which nothing tracks yet."""
    national, _ = people(world)["national"]
    TargetFactory(node=world.tree.country, measure=measure("M5"), count=15_000)

    response = dashboard(client, national)

    html = response.content.decode()
    assert "objectif national" not in html
    assert "à équiper" not in html
    assert " %)" not in html
    assert 'id="targets-note"' not in html
    assert "pas ce qui est déjà équipé" in html
    assert not hasattr(response.context["class_cards"][0], "target")


def test_the_measures_show_the_national_target_and_nothing_achieved(client, world):
    national, _ = people(world)["national"]
    TargetFactory(node=world.tree.country, measure=measure("M4"), count=2_700)
    EnvelopeFactory(node=world.tree.country, measure=measure("M4"), amount=Decimal("9000000"))

    html = dashboard(client, national).content.decode()

    card = html[html.index('id="progress-M4"') : html.index('id="progress-M5"')]
    assert "M4 — Socle numérique des écoles" in card
    assert "0 sur 2\xa0700 classes" in card
    assert "pas encore suivi" not in card  # the equipment counts the classes in service
    assert "enveloppe 9\u202f000\u202f000\xa0€" in card
    m1 = html[html.index('id="progress-M1"') : html.index('id="progress-M2"')]
    assert "pas encore suivi" in m1  # training is not tracked yet
    assert "Aucun objectif fixé pour votre territoire" in html  # The other measures.


def test_a_coordinator_sees_the_target_of_the_departement_not_the_national_one(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]
    TargetFactory(node=world.tree.country, measure=measure("M4"), count=2_700)
    TargetFactory(node=world.tree.aisne, measure=measure("M4"), count=600)
    TargetFactory(node=world.tree.vdo, measure=measure("M4"), count=2_100)

    response = dashboard(client, coordinator)

    html = response.content.decode()
    assert "0 sur 600 classes" in html
    assert "2\xa0700" not in html
    assert "2\xa0100" not in html
    cards = {card.label: card.value for card in response.context["class_cards"]}
    assert cards == {"Classes": 5, "Classes élémentaires": 2, "Élèves (effectifs des classes)": 122}
    assert "Coordination académique ou départementale — Aisne (02)" in html


def test_a_parent_gets_no_measures_block(client, world):
    parent, _ = people(world)["parent"]
    client.force_login(parent)

    # Loans (M6): the home page sends a parent to « Mon prêt », their only page.
    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("loans:family"), 302)]
    assert 'id="measure-progress"' not in response.content.decode()


def test_synthetic_figures_are_announced(client, world):
    evaluator, _ = people(world)["evaluator of Val-d'Oise"]

    response = dashboard(client, evaluator)

    html = response.content.decode()
    assert 'id="synthetic-notice"' in html
    classes = response.context["class_cards"][0]
    assert classes.synthetic
    assert classes.source == "Classes en partie synthétisées par la démonstration"
    schools = response.context["school_cards"][0]
    assert not schools.synthetic
    assert schools.source == "Données ouvertes du ministère de l'Éducation nationale"


def test_no_notice_when_every_figure_in_scope_is_real(client, world):
    coordinator, _ = people(world)["coordinator of Aisne"]

    assert 'id="synthetic-notice"' not in dashboard(client, coordinator).content.decode()


def test_a_school_role_gets_a_link_to_its_school(client, world):
    teacher, _ = people(world)["teacher"]

    html = dashboard(client, teacher).content.decode()

    assert reverse("territory:school_detail", args=[world.cergy_ecole.uai]) in html
    assert reverse("territory:school_list") in html


def test_a_user_without_role_sees_the_empty_state(client, world):
    response = dashboard(client, UserFactory())

    html = response.content.decode()
    assert "Aucun rôle ne vous a été attribué" in html
    assert "contactez votre coordinateur" in html
    assert "tne-figure" not in html


def test_the_dashboard_needs_a_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("role", [Role.NATIONAL, Role.COORDINATOR])
def test_the_dashboard_makes_a_fixed_number_of_queries(
    client, tree, count, role, django_assert_max_num_queries
):
    for _ in range(count):
        school = SchoolFactory(commune=tree.laon)
        SchoolClassFactory(school=school)
        StaffFactory(school=school)
    refresh_school_figures()
    user = user_with_role(role, tree.country if role == Role.NATIONAL else tree.aisne)
    client.force_login(user)

    # 6 for the figures (session, user, grants, schools, year, sums), 2 for the measures of the
    # programme (the current period, the measures with their targets and envelopes), 1 for each
    # measure an app counts (equipment: M4, M5, M7; loans: M6).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))

    assert response.context["figures"].schools == count
    assert response.context["figures"].classes == count
