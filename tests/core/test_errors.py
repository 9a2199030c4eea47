"""Server errors: a French page that promises only what is true, a report e-mailed to ADMINS,
and log lines a machine can read."""

import json
import logging

import pytest
from django.core import mail

from tests.factories import UserFactory
from tne.core.logs import JsonFormatter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.crashing_urls")]


@pytest.fixture
def failing_client(client):
    client.raise_request_exception = False
    client.force_login(UserFactory())
    return client


def test_a_server_error_is_mailed_to_the_admins_and_the_page_says_so(failing_client, settings):
    settings.ADMINS = [("", "exploitation@example.org")]

    response = failing_client.get("/panne/")

    assert response.status_code == 500
    assert "l'équipe technique en a été prévenue" in response.content.decode()
    (report,) = mail.outbox
    assert report.to == ["exploitation@example.org"]
    assert "panne-de-test" in report.body


def test_without_admins_the_page_does_not_claim_anyone_was_told(failing_client, settings):
    settings.ADMINS = []
    settings.TNE_CONTACT_EMAIL = "contact@example.org"

    page = failing_client.get("/panne/").content.decode()

    assert "prévenue" not in page
    assert "mailto:contact@example.org" in page
    assert mail.outbox == []


def test_log_lines_are_json_with_the_request_and_the_exception(rf):
    request = rf.get("/territoire/")
    request.user = UserFactory()
    try:
        raise ValueError("détail technique")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Erreur %s", ("x",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    record.request = request
    record.status_code = 500
    record.job = 12

    line = json.loads(JsonFormatter().format(record))

    assert line["level"] == "ERROR" and line["logger"] == "django.request"
    assert line["message"] == "Erreur x"
    assert line["request"] == {"method": "GET", "path": "/territoire/", "user_id": request.user.pk}
    assert line["status"] == 500 and line["job"] == 12
    assert "ValueError: détail technique" in line["exception"]
