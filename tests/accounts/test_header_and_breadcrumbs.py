"""The header's « Administration » link (superusers only), the breadcrumbs of the token pages and
the message shown after logging out."""

import html
import re

import pytest

from tests.factories import UserFactory
from tne.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


def _breadcrumb(response) -> list[str]:
    content = response.content.decode()
    trail = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', content, re.S).group(1)
    links = re.findall(r'<a class="fr-breadcrumb__link"[^>]*>(.*?)</a>', trail, re.S)
    return [html.unescape(link.strip()) for link in links]


def test_the_tokens_page_breadcrumb_has_one_home(client):
    from tests.accounts.conftest import api_user

    client.force_login(api_user())

    response = client.get("/comptes/jetons/")

    assert _breadcrumb(response) == ["Accueil", "Jetons d'API"]


def test_the_revoke_page_breadcrumb_goes_through_the_tokens_page(client):
    user = UserFactory()
    token, _ = create_api_token(user=user, name="Mon script")
    client.force_login(user)

    response = client.get(f"/comptes/jetons/{token.pk}/revoquer/")

    assert _breadcrumb(response) == [
        "Accueil",
        "Jetons d'API",
        "Révoquer le jeton « Mon script »",
    ]
    assert '<a class="fr-breadcrumb__link" href="/comptes/jetons/">' in response.content.decode()


def test_a_superuser_has_a_link_to_the_administration(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    content = client.get("/comptes/jetons/").content.decode()

    assert (
        '<a class="fr-btn fr-icon-settings-5-line" href="/admin/" id="admin-link">'
        "Administration</a>" in content
    )


@pytest.mark.parametrize("is_staff", [False, True])
def test_other_users_have_no_link_to_the_administration(client, is_staff):
    client.force_login(UserFactory(is_staff=is_staff))

    content = client.get("/comptes/jetons/").content.decode()

    assert 'id="admin-link"' not in content
    assert 'href="/admin/"' not in content


def test_logging_out_says_so_on_the_login_page(client):
    client.force_login(UserFactory())

    response = client.post("/comptes/deconnexion/", follow=True)

    content = response.content.decode()
    assert response.redirect_chain == [("/comptes/connexion/", 302)]
    assert "_auth_user_id" not in client.session
    assert "fr-alert--success" in content
    assert "Vous êtes déconnecté." in content


def test_logging_out_when_not_logged_in_says_nothing(client):
    response = client.post("/comptes/deconnexion/", follow=True)

    assert "Vous êtes déconnecté." not in response.content.decode()


def test_logging_out_again_from_another_tab_lands_on_the_login_page(client, db):
    response = client.post("/comptes/deconnexion/", follow=True)

    assert response.status_code == 200
    # Not sent to log in first with next=/comptes/deconnexion/ (a GET there answers 405).
    assert response.redirect_chain[-1][0] == "/comptes/connexion/"
    assert "Vous êtes déconnecté." not in response.content.decode()
