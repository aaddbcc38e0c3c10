"""SITE_BASE_URL, the address on papers: checked by `manage.py check`, and a warning for staff when
the site is served from elsewhere (issue 15: genuine certificates scanned on another port's
instance opened a different site, which answered 不是真实证照)."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from portal.web.base_url import (
    STAFF_PATH_PREFIXES,
    Origin,
    base_url_mismatch,
    base_url_warning,
    origin_of,
    site_base_url_check,
    site_base_url_deploy_check,
)
from portal.web.site import site_url

DEMO = "http://127.0.0.1:8000"
OTHER_PORT = "127.0.0.1:8001"
WARNING_ZH = "打印的二维码和短信里的链接指向 http://127.0.0.1:8000"
WARNING_EN = "Printed QR codes and the links in text messages point to http://127.0.0.1:8000"


# -- the address itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8000", Origin("http", "127.0.0.1", 8000)),
        ("https://Cunban.Example.gov.cn/", Origin("https", "cunban.example.gov.cn", 443)),
        ("https://cunban.example.gov.cn:443", Origin("https", "cunban.example.gov.cn", 443)),
        ("http://[::1]:8000", Origin("http", "::1", 8000)),
    ],
)
def test_an_address_has_one_origin_whatever_its_spelling(url, origin):
    assert origin_of(url) == origin


def test_an_origin_prints_without_its_default_port():
    assert str(Origin("https", "cunban.example.gov.cn", 443)) == "https://cunban.example.gov.cn"
    assert str(Origin("http", "::1", 8000)) == "http://[::1]:8000"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("cunban.example.gov.cn", "http:// or https://"),
        ("ftp://cunban.example.gov.cn", "http:// or https://"),
        ("https://", "no host name"),
        ("https://cunban.example.gov.cn/cunban/", "only the scheme, host and port"),
        ("https://cunban.example.gov.cn/?a=1", "only the scheme, host and port"),
        ("https://admin:secret@cunban.example.gov.cn", "user name or password"),
        ("http://127.0.0.1:80800", "not a valid address"),
    ],
)
def test_a_malformed_address_is_refused_with_a_reason(url, reason):
    with pytest.raises(ValueError, match=reason.replace("?", r"\?")):
        origin_of(url)


@override_settings(WAGTAILADMIN_BASE_URL="https://cunban.example.gov.cn/")
def test_printed_links_never_get_a_double_slash():
    assert site_url("/verify/abc/") == "https://cunban.example.gov.cn/verify/abc/"


# -- manage.py check --------------------------------------------------------------------------------


def check_ids(*checks) -> list[str]:
    return [message.id for check in checks for message in check(None)]


@override_settings(WAGTAILADMIN_BASE_URL=DEMO, ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]"])
def test_the_demo_address_passes_the_checks():
    assert check_ids(site_base_url_check) == []


@override_settings(WAGTAILADMIN_BASE_URL="cunban.example.gov.cn")
def test_a_malformed_address_is_an_error():
    [error] = site_base_url_check(None)
    assert error.id == "web.E001" and "http:// or https://" in error.msg


@override_settings(
    WAGTAILADMIN_BASE_URL="https://cunban.example.gov.cn", ALLOWED_HOSTS=["127.0.0.1"], DEBUG=False
)
def test_a_host_this_server_refuses_is_a_warning():
    assert check_ids(site_base_url_check) == ["web.W001"]


@override_settings(WAGTAILADMIN_BASE_URL="https://cunban.example.gov.cn", ALLOWED_HOSTS=[".example.gov.cn"])
def test_allowed_hosts_wildcards_count():
    assert check_ids(site_base_url_check) == []


@override_settings(WAGTAILADMIN_BASE_URL=DEMO, ALLOWED_HOSTS=[], DEBUG=True)
def test_with_debug_an_empty_allowed_hosts_allows_localhost_as_django_does():
    assert check_ids(site_base_url_check) == []


@override_settings(DEBUG=False, ALLOWED_HOSTS=["*"])
@pytest.mark.parametrize(
    ("url", "ids"),
    [
        ("https://cunban.example.gov.cn", []),
        ("http://cunban.example.gov.cn", ["web.W002"]),
        ("https://localhost", ["web.W003"]),
        (DEMO, ["web.W002", "web.W003"]),
    ],
)
def test_in_production_the_address_must_be_https_and_reachable_from_phones(settings, url, ids):
    settings.WAGTAILADMIN_BASE_URL = url
    assert check_ids(site_base_url_deploy_check) == ids


@override_settings(DEBUG=True, WAGTAILADMIN_BASE_URL=DEMO)
def test_a_developer_machine_is_not_held_to_production_rules():
    assert check_ids(site_base_url_deploy_check) == []


# -- the request's own origin ---------------------------------------------------------------------------


@override_settings(WAGTAILADMIN_BASE_URL=DEMO, ALLOWED_HOSTS=["127.0.0.1"])
def test_the_same_host_on_another_port_is_a_mismatch():
    factory = RequestFactory()
    assert base_url_mismatch(factory.get("/work/", HTTP_HOST="127.0.0.1:8000")) is None
    assert base_url_mismatch(factory.get("/work/", HTTP_HOST=OTHER_PORT)) == (DEMO, "http://127.0.0.1:8001")


@override_settings(
    WAGTAILADMIN_BASE_URL="https://cunban.example.gov.cn",
    ALLOWED_HOSTS=["cunban.example.gov.cn"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_a_tls_proxy_the_forwarded_scheme_counts():
    factory = RequestFactory()
    proxied = factory.get("/work/", HTTP_HOST="cunban.example.gov.cn", HTTP_X_FORWARDED_PROTO="https")
    assert base_url_mismatch(proxied) is None
    plain = factory.get("/work/", HTTP_HOST="cunban.example.gov.cn")
    assert base_url_mismatch(plain) == ("https://cunban.example.gov.cn", "http://cunban.example.gov.cn")


@override_settings(WAGTAILADMIN_BASE_URL="not an address", ALLOWED_HOSTS=["127.0.0.1"])
def test_a_malformed_address_never_matches():
    request = RequestFactory().get("/work/", HTTP_HOST=OTHER_PORT)
    assert base_url_mismatch(request) == ("not an address", "http://127.0.0.1:8001")


# -- who sees the warning ----------------------------------------------------------------------------


def test_the_staff_prefixes_are_the_staff_pages():
    assert reverse("web:staff_home").startswith(STAFF_PATH_PREFIXES)
    assert reverse("approvals:inbox").startswith(STAFF_PATH_PREFIXES)
    assert reverse("wagtailadmin_home").startswith(STAFF_PATH_PREFIXES)


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL=DEMO)
def test_staff_see_the_warning_in_chinese_then_english_on_another_port(client, world):
    client.force_login(world.clerk_a)
    body = client.get("/staff/", HTTP_HOST=OTHER_PORT).content.decode()
    assert WARNING_ZH in body and "SITE_BASE_URL" in body and "http://127.0.0.1:8001" in body
    assert body.index(WARNING_ZH) < body.index(WARNING_EN)
    work = client.get("/work/", HTTP_HOST=OTHER_PORT, follow=True).content.decode()
    assert WARNING_ZH in work


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL=DEMO)
def test_staff_reading_english_see_it_once_in_english(client, world):
    client.force_login(world.clerk_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/staff/", HTTP_HOST=OTHER_PORT).content.decode()
    assert body.count(WARNING_EN) == 1 and WARNING_ZH not in body


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL=DEMO)
def test_no_warning_where_the_address_is_right(client, world):
    client.force_login(world.clerk_a)
    body = client.get("/staff/", HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "base-url-warning" not in body


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL=DEMO)
def test_the_back_office_shows_it_among_its_messages(client, world):
    client.force_login(world.county_admin)
    body = client.get("/admin/", HTTP_HOST=OTHER_PORT).content.decode()
    assert '<template id="base-url-warning">' in body and WARNING_ZH in body
    assert "js/base-url-warning.js" in body
    assert "base-url-warning" not in client.get("/admin/", HTTP_HOST="127.0.0.1:8000").content.decode()


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL=DEMO)
def test_villagers_never_see_it(client, world):
    for path in ("/", "/guide/", "/track/", "/verify/", "/wishes/new/"):
        body = client.get(path, HTTP_HOST=OTHER_PORT, follow=True).content.decode()
        assert "base-url-warning" not in body and "SITE_BASE_URL" not in body, path
    # Nor does a logged-in clerk reading the public pages, which may be cached for everyone.
    client.force_login(world.clerk_a)
    assert "SITE_BASE_URL" not in client.get("/", HTTP_HOST=OTHER_PORT).content.decode()


class UntouchableUser:
    @property
    def is_authenticated(self):
        raise AssertionError("the user was looked at on a public page")


@override_settings(WAGTAILADMIN_BASE_URL=DEMO, ALLOWED_HOSTS=["127.0.0.1"])
def test_public_pages_do_not_even_look_at_the_user():
    """Looking would load the session and the user: a query on pages that need neither."""
    request = RequestFactory().get("/guide/", HTTP_HOST=OTHER_PORT)
    request.user = UntouchableUser()
    assert base_url_warning(request) == {}
