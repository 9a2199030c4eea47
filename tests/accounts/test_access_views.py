"""The « Accès » pages: the list of role assignments in the manager's scope, granting a role
(creating the account and its password link), withdrawing one after confirmation."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from tests.factories import Role, UserFactory, grant, user_with_role
from tne.accounts.models import RoleAssignment, User
from tne.accounts.roles import grant_role, withdraw_role
from tne.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

LIST_URL = "/comptes/acces/"
GRANT_URL = "/comptes/acces/ajouter/"
EXPORT_URL = "/comptes/acces/export.csv"


def withdraw_url(assignment) -> str:
    return f"/comptes/acces/{assignment.pk}/retirer/"


@pytest.fixture
def aisne_coordinator(tree, client):
    user = user_with_role(Role.COORDINATOR, tree.aisne)
    client.force_login(user)
    return user


@pytest.fixture
def national(tree, client):
    user = user_with_role(Role.NATIONAL, tree.country)
    client.force_login(user)
    return user


def test_the_pages_need_a_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")


@pytest.mark.parametrize(
    ("role", "target"),
    [(Role.IEN_ERUN, "circ_laon"), (Role.TECHNICIAN, "aisne"), (Role.EVALUATOR, "country")],
)
def test_other_roles_get_a_403(client, tree, role, target):
    client.force_login(user_with_role(role, getattr(tree, target)))
    assignment = grant(UserFactory(), Role.TRAINER, tree.aisne)

    assert client.get(LIST_URL).status_code == 403
    assert client.get(GRANT_URL).status_code == 403
    assert client.post(GRANT_URL, {"email": "x@example.org"}).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403
    assert client.post(withdraw_url(assignment)).status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_coordinator_lists_the_assignments_of_their_departement(
    client, tree, aisne_coordinator, laon_school, cergy_school
):
    teacher = UserFactory(email="enseignante@example.org", first_name="Léa", last_name="Roux")
    grant(teacher, Role.TEACHER, laon_school)
    grant(UserFactory(email="cergy@example.org"), Role.TEACHER, cergy_school)

    response = client.get(LIST_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Accès</h1>" in content
    assert "enseignante@example.org" in content and "Léa Roux" in content
    assert str(laon_school.uai) in content
    assert "cergy@example.org" not in content
    assert "2\xa0rôles attribués." in content
    assert 'name="departement"' not in content  # one département only: no filter


def test_the_list_filters_by_role_and_text(client, tree, aisne_coordinator, laon_school):
    # First names given too: a random one (« Martine ») would match the search.
    anne = UserFactory(email="anne@example.org", first_name="Anne", last_name="Martin")
    paul = UserFactory(email="paul@example.org", first_name="Paul", last_name="Durand")
    tech = UserFactory(email="tech@example.org", first_name="Léa", last_name="Martin")
    grant(anne, Role.TEACHER, laon_school)
    grant(paul, Role.TEACHER, laon_school)
    grant(tech, Role.TECHNICIAN, tree.aisne)

    by_text = client.get(LIST_URL, {"text": "MARTIN"}).content.decode()
    by_both = client.get(LIST_URL, {"text": "martin", "role": Role.TEACHER}).content.decode()

    assert "anne@example.org" in by_text and "tech@example.org" in by_text
    assert "paul@example.org" not in by_text
    assert "anne@example.org" in by_both and "tech@example.org" not in by_both


def test_the_empty_list_says_so(client, tree, aisne_coordinator):
    response = client.get(LIST_URL, {"text": "personne-inconnue"})

    assert "Aucun rôle attribué ne correspond à ces critères" in response.content.decode()


def test_national_filters_by_departement(client, tree, national, laon_school, cergy_school):
    grant(UserFactory(email="aisne@example.org"), Role.TEACHER, laon_school)
    grant(UserFactory(email="vdo@example.org"), Role.IEN_ERUN, tree.circ_cergy)

    everything = client.get(LIST_URL).content.decode()
    vdo = client.get(LIST_URL, {"departement": "95"}).content.decode()

    assert 'name="departement"' in everything
    assert "aisne@example.org" in everything and "vdo@example.org" in everything
    assert "vdo@example.org" in vdo and "aisne@example.org" not in vdo


def test_a_departement_outside_the_scope_is_a_404(client, tree, aisne_coordinator):
    assert client.get(LIST_URL, {"departement": "95"}).status_code == 404


def test_the_htmx_filter_returns_the_results_only(client, tree, aisne_coordinator):
    response = client.get(LIST_URL, headers={"HX-Request": "true", "HX-Target": "access-results"})

    content = response.content.decode()
    assert "<h1>" not in content
    assert "rôle attribué." in content


def test_the_csv_export_follows_scope_and_filters(
    client, tree, aisne_coordinator, laon_school, cergy_school
):
    grant(UserFactory(email="anne@example.org"), Role.TEACHER, laon_school)
    grant(UserFactory(email="=cmd@example.org"), Role.TECHNICIAN, tree.aisne)
    grant(UserFactory(email="cergy@example.org"), Role.TEACHER, cergy_school)

    response = client.get(EXPORT_URL, {"role": Role.TEACHER})

    text = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeffAdresse électronique;")
    assert "anne@example.org" in text
    assert "cergy@example.org" not in text and "cmd@example.org" not in text
    assert "'=cmd@example.org" in b"".join(client.get(EXPORT_URL).streaming_content).decode()


# Session, user, their grants, the départements of the filter, the count, the page.
LIST_QUERIES = 6


@pytest.mark.parametrize("rows", [5, 30])
def test_the_list_has_a_fixed_query_budget(
    client, tree, national, laon_school, django_assert_max_num_queries, rows
):
    for index in range(rows):
        person = UserFactory()
        grant_role(user=person, role=Role.TEACHER, target=laon_school, granted_by=national)
        if index % 2:
            grant(person, Role.TRAINER, tree.aisne)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert response.content.decode().count('<tr id="assignment-') == min(rows + rows // 2 + 1, 25)


def test_the_grant_form_has_a_fixed_query_budget(
    client, tree, national, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):  # session, user, grants, the territories offered
        assert client.get(GRANT_URL).status_code == 200


def test_a_coordinator_cannot_see_nor_withdraw_a_val_d_oise_assignment(
    client, tree, aisne_coordinator, cergy_school
):
    outside = grant(UserFactory(), Role.TEACHER, cergy_school)

    assert client.get(withdraw_url(outside)).status_code == 404
    assert client.post(withdraw_url(outside)).status_code == 404
    assert RoleAssignment.objects.filter(pk=outside.pk).exists()


def test_withdrawing_asks_for_confirmation_then_withdraws(
    client, tree, aisne_coordinator, laon_school
):
    assignment = grant(UserFactory(email="retrait@example.org"), Role.TEACHER, laon_school)

    confirmation = client.get(withdraw_url(assignment))
    assert confirmation.status_code == 200
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert 'method="post"' in confirmation.content.decode()
    assert "retrait@example.org" in confirmation.content.decode()
    assert "perdra le rôle «&nbsp;Enseignant&nbsp;»" in confirmation.content.decode()

    response = client.post(withdraw_url(assignment), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert "est retiré à retrait@example.org" in response.content.decode()
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(RoleAssignment),
        object_id=str(assignment.pk),
        action=AuditAction.DELETE,
    )
    assert event.actor == aisne_coordinator


def test_a_coordinator_cannot_withdraw_another_coordinator(client, tree, aisne_coordinator):
    other = grant(UserFactory(), Role.COORDINATOR, tree.aisne)

    assert client.get(withdraw_url(other)).status_code == 403
    assert client.post(withdraw_url(other)).status_code == 403
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


def test_a_manager_cannot_withdraw_their_last_managing_role(client, tree, national):
    own = national.role_assignments.get()

    confirmation = client.get(withdraw_url(own)).content.decode()
    response = client.post(withdraw_url(own))

    assert "dernier rôle de gestion des accès" in confirmation
    assert "Retirer le rôle</button>" not in confirmation
    assert response.status_code == 200
    assert "dernier rôle de gestion des accès" in response.content.decode()
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_the_grant_form_offers_no_managing_role_to_a_coordinator(client, tree, aisne_coordinator):
    content = client.get(GRANT_URL).content.decode()

    assert 'value="TEACHER"' in content
    assert 'value="NATIONAL"' not in content and 'value="COORDINATOR"' not in content
    assert "Val-d&#x27;Oise" not in content and "Cergy" not in content
    assert "Circonscription — Laon" in content


@pytest.mark.parametrize("role", [Role.NATIONAL, Role.COORDINATOR])
def test_a_coordinator_cannot_grant_a_managing_role(client, tree, aisne_coordinator, role):
    response = client.post(
        GRANT_URL, {"email": "chef@example.org", "role": role, "node": tree.aisne.pk}
    )

    assert response.status_code == 200
    assert "Vous ne pouvez pas attribuer ce rôle." in response.content.decode()
    assert not User.objects.filter(email="chef@example.org").exists()


def test_granting_on_a_val_d_oise_school_is_a_form_error(
    client, tree, aisne_coordinator, cergy_school
):
    response = client.post(
        GRANT_URL, {"email": "prof@example.org", "role": Role.TEACHER, "uai": cergy_school.uai}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "UAI de l&#x27;établissement\u00a0: aucun établissement de votre périmètre" in content
    assert cergy_school.uai in content
    assert not User.objects.filter(email="prof@example.org").exists()


def test_granting_on_a_node_outside_the_scope_is_a_form_error(client, tree, aisne_coordinator):
    response = client.post(
        GRANT_URL, {"email": "ien@example.org", "role": Role.IEN_ERUN, "node": tree.circ_cergy.pk}
    )

    content = response.content.decode()
    assert "Ce territoire ne fait pas partie de votre périmètre." in content
    assert "Choisissez le territoire" not in content  # one error, the right one
    assert not RoleAssignment.objects.filter(role=Role.IEN_ERUN).exists()


def test_a_role_on_the_wrong_kind_of_node_shows_the_model_message(client, tree, aisne_coordinator):
    response = client.post(
        GRANT_URL, {"email": "ien@example.org", "role": Role.IEN_ERUN, "node": tree.laon.pk}
    )

    assert "Ce rôle s&#x27;attribue sur\u00a0: circonscription." in response.content.decode()
    assert not User.objects.filter(email="ien@example.org").exists()


def test_a_school_role_needs_a_uai(client, tree, aisne_coordinator):
    response = client.post(GRANT_URL, {"email": "p@example.org", "role": Role.PARENT})

    assert "Indiquez l&#x27;UAI de l&#x27;établissement pour ce rôle." in response.content.decode()


def test_the_role_choice_narrows_the_target_field(client, tree, aisne_coordinator):
    headers = {"HX-Request": "true", "HX-Target": "grant-target"}

    ien = client.get(GRANT_URL, {"role": Role.IEN_ERUN}, headers=headers).content.decode()
    teacher = client.get(GRANT_URL, {"role": Role.TEACHER}, headers=headers).content.decode()

    assert "<h1>" not in ien
    assert "Circonscription — Laon" in ien and "Commune — Laon" not in ien
    assert 'name="uai"' not in ien
    assert 'name="uai"' in teacher and 'name="node"' not in teacher


def _mailed_link(address: str) -> str:
    """The password link of the last message sent to ``address``."""
    sent = [m for m in mail.outbox if m.to == [address]]
    assert sent, f"no message to {address}"
    return re.search(r"(http://testserver/comptes/mot-de-passe/\S+)", sent[-1].body).group(1)


def test_granting_to_a_new_person_mails_them_a_working_password_link(
    client, tree, aisne_coordinator, laon_school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            GRANT_URL,
            {
                "email": "Nouvelle@Example.org",
                "first_name": "Zoé",
                "last_name": "Lefèvre",
                "role": Role.SCHOOL_HEAD,
                "uai": laon_school.uai.lower(),
            },
        )

    content = response.content.decode()
    person = User.objects.get(email="nouvelle@example.org")
    assert response.status_code == 200
    assert person.role_assignments.get().school == laon_school
    # The page never shows the link: it goes to the person's own address.
    assert "/comptes/mot-de-passe/" not in content
    assert "un message lui est envoyé" in content
    (message,) = mail.outbox
    assert message.to == ["nouvelle@example.org"]
    assert message.subject == "TNE\u00a0: choisissez votre mot de passe"
    assert "Direction d'école ou d'établissement" in message.body
    link = _mailed_link("nouvelle@example.org")

    client.logout()
    form_page = client.get(link, follow=True)
    assert "Choisir votre mot de passe" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    password = "Un-mot-de-passe-solide-42"
    done = client.post(set_url, {"new_password1": password, "new_password2": password}, follow=True)
    assert done.redirect_chain[-1][0] == "/comptes/connexion/"
    assert "Votre mot de passe est enregistré" in done.content.decode()

    assert client.login(username="nouvelle@example.org", password=password)
    client.logout()
    assert "Ce lien ne fonctionne plus" in client.get(link, follow=True).content.decode()


def test_granting_to_a_person_who_has_a_password_sends_nothing(
    client, tree, aisne_coordinator, django_capture_on_commit_callbacks
):
    UserFactory(email="existe@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            GRANT_URL, {"email": "existe@example.org", "role": Role.TRAINER, "node": tree.aisne.pk}
        )

    content = response.content.decode()
    assert "existe@example.org a maintenant le rôle «&nbsp;Formateur&nbsp;» sur Aisne (02)." in (
        content
    )
    assert mail.outbox == []


def test_the_page_reads_the_same_whether_the_address_had_an_account_or_not(
    client, tree, aisne_coordinator, cergy_school
):
    """The grant form is no lookup of who has an account in the country: a new address, an
    account created elsewhere without a password yet, and an account with a password give the
    same page (but for the address)."""
    waiting = User.objects.create_user(email="attente95@example.org")
    grant_role(user=waiting, role=Role.SCHOOL_HEAD, target=cergy_school)
    UserFactory(email="actif@example.org")

    def page(address):
        data = {"email": address, "role": Role.TRAINER, "node": tree.aisne.pk}
        content = client.post(GRANT_URL, data).content.decode()
        main = re.search(r"<main.*?</main>", content, re.S).group(0)
        # The breadcrumb's element ids are drawn at random for each page.
        return re.sub(r"breadcrumb-\w+", "breadcrumb", main.replace(address, "ADRESSE"))

    assert page("nouveau@example.org") == page("attente95@example.org") == page("actif@example.org")


def test_an_account_opened_elsewhere_gets_its_link_by_mail_not_the_manager(
    client, tree, aisne_coordinator, cergy_school, django_capture_on_commit_callbacks
):
    """A Val-d'Oise coordinator created this account and its password is not chosen yet: an
    Aisne coordinator who grants it a role never gets a link that would open it; the person
    does, at their own address."""
    newcomer = User.objects.create_user(email="nouveau95@example.org")
    grant_role(user=newcomer, role=Role.SCHOOL_HEAD, target=cergy_school)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            GRANT_URL,
            {"email": "nouveau95@example.org", "role": Role.TRAINER, "node": tree.aisne.pk},
        )

    assert "/comptes/mot-de-passe/" not in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nouveau95@example.org"]]


def test_an_account_whose_roles_were_all_withdrawn_is_not_handed_over(
    client, tree, aisne_coordinator, laon_school, django_capture_on_commit_callbacks
):
    """National steering created an account and withdrew its only role: a coordinator who
    grants it a role gets no link (the person receives it)."""
    steering = user_with_role(Role.NATIONAL, tree.country)
    orphan = User.objects.create_user(email="orphelin@example.org")
    only = grant_role(user=orphan, role=Role.TEACHER, target=laon_school, granted_by=steering)
    withdraw_role(assignment=only, withdrawn_by=steering)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            GRANT_URL,
            {"email": "orphelin@example.org", "role": Role.TRAINER, "node": tree.aisne.pk},
        )

    assert "/comptes/mot-de-passe/" not in response.content.decode()
    assert [m.to for m in mail.outbox] == [["orphelin@example.org"]]


@pytest.mark.parametrize("kind", ["superuser", "staff", "national"])
def test_a_coordinator_cannot_attach_roles_to_a_privileged_account(
    client, tree, aisne_coordinator, kind
):
    person = UserFactory(
        email="haut@example.org", is_superuser=kind == "superuser", is_staff=kind == "staff"
    )
    if kind == "national":
        grant(person, Role.NATIONAL, tree.country)

    response = client.post(
        GRANT_URL, {"email": "haut@example.org", "role": Role.TRAINER, "node": tree.aisne.pk}
    )

    assert "Cette adresse ne peut pas recevoir de rôle depuis cette page" in (
        response.content.decode()
    )
    assert not person.role_assignments.filter(role=Role.TRAINER).exists()


def test_a_lost_link_is_sent_again_with_the_next_grant(
    client, tree, aisne_coordinator, django_capture_on_commit_callbacks
):
    data = {"email": "perdu@example.org", "role": Role.TECHNICIAN, "node": tree.aisne.pk}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(GRANT_URL, data)
        client.post(GRANT_URL, data)

    assert [m.to for m in mail.outbox] == [["perdu@example.org"]] * 2


def test_granting_the_same_role_twice_says_nothing_changed(client, tree, aisne_coordinator):
    data = {"email": "deux@example.org", "role": Role.TECHNICIAN, "node": tree.aisne.pk}

    client.post(GRANT_URL, data)
    response = client.post(GRANT_URL, data)

    assert "avait déjà le rôle «&nbsp;Technicien équipement&nbsp;» sur Aisne (02)" in (
        response.content.decode()
    )
    assert RoleAssignment.objects.filter(user__email="deux@example.org").count() == 1


def test_a_grant_is_audited_with_the_manager_as_actor(client, tree, aisne_coordinator):
    client.post(GRANT_URL, {"email": "a@example.org", "role": Role.TRAINER, "node": tree.aisne.pk})

    assignment = RoleAssignment.objects.get(user__email="a@example.org")
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(RoleAssignment),
        object_id=str(assignment.pk),
    )
    assert assignment.granted_by == aisne_coordinator
    assert (event.action, event.actor) == (AuditAction.CREATE, aisne_coordinator)


def test_national_grants_a_coordinator(client, tree, national):
    response = client.post(
        GRANT_URL, {"email": "coord@example.org", "role": Role.COORDINATOR, "node": tree.vdo.pk}
    )

    assert response.status_code == 200
    assignment = RoleAssignment.objects.get(user__email="coord@example.org")
    assert (assignment.role, assignment.node) == (Role.COORDINATOR, tree.vdo)


def test_a_link_stops_working_once_another_manager_gives_the_account_roles(
    client, tree, aisne_coordinator, django_capture_on_commit_callbacks
):
    """A link sent before must not open an account that national steering has since given a
    Val-d'Oise role: any change of the account's roles voids the links sent before."""
    data = {"email": "double@example.org", "role": Role.TECHNICIAN, "node": tree.aisne.pk}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(GRANT_URL, data)
    link = _mailed_link("double@example.org")
    person = User.objects.get(email="double@example.org")
    grant_role(user=person, role=Role.TECHNICIAN, target=tree.vdo)

    client.logout()
    page = client.get(link, follow=True).content.decode()

    assert "Ce lien ne fonctionne plus" in page
