"""Creating an API token: POST/redirect/GET (a reload creates nothing), the raw token shown once
and never stored unhashed, one active token per name, revoked tokens folded away."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.accounts.conftest import raw_token_shown
from tests.factories import UserFactory
from tne.accounts.models import ApiToken
from tne.accounts.services import create_api_token, revoke_api_token
from tne.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/comptes/jetons/"


def test_creating_redirects_to_the_tokens_page(client, owner):
    response = client.post(URL, {"name": "Tableau de suivi"})

    assert response.status_code == 302
    assert response["Location"] == URL
    assert raw_token_shown(response) is None


def test_reloading_after_creating_creates_no_second_token(client, owner):
    shown = client.post(URL, {"name": "Tableau de suivi"}, follow=True)

    reloaded = client.get(URL)

    assert raw_token_shown(shown) is not None
    assert raw_token_shown(reloaded) is None
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_the_raw_token_is_never_stored_unhashed_in_the_database(client, owner):
    client.post(URL, {"name": "Tableau de suivi"})
    raw = raw_token_shown(client.get(URL))

    stored = [str(s.get_decoded()) for s in Session.objects.all()]
    stored += [str(e.changes) for e in AuditEvent.objects.all()]
    stored += [str(row) for row in ApiToken.objects.values_list()]
    assert raw is not None
    assert not any(raw in text for text in stored)


def test_the_new_token_is_not_shown_to_another_account_in_the_same_browser(client, owner):
    client.post(URL, {"name": "Tableau de suivi"})
    client.force_login(UserFactory())

    response = client.get(URL)

    assert raw_token_shown(response) is None


def test_a_tampered_new_token_cookie_shows_nothing(client, owner):
    client.post(URL, {"name": "Tableau de suivi"})
    client.cookies["tne_new_api_token"] = f"{owner.pk}:tne_forged"

    response = client.get(URL)

    assert raw_token_shown(response) is None


@pytest.mark.parametrize("name", ["Mon script", " mon SCRIPT "])
def test_a_second_active_token_with_the_same_name_is_refused(client, owner, name):
    create_api_token(user=owner, name="Mon script")

    response = client.post(URL, {"name": name})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Vous avez déjà un jeton actif portant ce nom." in content
    name_errors = content.split('<div id="id_name-desc-error">')[1].split("</div>")[0]
    assert "Vous avez déjà un jeton actif portant ce nom." in name_errors
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_the_service_refuses_a_second_active_token_with_the_same_name():
    user = UserFactory()
    create_api_token(user=user, name="Mon script")

    with pytest.raises(ValidationError) as error:
        create_api_token(user=user, name="MON SCRIPT")

    assert error.value.message_dict == {"name": ["Vous avez déjà un jeton actif portant ce nom."]}


def test_a_name_is_free_again_once_its_token_is_revoked_or_expired():
    user = UserFactory()
    revoked, _ = create_api_token(user=user, name="Révoqué")
    revoke_api_token(user=user, token_id=revoked.pk)
    expired, _ = create_api_token(user=user, name="Expiré")
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )

    create_api_token(user=user, name="Révoqué")
    create_api_token(user=user, name="Expiré")

    assert ApiToken.objects.active().filter(user=user).count() == 2


def test_another_user_may_use_the_same_name():
    create_api_token(user=UserFactory(), name="Mon script")

    token, _ = create_api_token(user=UserFactory(), name="Mon script")

    assert token.pk


def test_active_tokens_come_first_and_revoked_ones_are_folded(client, owner):
    expired, _ = create_api_token(user=owner, name="Ancien")
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    for name in ("Premier révoqué", "Second révoqué"):
        token, _ = create_api_token(user=owner, name=name)
        revoke_api_token(user=owner, token_id=token.pk)
    create_api_token(user=owner, name="En service")

    content = client.get(URL).content.decode()

    main_table, folded = content.split('id="revoked-tokens"')
    assert main_table.index("En service") < main_table.index("Ancien")
    assert "révoqué" not in main_table.split('id="tokens"')[1].lower()
    assert "Jetons révoqués (2)" in folded
    assert 'aria-expanded="false" aria-controls="revoked-tokens-list"' in folded
    assert "Premier révoqué" in folded and "Second révoqué" in folded


def test_without_revoked_tokens_there_is_no_folded_list(client, owner):
    create_api_token(user=owner, name="En service")

    content = client.get(URL).content.decode()

    assert "Jetons révoqués" not in content
