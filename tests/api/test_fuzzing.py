"""Fuzzing: schemathesis generates requests from the API's own OpenAPI description, valid ones and
invalid ones, and sends them in process to the WSGI application, authenticated with the real API
token of an Aisne coordinator who sees a few schools. No answer may be a server error, and every
answer must be one the description documents (status code, JSON content type, body schema).

Why schemathesis's Python API inside one test function rather than its pytest plugin
(``schema.parametrize()``): the plugin makes its own test items, outside pytest-django's
fixtures. Here the ``db`` fixture wraps each run in one transaction, and the WSGI application
runs in the test's thread on the same connection, so it sees the schools and the token; it works
the same on SQLite (in memory) and PostgreSQL, with no flushing between examples. Each operation
and kind of data gets a bounded, derandomized Hypothesis run (a fixed seed, no example database)
in a test item of its own, named by the operation: reproducible, a few seconds each. A new
router mounted on the API (the programme's…) is fuzzed with no edit here.

Why one item per operation and not one for the whole API: the suite's per-test timeout
(``timeout = 300`` of pytest-timeout, the signal method) raises ``pytest.fail`` wherever the
test is, and Hypothesis counts pytest's ``Failed`` as a failure of the example running then,
replays it, sees it pass and reports « Flaky: Failed on the first call but did not on a
subsequent one » against that operation. The whole API in one item took 4 to 5 minutes on a
loaded machine (2 cores, other suites running), so a full run now and then blamed the operation
that happened to run at the 300th second (``PUT /api/v1/loans/pupils/{pupil_id}/need``), which
passed alone. Per operation, each item is far from that limit, and a real failure is reported
against its own operation.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.clients import TokenClient
from tests.factories import Role, user_with_role
from tne.wsgi import application

pytestmark = pytest.mark.django_db

# The API's operations, read once from its OpenAPI description (no database needed).
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}

MAX_EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 40}
MIN_SENT = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _accepts_strings(schema: dict) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "string" for option in options)


def _one_string(value) -> str | None:
    """What the server reads of a query value: one string, or None for a real repetition."""
    if isinstance(value, list):
        if len(value) != 1:
            return None
        value = value[0]
    if isinstance(value, dict | list):
        return None
    return "false" if value is False else "true" if value is True else str(value)


@schemathesis.check
def negative_data_rejected(ctx, response, case):
    """schemathesis's ``negative_data_rejection``, less a false positive of how a query string
    carries values: a « negative » ``false``, ``0`` or ``[false]`` for a *string* parameter
    reaches the server as the string ``"false"`` or ``"0"``, a valid value it rightly accepts (and
    the negated ``Authorization`` header is replaced by the real token here). Any other accepted
    negative request still fails."""
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        parameters = {p.name: p.definition.get("schema", {}) for p in case.operation.query}
        query = case.query or {}
        if case.body is not None and not _is_unset(case.body):
            raise
        for name, value in query.items():
            schema = parameters.get(name)
            read = _one_string(value)
            if schema is None or read is None or not _accepts_strings(schema):
                raise
            if len(read) > schema.get("maxLength", len(read)) or not read.isprintable():
                raise
        return None


def _is_unset(value) -> bool:
    return type(value).__name__ == "NotSet"


def fuzz(operation, mode: GenerationMode, headers: dict) -> int:
    """A bounded, reproducible Hypothesis run of ``operation`` with data of ``mode``; the number
    of requests it sent."""
    sent = []
    checks = CHECKS + ([negative_data_rejected] if mode is GenerationMode.NEGATIVE else [])

    @settings(
        max_examples=MAX_EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        sent.append(case)
        case.call_and_validate(headers=headers, checks=checks)

    run()
    return len(sent)


@pytest.fixture
def connection_kept_between_requests():
    """The WSGI handler closes the database connection at the end of each request (Django's
    test client disconnects that signal; a raw WSGI call does not): on PostgreSQL that would
    drop the test's transaction. Keep the connection, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_whole_api_is_fuzzed():
    assert len(OPERATIONS) >= 8
    assert "PUT /api/v1/loans/pupils/{pupil_id}/need" in OPERATIONS


@pytest.mark.parametrize("mode", list(MAX_EXAMPLES), ids=lambda mode: mode.value)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzzed_requests_never_fail_and_always_answer_as_documented(
    label, mode, client, tree, schools, connection_kept_between_requests
):
    token = TokenClient(client, user_with_role(Role.COORDINATOR, tree.aisne))
    headers = {"Authorization": f"Bearer {token.raw}"}

    sent = fuzz(OPERATIONS[label], mode, headers)

    assert sent >= MIN_SENT  # the run really sent requests
