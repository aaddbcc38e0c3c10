"""Certificates' webhooks, driven through the certificates' own services: an approval issues the
paper (`certificate.issued`), the supervisor revokes it (`certificate.revoked`) or revokes and
reissues it (both, in that order). The body is exactly the documented fields (application
number, serial, and `reissued` for a revocation), nothing of the villager or the staff; only a
client with applications:read-status whose office's region holds the deciding office hears of
it; every delivery verifies with the `standardwebhooks` library."""

import datetime
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api.models import ApiClient
from api.scopes import Scope
from api.services import api_client_save
from api.webhook_models import EventType
from certificates import services as certificate_services
from portal.errors import DomainError
from tests.api import webhook_fixtures
from tests.api.conftest import make_client
from tests.api.webhook_fixtures import AT
from tests.api.webhook_receiver import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CERTIFICATE_EVENTS = [EventType.CERTIFICATE_ISSUED, EventType.CERTIFICATE_REVOKED]


@pytest.fixture
def township_b(world):
    """A platform bound to centre B, with every scope: township B's work only."""
    return make_client(world.centre_b, name="霍各庄镇平台", scopes=list(Scope.values))


def subscribe(world, client: ApiClient, url: str, events=CERTIFICATE_EVENTS) -> str:
    """Subscribe to `events` (the certificates' by default); returns the secret."""
    return webhook_fixtures.subscribe(world, client, url, events)[1]


def verified(receiver: Receiver, secret: str) -> list[dict]:
    """Every body received, each checked by the library (signature and timestamp) and carrying
    its `webhook-id` as its `id`."""
    bodies = []
    for received in receiver.received:
        body = Webhook(secret).verify(received.body, received.headers)
        assert body["id"] == received.headers["webhook-id"]
        bodies.append(body)
    return bodies


def assert_nothing_personal(receiver: Receiver, application, *staff) -> None:
    raw = b"".join(r.body for r in receiver.received).decode()
    resident = application.resident
    for secret_thing in (
        resident.name,
        resident.id_number,
        resident.id_number_masked,
        application.applicant_mobile,
        application.applicant_name,
        *(person.username for person in staff),
    ):
        assert secret_thing and secret_thing not in raw


class TestCertificateIssued:
    def test_the_body_is_the_application_number_and_serial_only(
        self, world, province, approve, receiver, django_capture_on_commit_callbacks
    ):
        secret = subscribe(world, province[0], receiver.url, [EventType.CERTIFICATE_ISSUED])
        with django_capture_on_commit_callbacks(execute=True):
            certificate = approve("dibao", "a1")
        [body] = verified(receiver, secret)  # the approval's state change is not subscribed
        assert set(body) == {"type", "timestamp", "id", "data"}
        assert body["type"] == "certificate.issued"
        assert datetime.datetime.fromisoformat(body["timestamp"]) == AT
        assert body["data"] == {
            "application_number": certificate.application.number,
            "certificate_serial": certificate.licence_number,
        }
        assert_nothing_personal(receiver, certificate.application, world.clerk_a, world.supervisor_a)

    def test_a_county_departments_certificate_reaches_the_county_not_the_township(
        self, world, province, hotline, approve, receiver, django_capture_on_commit_callbacks
    ):
        province_secret = subscribe(world, province[0], receiver.url)
        subscribe(world, hotline[0], receiver.url)  # centre A: the department's work is not its
        with django_capture_on_commit_callbacks(execute=True):
            certificate = approve("relief", "a1")  # decided and issued by D1
        [body] = verified(receiver, province_secret)
        assert body["data"]["certificate_serial"] == certificate.licence_number


class TestCertificateRevoked:
    def test_a_revocation_says_so_and_that_nothing_replaced_it(
        self, world, province, approve, receiver, django_capture_on_commit_callbacks
    ):
        certificate = approve("dibao", "a1")
        secret = subscribe(world, province[0], receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            certificate_services.certificate_revoke(
                actor=world.supervisor_a, certificate=certificate, reason="身份证号录入错误"
            )
        [body] = verified(receiver, secret)
        assert body["type"] == "certificate.revoked"
        assert body["data"] == {
            "application_number": certificate.application.number,
            "certificate_serial": certificate.licence_number,
            "reissued": False,
        }
        assert "身份证号录入错误" not in receiver.received[0].body.decode()  # the reason stays inside
        assert_nothing_personal(receiver, certificate.application, world.supervisor_a)

    def test_a_reissue_tells_the_revocation_then_the_new_serial(
        self, world, province, approve, receiver, django_capture_on_commit_callbacks
    ):
        old = approve("dibao", "a1")
        secret = subscribe(world, province[0], receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            new = certificate_services.certificate_revoke(
                actor=world.supervisor_a, certificate=old, reason="姓名有误", reissue=True
            )
        revoked, issued = verified(receiver, secret)
        number = old.application.number
        assert (revoked["type"], revoked["data"]) == (
            "certificate.revoked",
            {"application_number": number, "certificate_serial": old.licence_number, "reissued": True},
        )
        assert (issued["type"], issued["data"]) == (
            "certificate.issued",
            {"application_number": number, "certificate_serial": new.licence_number},
        )
        assert revoked["id"] != issued["id"]
        assert_nothing_personal(receiver, old.application, world.supervisor_a)


class TestWhoHearsOfCertificates:
    def test_only_clients_whose_region_holds_the_issuing_office(
        self, world, hotline, township_b, approve, receiver, django_capture_on_commit_callbacks
    ):
        hotline_secret = subscribe(world, hotline[0], receiver.url)  # centre A
        subscribe(world, township_b[0], receiver.url)  # centre B
        with django_capture_on_commit_callbacks(execute=True):
            in_a = approve("dibao", "a1")
        [body] = verified(receiver, hotline_secret)
        assert body["data"]["certificate_serial"] == in_a.licence_number
        receiver.received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            in_b = approve("dibao", "b1")
        [received] = receiver.received
        assert json.loads(received.body)["data"]["certificate_serial"] == in_b.licence_number
        with pytest.raises(WebhookVerificationError):
            Webhook(hotline_secret).verify(received.body, received.headers)  # township B's, not A's

    def test_a_client_without_the_scope_cannot_subscribe(self, world, receiver):
        ratings_only, _key = make_client(world.ds, name="省好差评系统", scopes=[Scope.RATINGS_READ])
        with pytest.raises(DomainError, match="certificate.issued"):
            subscribe(world, ratings_only, receiver.url)

    def test_a_scope_withdrawn_after_subscribing_stops_the_deliveries(
        self, world, province, approve, receiver, django_capture_on_commit_callbacks
    ):
        client = province[0]
        subscribe(world, client, receiver.url)
        client.scopes = [Scope.CATALOGUE_READ, Scope.RATINGS_READ]
        api_client_save(actor=None, client=client)
        with django_capture_on_commit_callbacks(execute=True):
            approve("dibao", "a1")
        assert receiver.received == []

    def test_a_deactivated_client_hears_nothing(
        self, world, province, approve, receiver, django_capture_on_commit_callbacks
    ):
        client = province[0]
        subscribe(world, client, receiver.url)
        client.is_active = False
        api_client_save(actor=None, client=client)
        with django_capture_on_commit_callbacks(execute=True):
            approve("dibao", "a1")
        assert receiver.received == []
