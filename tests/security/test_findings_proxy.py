"""Issue 16, finding 3: behind the documented nginx (PROXY_COUNT=1), every per-address limit was
one global limit and every audit entry showed the proxy's address. Here the abuse cases run
behind a simulated proxy: `REMOTE_ADDR` is the proxy's, `X-Forwarded-For` is whatever the
client wrote followed by the address nginx saw (`$proxy_add_x_forwarded_for`)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from approvals.tracking import ADDRESS_FAILURES_PER_DAY
from ledger.models import LedgerItem
from portal.audit.models import AuditEntry
from portal.throttle.client_address import client_address
from tests.conftest import PASSWORD
from tests.ledger.test_public_pages import wish_data

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # nginx, as gunicorn sees it
ALICE = "203.0.113.10"
BOB = "198.51.100.20"
SPOOFED = "192.0.2.99"


@pytest.fixture(autouse=True)
def _behind_proxy(settings, db):
    from axes.utils import reset

    settings.PROXY_COUNT = 1
    reset()


def via_proxy(client_address: str, written: str = SPOOFED) -> Client:
    """A browser at `client_address` that writes `written` into X-Forwarded-For itself."""
    forwarded = f"{written}, {client_address}" if written else client_address
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    client.cookies["django_language"] = "en"
    return client


# -- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (1, PROXY, f"{SPOOFED}, {ALICE}", ALICE),  # the left part is the client's own writing
        (1, PROXY, ALICE, ALICE),
        (1, PROXY, f"{SPOOFED} , {ALICE} ", ALICE),
        (1, PROXY, "", PROXY),  # no header: not through the proxy; never a client's choice
        (1, PROXY, "garbage", PROXY),
        (1, PROXY, f"{ALICE}, not-an-address", PROXY),
        (1, PROXY, "2001:db8::7", "2001:db8::7"),
        (1, PROXY, "::ffff:203.0.113.10", ALICE),
        (1, "not an address", "", None),
        (2, PROXY, f"{SPOOFED}, {ALICE}, 10.0.0.1", ALICE),  # CDN then nginx
        (2, PROXY, ALICE, PROXY),  # too short for two proxies
        (0, PROXY, f"{SPOOFED}, {ALICE}", PROXY),  # no proxy: the header is ignored
    ],
)
def test_finding_03_one_helper_reads_the_client_behind_the_configured_proxies(
    settings, count, remote, forwarded, expected
):
    settings.PROXY_COUNT = count
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    assert client_address(request) == expected


def test_finding_03_axes_asks_the_same_helper(settings):
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {ALICE}")
    assert get_client_ip_address(request) == ALICE
    settings.PROXY_COUNT = 0
    assert get_client_ip_address(request) == PROXY


# -- the abuse cases -----------------------------------------------------------------------------


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("people:login"), {"username": username, "password": password})


def test_finding_03_five_failed_logins_from_one_client_do_not_lock_another(world, settings):
    attacker = via_proxy(BOB)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, f"someone{attempt}", "wrong")
    assert login(attacker, "clerk_a").status_code == 429  # the attacker's address is locked
    assert login(via_proxy(ALICE), "clerk_a").status_code == 302  # the clerk elsewhere is not


def test_finding_03_a_forged_leftmost_address_does_not_change_the_key(world, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(via_proxy(BOB, written=f"192.0.2.{attempt}"), f"someone{attempt}", "wrong")
    assert login(via_proxy(BOB, written="192.0.2.200"), "clerk_a").status_code == 429


def track(client: Client, number: str, last4: str):
    return client.post(reverse("tracking:form"), {"number": number, "last4": last4})


def test_finding_03_twenty_failed_lookups_from_one_client_do_not_stop_another(cases):
    application = cases.submitted()
    attacker = via_proxy(BOB)
    for sequence in range(ADDRESS_FAILURES_PER_DAY):
        track(via_proxy(BOB, written=f"192.0.2.{sequence}"), f"120115121-000000-{sequence:03d}", "0000")
    assert "from this connection" in track(attacker, application.number, "5678").content.decode()
    assert track(via_proxy(ALICE), application.number, "5678").status_code == 302


def test_finding_03_certificate_checks_are_limited_per_real_client(client):
    from certificates.services import FAILURES_PER_ADDRESS_PER_DAY

    attacker = via_proxy(BOB)
    for n in range(FAILURES_PER_ADDRESS_PER_DAY):
        attacker.get(reverse("verify:token", args=[f"{n:04d}" + "x" * 22]))
    assert attacker.get(reverse("verify:token", args=["y" * 26])).status_code == 429
    assert via_proxy(ALICE).get(reverse("verify:token", args=["y" * 26])).status_code == 200


def test_finding_03_wishes_are_limited_per_real_client(world, settings):
    settings.CUNBAN_LEDGER_SUBMISSIONS_PER_DAY = 2
    for n in range(2):
        assert (
            via_proxy(BOB, written=f"192.0.2.{n}")
            .post(reverse("promises:wish_form"), wish_data(world))
            .status_code
            == 302
        )
    assert via_proxy(BOB).post(reverse("promises:wish_form"), wish_data(world)).status_code == 429
    assert via_proxy(ALICE).post(reverse("promises:wish_form"), wish_data(world)).status_code == 302
    assert LedgerItem.objects.count() == 3


def test_finding_03_audit_entries_record_the_real_client(cases, world):
    application = cases.submitted()
    clerk = via_proxy(ALICE)
    clerk.force_login(world.clerk_a)
    clerk.post(reverse("approvals:id_number", args=[application.pk]))
    entry = AuditEntry.objects.get(event="id_number_view")
    assert entry.ip_address == ALICE


def test_finding_03_the_deploy_check_warns_behind_a_proxy_without_a_proxy_count(settings):
    from portal.throttle.client_address import proxy_count_deploy_check

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PROXY_COUNT = 0
    assert [warning.id for warning in proxy_count_deploy_check(None)] == ["web.W004"]
    settings.PROXY_COUNT = 1
    assert proxy_count_deploy_check(None) == []
