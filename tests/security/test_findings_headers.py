"""Issue 16, finding 13: a Content-Security-Policy on every page and `Cache-Control: no-store`
on every private one (portal/settings/headers.py, portal/web/csp.py, portal/web/cache_headers.py).

The browser test opens Wagtail's admin under the strict policy in the system Chromium and counts
the violations Chromium reports (none), including an item's editor with its InlinePanels and a
policy's date picker, whose inline scripts Cunban's template overrides turned into data.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.cms.conftest import editor, tree  # noqa: F401
from tests.conftest import PASSWORD

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>", re.I
)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
INLINE_STYLE = re.compile(r"<style[\s>]", re.I)


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


def assert_strict(response):
    directives = policy(response)
    for name, value in STRICT.items():
        assert directives.get(name) == value, (name, directives)


def assert_no_inline_code(response):
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group()
    assert not STYLE_ATTRIBUTE.search(html), STYLE_ATTRIBUTE.search(html).group()
    assert not INLINE_STYLE.search(html)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def private(response) -> bool:
    value = response.headers.get("Cache-Control", "")
    return "no-store" in value and "private" in value


@pytest.mark.django_db
def test_finding_13_every_page_has_a_strict_csp_and_no_inline_code(client, tree, world):  # noqa: F811
    public = [
        "/",
        tree.item.url,
        "/track/",
        "/verify/",
        "/search/?q=低保",
        "/promises/",
        "/find-assistant/",
        "/accounts/login/",
    ]
    for path in public:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert_strict(response)
        assert_no_inline_code(response)
    staff = logged_in(world.clerk_a)
    for path in ["/staff/", "/work/", "/work/ledger/"]:
        response = staff.get(path, follow=True)
        assert response.status_code == 200, path
        assert_strict(response)
        assert_no_inline_code(response)
    admin = logged_in(world.county_admin)
    for path in ["/admin/", "/admin/calendar_years/", "/admin/calendar_years/enter/"]:
        response = admin.get(path)
        assert response.status_code == 200, path
        directives = policy(response)
        # The admin's only relaxation: Wagtail's editor scripts insert <style> elements.
        assert directives["style-src"] == "'self' 'unsafe-inline'"
        assert {name: directives[name] for name in STRICT if name != "style-src"} == {
            name: value for name, value in STRICT.items() if name != "style-src"
        }
    # The 404 page and Wagtail's admin too; CSP_REPORT_ONLY swaps the header (see below).
    assert_strict(client.get("/no-such-page/"))


@pytest.mark.django_db
def test_finding_13_report_only_sends_the_policy_without_enforcing(client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    response = client.get("/")
    assert "Content-Security-Policy" not in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy-Report-Only"]


@pytest.mark.django_db
def test_finding_13_no_store_matrix(client, tree, world):  # noqa: F811
    clerk = logged_in(world.clerk_a)
    admin = logged_in(world.county_admin)
    must = {
        "staff home": clerk.get("/staff/"),
        "work inbox": clerk.get("/work/"),
        "applications export": clerk.get("/work/export.csv"),
        "ledger": clerk.get("/work/ledger/"),
        "admin": admin.get("/admin/"),
        "account page": clerk.get(reverse("people:login")),
        "public page seen by staff": clerk.get(tree.item.url),
        "tracking form": client.get("/track/"),
        "certificate check": client.get("/verify/"),
        "staff login": client.get("/accounts/login/"),
        "wish tracking": client.get("/wishes/track/"),
    }
    for name, response in must.items():
        assert private(response), (name, response.status_code, response.headers.get("Cache-Control"))
    # Public pages for anonymous villagers stay cacheable.
    for path in ["/", tree.item.url, "/promises/"]:
        assert "no-store" not in client.get(path).headers.get("Cache-Control", ""), path


@pytest.mark.django_db
def test_finding_13_the_no_store_decorator_marks_a_view(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from portal.web.cache_headers import PrivateCacheControlMiddleware, no_store

    view = no_store(lambda request: HttpResponse("personal"))
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    response = PrivateCacheControlMiddleware(view)(request)
    assert private(response)
    plain = PrivateCacheControlMiddleware(lambda request: HttpResponse("public"))(request)
    assert not private(plain)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_finding_13_wagtail_admin_works_under_the_strict_policy(live_server, chromium, tree, editor):  # noqa: F811
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1600})
    context.set_default_timeout(20_000)
    page = context.new_page()
    violations = []
    page.on(
        "console", lambda m: "Content Security Policy" in m.text and violations.append((page.url, m.text))
    )
    page.on("pageerror", lambda error: violations.append((page.url, str(error))))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    for path in [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{tree.guide.pk}/",
        "/admin/images/",
        "/admin/documents/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")

    # An item's editor: its InlinePanels (materials, legal bases) start and add a row.
    page.goto(f"{live_server.url}/admin/pages/{tree.item.pk}/edit/")
    page.wait_for_load_state("networkidle")
    before = page.locator("#id_materials-TOTAL_FORMS").input_value()
    page.click("#id_materials-ADD")
    # (A locator, not wait_for_function: the Content-Security-Policy forbids the eval it uses.)
    expect(page.locator("#id_materials-TOTAL_FORMS")).not_to_have_value(before)

    # A policy's date picker opens.
    page.goto(f"{live_server.url}/admin/pages/add/cms/policypage/{tree.policies.pk}/")
    page.wait_for_load_state("networkidle")
    page.click("#id_effective_date")
    page.wait_for_selector(".xdsoft_datetimepicker >> visible=true")
    context.close()
    assert violations == [], "\n".join(f"{url}: {text[:300]}" for url, text in violations)
