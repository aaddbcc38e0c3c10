"""The bad-rating webhook, driven through the ratings' own services: a villager's 不满意 opens a
rectification and `rating.bad_opened` carries the application number, the level, the rated
office and the answer's due date, never the villager's words or reasons; a good rating, or a
client without ratings:read or outside the rated office's region, gets nothing; every delivery
verifies with the `standardwebhooks` library."""

import datetime

import pytest
from standardwebhooks.webhooks import Webhook

from api.scopes import Scope
from api.services import api_client_save
from api.webhook_models import EventType
from portal.errors import DomainError
from ratings import services as rating_services
from ratings.models import Channel, Level
from tests.api import webhook_fixtures
from tests.api.conftest import make_client
from tests.api.webhook_fixtures import AT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def rate(application, level: int, **kwargs):
    """The villager rates from the tracking page."""
    return rating_services.rating_submit(
        application=application, level=level, channel=Channel.TRACKING, **kwargs
    )


def subscribe(world, client, url: str) -> str:
    """Subscribe to the bad-rating event; returns the secret."""
    return webhook_fixtures.subscribe(world, client, url, [EventType.BAD_RATING_OPENED])[1]


class TestBadRatingOpened:
    def test_the_body_is_number_level_office_and_due_date_only(
        self, world, province, decided, receiver, django_capture_on_commit_callbacks
    ):
        secret = subscribe(world, province[0], receiver.url)
        application = decided("a1")
        with django_capture_on_commit_callbacks(execute=True):
            rating = rate(application, Level.DISSATISFIED, reasons=["slow"], comment="跑了三趟")
        rectification = rating.rectifications.get()
        [received] = receiver.received
        body = Webhook(secret).verify(received.body, received.headers)
        assert set(body) == {"type", "timestamp", "id", "data"}
        assert (body["type"], body["id"]) == ("rating.bad_opened", received.headers["webhook-id"])
        assert datetime.datetime.fromisoformat(body["timestamp"]) == AT
        assert body["data"] == {
            "rating_id": rating.pk,
            "application_number": application.number,
            "level": Level.DISSATISFIED,
            "office": world.centre_a.name,
            "answer_due_on": rectification.due_on.isoformat(),
        }
        raw = received.body.decode()
        resident = application.resident
        for private in (
            "跑了三趟",
            "slow",
            resident.name,
            resident.id_number_masked,
            application.applicant_mobile,
        ):
            assert private not in raw
        for person in (world.clerk_a, world.assistant_a1):
            assert person.username not in raw

    def test_a_good_rating_is_not_told(
        self, world, province, decided, receiver, django_capture_on_commit_callbacks
    ):
        subscribe(world, province[0], receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            rate(decided("a1"), Level.SATISFIED)
        assert receiver.received == []

    def test_a_rating_changed_to_bad_opens_and_is_told(
        self, world, province, decided, receiver, django_capture_on_commit_callbacks
    ):
        secret = subscribe(world, province[0], receiver.url)
        application = decided("a1")
        with django_capture_on_commit_callbacks(execute=True):
            rate(application, Level.SATISFIED)
            rate(application, Level.VERY_DISSATISFIED)
        [received] = receiver.received
        body = Webhook(secret).verify(received.body, received.headers)
        assert body["data"]["level"] == Level.VERY_DISSATISFIED


class TestWhoHearsOfBadRatings:
    def test_a_client_of_another_township_hears_nothing(
        self, world, decided, receiver, django_capture_on_commit_callbacks
    ):
        township_b, _key = make_client(world.centre_b, name="霍各庄镇平台", scopes=list(Scope.values))
        secret = subscribe(world, township_b, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            rate(decided("a1"), Level.DISSATISFIED)
        assert receiver.received == []
        with django_capture_on_commit_callbacks(execute=True):
            rate(decided("b1"), Level.DISSATISFIED)
        [received] = receiver.received
        assert (
            Webhook(secret).verify(received.body, received.headers)["data"]["office"] == world.centre_b.name
        )

    def test_a_client_without_ratings_read_cannot_subscribe(self, world, hotline, receiver):
        with pytest.raises(DomainError, match="rating.bad_opened"):
            subscribe(world, hotline[0], receiver.url)

    def test_ratings_read_withdrawn_after_subscribing_stops_the_deliveries(
        self, world, province, decided, receiver, django_capture_on_commit_callbacks
    ):
        client = province[0]
        subscribe(world, client, receiver.url)
        client.scopes = [Scope.APPLICATIONS_READ_STATUS]
        api_client_save(actor=None, client=client)
        with django_capture_on_commit_callbacks(execute=True):
            rate(decided("a1"), Level.DISSATISFIED)
        assert receiver.received == []
