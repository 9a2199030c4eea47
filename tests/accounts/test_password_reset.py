"""« Mot de passe oublié ? »: a reset link by e-mail to an existing account only (the page reads
the same either way), void after use and after PASSWORD_RESET_TIMEOUT, a few messages per
address and per hour; the DSFR show-password control; password-strength errors on the new
password, not on its confirmation."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tne.accounts.access import password_set_path

pytestmark = pytest.mark.django_db

OLD = "ancien-mot-de-passe-42"
NEW = "nouveau-mot-de-passe-du-printemps"


@pytest.fixture
def person():
    return UserFactory(email="agent@example.org", password=OLD)


def _ask(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_the_login_page_offers_a_reset_link_and_the_show_password_control(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in html
    assert "Mot de passe oublié" in html
    assert 'class="fr-password"' in html or 'class="fr-password ' in html
    assert re.search(r'<input[^>]+id="id_password-show"[^>]+type="checkbox"', html)
    assert 'class="fr-password__checkbox fr-label" for="id_password-show">Afficher<' in html


def test_the_reset_page_asks_for_the_address_in_french(client):
    html = client.get(reverse("accounts:password_reset")).content.decode()
    assert re.search(r'for="id_email" class="fr-label">\s*Adresse électronique', html)


def test_it_mails_a_link_that_sets_a_new_password(client, person):
    response = _ask(client, "Agent@Example.org")
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["agent@example.org"]
    assert "nouveau mot de passe" in mail.outbox[0].subject
    page = client.get(_link(mail.outbox[0]), follow=True)
    assert page.context["validlink"]
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("accounts:login")
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_the_page_reads_the_same_for_an_address_without_account(client, person):
    known = _ask(client, person.email)
    unknown = _ask(client, "personne@example.org")
    assert len(mail.outbox) == 1
    assert known.redirect_chain == unknown.redirect_chain

    def strip(r):
        return re.sub(r'nonce="[^"]+"|value="[^"]+"|"X-CSRFToken": "[^"]+"', "", r.content.decode())

    assert strip(known) == strip(unknown)


def test_the_link_is_void_once_used(client, person):
    _ask(client, person.email)
    link = _link(mail.outbox[0])
    page = client.get(link, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert 'id="invalid-link"' in again.content.decode()


def test_the_link_is_void_after_the_timeout(client, person, settings, monkeypatch):
    _ask(client, person.email)
    link = _link(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    page = client.get(link, follow=True)
    assert not page.context["validlink"]


def test_it_sends_a_few_messages_per_address_then_none(client, person, settings):
    settings.TNE_PASSWORD_RESET_LIMIT = 2
    pages = [_ask(client, person.email) for _ in range(4)]
    assert len(mail.outbox) == 2
    assert all(p.redirect_chain[-1][0] == reverse("accounts:password_reset_done") for p in pages)


def _errors_of(response, field):
    return response.context["form"].errors.get(field, [])


def test_a_weak_new_password_is_an_error_of_the_new_password_on_reset(client, person):
    _ask(client, person.email)
    page = client.get(_link(mail.outbox[0]), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"}
    )
    assert _errors_of(response, "new_password1")
    assert not _errors_of(response, "new_password2")
    html = response.content.decode()
    assert re.search(r'id="id_new_password1-messages"[^>]*>\s*<p class="fr-message', html)


def test_a_weak_password_is_an_error_of_the_new_password_on_the_first_choice(client):
    newcomer = UserFactory(email="nouveau@example.org")
    newcomer.set_unusable_password()
    newcomer.save()
    page = client.get(password_set_path(newcomer), follow=True)
    url = page.redirect_chain[-1][0]
    response = client.post(url, {"new_password1": "123", "new_password2": "123"})
    assert _errors_of(response, "new_password1")
    assert not _errors_of(response, "new_password2")
    mismatch = client.post(url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert _errors_of(mismatch, "new_password2")
