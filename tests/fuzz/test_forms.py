"""Property: no generated input makes a public or staff form answer with a server error.

The client raises any unhandled exception (raise_request_exception=True), so an exception fails
the example; status must stay below 500. The world is built once per test function and
Hypothesis runs all its examples inside that one database transaction.
"""

from __future__ import annotations

import html

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.approvals.conftest import items  # noqa: F401
from tests.fuzz.conftest import (
    NEAR_ID,
    NEAR_MOBILE,
    NEAR_NUMBER,
    TEXT,
    VALUE,
    count,
    fuzz_settings,
    skip_on_postgres,
)
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = [pytest.mark.django_db, skip_on_postgres]


def _client(user=None) -> Client:
    client = Client(raise_request_exception=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def _form_data(data: dict[str, str]) -> dict[str, str]:
    """NUL cannot travel in a urlencoded body as typed; the test client encodes it as %00."""
    return data


def test_tracking_form(world):
    client = _client()

    @fuzz_settings(1500)
    @given(number=st.one_of(NEAR_NUMBER, TEXT), last4=st.one_of(st.text("0123456789X", max_size=6), TEXT))
    def run(number, last4):
        response = client.post(reverse("tracking:form"), {"number": number, "last4": last4})
        count("tracking form", response)

    run()


def test_tracking_detail_path(world):
    client = _client()

    @fuzz_settings(500)
    @given(number=st.one_of(NEAR_NUMBER, st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1)))
    def run(number):
        response = client.get("/track/" + __import__("urllib.parse").parse.quote(number, safe="") + "/")
        count("tracking detail", response)

    run()


def test_certificate_check(world):
    client = _client()

    @fuzz_settings(1500)
    @given(serial=VALUE, code=VALUE)
    def run(serial, code):
        response = client.post(reverse("verify:form"), {"serial": serial, "code": code})
        count("certificate check", response)

    run()


def test_wish_tracking(world):
    client = _client()

    @fuzz_settings(1500)
    @given(number=VALUE, last4=st.one_of(st.text("0123456789", max_size=6), TEXT))
    def run(number, last4):
        response = client.post(reverse("promises:track"), {"number": number, "last4": last4})
        count("wish tracking", response)

    run()


def test_wish_form(world):
    client = _client()

    @fuzz_settings(800)
    @given(name=TEXT, mobile=st.one_of(NEAR_MOBILE, TEXT), need=TEXT, kind=VALUE, village=VALUE)
    def run(name, mobile, need, kind, village):
        data = {"name": name, "mobile": mobile, "need": need, "kind": kind, "village": village}
        response = client.post(reverse("promises:wish_form"), data)
        count("wish form", response)

    run()


def test_guide_search(world):
    client = _client()

    @fuzz_settings(1500)
    @given(q=VALUE, extra=st.dictionaries(st.sampled_from(["page", "item", "sort", "q2"]), VALUE, max_size=2))
    def run(q, extra):
        response = client.get(reverse("guide_search:results"), {"q": q, **extra})
        count("guide search", response)
        if response.status_code == 200 and q.strip() and len(q) < 40 and "\x00" not in q:
            page = html.unescape(response.content.decode())
            assert q.strip() in page or " ".join(q.split()) in page or not q.isprintable()

    run()


def test_login_form(world, settings):
    settings.AXES_ENABLED = False
    client = _client()

    @fuzz_settings(800)
    @given(username=st.one_of(TEXT, NEAR_MOBILE), password=TEXT)
    def run(username, password):
        response = client.post(reverse("people:login"), {"username": username, "password": password})
        count("login form", response)

    run()


def test_staff_filing_form(world, items):  # noqa: F811 - the imported fixture
    item = items["dibao"]
    client = _client(world.assistant_a1)
    url = reverse("approvals:start", args=[item.pk])

    @fuzz_settings(1000)
    @given(name=TEXT, id_number=st.one_of(NEAR_ID, TEXT), mobile=st.one_of(NEAR_MOBILE, TEXT), note=TEXT)
    def run(name, id_number, mobile, note):
        data = {"name": name, "id_number": id_number, "mobile": mobile, "request_note": note, "save": "1"}
        response = client.post(url, data)
        count("staff filing form", response)

    run()


def test_staff_inbox_query_strings(world):
    client = _client(world.clerk_a)
    names = ["approvals:inbox", "approvals:overdue", "approvals:station"]

    @fuzz_settings(1400)
    @given(
        page=st.sampled_from(names),
        query=st.dictionaries(
            st.sampled_from(["q", "state", "village", "page", "sort", "item", "overdue"]), VALUE
        ),
    )
    def run(page, query):
        response = client.get(reverse(page), query)
        count("staff inbox filters", response)

    run()
