"""Schemathesis against the OpenAPI document the app itself serves: every operation is called
with generated valid and invalid input, through the WSGI application in process, and every
answer must be documented (status code, content type, body schema) and no answer a server error.

The short run (a few examples per operation) is part of `make test`; the long one is marked
`slow` (`make test-slow`). Both print how many cases they ran (pytest -s)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.scopes import Scope
from approvals.services import application_approve
from ratings.models import Channel, Level
from ratings.services import rating_submit
from tests.api.conftest import make_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(world, cases, django_settings):
    """The document as the app serves it, loaded through the WSGI application; the calls run in
    the test's transaction (as Django's test client does, connections are not closed per request)."""
    django_settings.CUNBAN_API_ANONYMOUS_PER_MINUTE = 100_000
    django_settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        cases.accepted()
        cases.submitted(where="b1")
        # a bad rating, with its open rectification, for the ratings' answers to be checked on
        decided = application_approve(actor=world.clerk_a, application=cases.accepted())
        rating_submit(application=decided, level=Level.DISSATISFIED, channel=Channel.TRACKING)
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def django_settings(settings):
    """pytest-django's settings fixture (hypothesis's `settings` is the decorator here)."""
    return settings


@pytest.fixture
def bearer(world):
    _client, key = make_client(world.ds, name="schemathesis", scopes=list(Scope.values), rate=6000)
    return {"Authorization": f"Bearer {key}"}


def run_document(api_schema, bearer, *, examples: int) -> dict[str, int]:
    """Every operation, in both generation modes (valid and invalid input), `examples` cases
    each; returns the number of cases per mode. Hypothesis drives the generation inside this one
    test, so the calls share its database and cast (the pytest plugin's per-operation tests
    cannot see them)."""
    counts = {str(mode.value): 0 for mode in GenerationMode}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        headers = bearer if operation.definition.raw.get("security") else None
        for mode in GenerationMode:
            _check_operation(operation, mode, headers, examples, counts)
    return counts


def _check_operation(operation, mode, headers, examples: int, counts: dict[str, int]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        counts[str(mode.value)] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        # No invalid input exists for this operation (a free-text path parameter only).
        assert mode is GenerationMode.NEGATIVE, operation.label


def test_the_api_keeps_its_document(api_schema, bearer):
    counts = run_document(api_schema, bearer, examples=10)
    print(f"schemathesis short run: {counts}")
    assert counts["positive"] > 0 and counts["negative"] > 0


@pytest.mark.slow
def test_the_api_keeps_its_document_at_length(api_schema, bearer):
    counts = run_document(api_schema, bearer, examples=300)
    print(f"schemathesis long run: {counts}")
    assert counts["positive"] > 1000
