import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from tne.core.crypto import new_key
from tne.core.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("TNE_TEST_FLAG", raw)
    assert env_bool("TNE_TEST_FLAG", default=not expected) is expected


def test_env_bool_fails_loudly_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("TNE_TEST_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="TNE_TEST_FLAG='peut-être'"):
        env_bool("TNE_TEST_FLAG", default=False)


def test_env_int_fails_loudly_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("TNE_TEST_INT", "douze")
    with pytest.raises(ImproperlyConfigured, match="n'est pas un entier"):
        env_int("TNE_TEST_INT", 3)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_env_int_round_trips(value):
    os.environ["TNE_TEST_INT_RT"] = f" {value} "
    try:
        assert env_int("TNE_TEST_INT_RT", 0) == value
    finally:
        del os.environ["TNE_TEST_INT_RT"]


def test_a_missing_required_variable_is_named(monkeypatch):
    monkeypatch.delenv("TNE_TEST_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="TNE_TEST_REQUIRED"):
        env_str("TNE_TEST_REQUIRED")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("TNE_TEST_LIST", " a.fr, b.fr ,,")
    assert env_list("TNE_TEST_LIST", []) == ["a.fr", "b.fr"]


def _load_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", "import tne.settings"],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_without_a_secret_key_outside_debug():
    result = _load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_refuse_a_bad_debug_value():
    result = _load_settings(DEBUG="oui-non")
    assert result.returncode != 0
    assert "DEBUG='oui-non'" in result.stderr


def test_settings_use_postgresql_when_database_url_says_so():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tne.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "1",
            "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_secure_cookies_when_not_in_debug():
    result = subprocess.run(
        [sys.executable, "-c", "import tne.settings as s; print(s.SESSION_COOKIE_SECURE)"],
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "0",
            "SECRET_KEY": "x" * 50,
            "TNE_DATA_KEYS": new_key(),
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "True"


def test_settings_refuse_to_start_without_a_data_key_outside_debug():
    result = _load_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "TNE_DATA_KEYS" in result.stderr
