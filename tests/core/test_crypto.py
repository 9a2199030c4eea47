import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from tne.core import crypto


def test_it_seals_so_the_value_cannot_be_read_in_the_token(settings):
    token = crypto.seal({"name": "Aïcha Benali", "phone": "06 12 34 56 78"})
    assert "Benali" not in token and "06 12" not in token
    assert crypto.unseal_dict(token) == {"name": "Aïcha Benali", "phone": "06 12 34 56 78"}


def test_it_gives_two_tokens_for_the_same_value():
    assert crypto.seal("Dupont") != crypto.seal("Dupont")


def test_empty_stays_empty():
    assert crypto.seal("") == "" and crypto.unseal("") == "" and crypto.unseal_dict("") == {}


@given(st.text())
def test_any_text_comes_back(value):
    assert crypto.unseal(crypto.seal(value)) == value


def test_a_token_of_another_key_is_refused(settings):
    token = crypto.seal("secret")
    settings.DATA_KEYS = [crypto.new_key()]
    with pytest.raises(crypto.Unreadable, match="illisible"):
        crypto.unseal(token)


def test_a_tampered_token_is_refused():
    token = crypto.seal("secret")
    with pytest.raises(crypto.Unreadable):
        crypto.unseal(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))


def test_rotation_opens_old_tokens_and_reseals_under_the_new_key(settings):
    old = settings.DATA_KEYS[0]
    token = crypto.seal("Martin")
    new = crypto.new_key()
    settings.DATA_KEYS = [new, old]
    resealed = crypto.reseal(token)
    assert crypto.unseal(token) == "Martin"
    settings.DATA_KEYS = [new]
    assert Fernet(new.encode()).decrypt(resealed.encode()) == b"Martin"
    with pytest.raises(crypto.Unreadable):
        crypto.unseal(token)


def test_a_malformed_key_says_so(settings):
    settings.DATA_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="clé invalide"):
        crypto.seal("x")
