"""The one attempts store and the table of limits (issue 17, item 4): what each limit counts,
on what, over which window; the one client-address helper; and, on PostgreSQL, that tries sent
at the same moment are counted one after another."""

import datetime
from functools import partial

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone, translation

from approvals import tracking
from ledger import public
from portal.throttle import limits
from portal.throttle.client_address import client_address
from portal.throttle.limits import LIMITS, Limit, Per, Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import attempt_count, limit_reached
from portal.throttle.services import LimitReached, attempt_allowed, attempt_record, check
from tests.approvals.test_concurrency import race

NUMBER = "120115121-261207-001"
OTHER = "120115121-261207-002"

SAMPLE = Limit(
    name="sample",
    scope="sample",
    per=Per.KEY,
    most=3,
    window=datetime.timedelta(hours=1),
    counts=limits.FAILED,
    message=limits.CODES_PER_NUMBER.message,
    when_reached="paused",
)
SAMPLE_PER_CLIENT = Limit(
    name="sample per client",
    scope="sample",
    per=Per.CLIENT,
    most=2,
    window=datetime.timedelta(hours=1),
    counts=limits.ANY,
    message=limits.TRACKING_PER_CLIENT.message,
    when_reached="wait",
)
SAMPLE_PER_KEY_AND_CLIENT = Limit(
    name="sample per key and client",
    scope="sample",
    per=Per.KEY_AND_CLIENT,
    most=2,
    window=None,
    counts=limits.ANY,
    message=limits.TRACKING_PER_CLIENT.message,
    when_reached="wait",
)


def fail(key: str = NUMBER, client: str | None = "192.0.2.1", scope: str = "sample", n: int = 1) -> None:
    for _ in range(n):
        attempt_record(scope=scope, key=key, client=client, outcome=Attempt.Outcome.FAILED)


class TestTheTable:
    def test_names_are_unique_and_each_store_limit_has_a_scope(self):
        assert len({limit.name for limit in LIMITS}) == len(LIMITS)
        scopes = {value for name, value in vars(Scope).items() if name.isupper()}
        for limit in LIMITS:
            assert (limit.scope in scopes) == (limit.counted_by == "store"), limit.name

    def test_every_limit_keys_on_the_attacked_thing_or_the_client(self):
        per_scope: dict[str, set[Per]] = {}
        for limit in LIMITS:
            per_scope.setdefault(limit.scope, set()).add(limit.per)
        # every public guess is limited both on what is guessed and on who guesses
        for scope in (
            Scope.TRACKING_LOOKUP,
            Scope.LEDGER_LOOKUP,
            Scope.CERTIFICATE_CHECK,
            Scope.PASSWORD_RESET,
        ):
            assert per_scope[scope] == {Per.KEY, Per.CLIENT}, scope
        assert per_scope[Scope.ONE_TIME_CODE] == {Per.KEY, Per.CLIENT, Per.KEY_AND_CLIENT}

    def test_the_numbers_are_the_ones_the_pages_promise(self, settings):
        assert (tracking.FAILURES_PER_DAY, tracking.FAILURES_IN_ALL, tracking.ADDRESS_FAILURES_PER_DAY) == (
            5,
            10,
            20,
        )
        assert (tracking.CODE_SENDS_PER_NUMBER_PER_HOUR, tracking.CODE_SENDS_PER_ADDRESS_PER_DAY) == (3, 10)
        assert tracking.CODE_SENDS_PER_NUMBER_PER_HOUR_IN_ALL == 10
        assert tracking.CODE_TRIES == 3
        assert (public.FAILURES_PER_DAY, public.ADDRESS_FAILURES_PER_DAY) == (5, 20)
        settings.CUNBAN_LEDGER_SUBMISSIONS_PER_DAY = 7
        assert limits.LEDGER_SUBMISSIONS_PER_CLIENT.maximum == 7
        settings.PASSWORD_RESET_PER_ACCOUNT_HOUR = 2
        assert limits.PASSWORD_RESETS_PER_ACCOUNT.maximum == 2
        assert limits.LOGIN_FAILURES.maximum == settings.AXES_FAILURE_LIMIT

    def test_a_message_names_the_count_where_it_has_one(self):
        with translation.override("en"):
            assert "3 times" in limits.CODES_PER_NUMBER_AND_CLIENT.refusal(3)
        assert limits.PASSWORD_RESETS_PER_CLIENT.refusal(10) == ""


@pytest.mark.django_db
class TestCounting:
    def test_failures_of_one_key_count_whoever_sends_them(self):
        fail(client="192.0.2.1", n=2)
        fail(client="192.0.2.2")
        assert attempt_count(SAMPLE, key=NUMBER) == 3
        assert limit_reached([SAMPLE], key=NUMBER).count == 3
        assert limit_reached([SAMPLE], key=OTHER) is None

    def test_only_the_outcomes_it_counts(self):
        attempt_record(scope="sample", key=NUMBER, outcome=Attempt.Outcome.OK)
        attempt_record(scope="sample", key=NUMBER, outcome=Attempt.Outcome.REFUSED)
        assert attempt_count(SAMPLE, key=NUMBER) == 0

    def test_the_window_slides(self):
        with time_machine.travel(timezone.now() - datetime.timedelta(minutes=61)):
            fail(n=3)
        assert attempt_allowed(SAMPLE, key=NUMBER)
        fail(n=3)
        assert not attempt_allowed(SAMPLE, key=NUMBER)

    def test_since_forgives_a_keys_failures_but_not_a_clients(self):
        fail(n=3)
        unlocked = timezone.now()
        with time_machine.travel(unlocked + datetime.timedelta(seconds=1)):
            assert limit_reached([SAMPLE], key=NUMBER, since=unlocked) is None
            assert limit_reached([SAMPLE_PER_CLIENT], client="192.0.2.1", since=unlocked) is not None

    def test_a_per_client_limit_counts_every_key(self):
        fail(key=NUMBER)
        fail(key=OTHER)
        with pytest.raises(LimitReached) as refused:
            check(SAMPLE_PER_CLIENT, client="192.0.2.1")
        assert str(refused.value) == str(limits.TRACKING_PER_CLIENT.message)
        check(SAMPLE_PER_CLIENT, client="192.0.2.2")

    def test_per_key_and_client_a_stranger_does_not_use_up_the_owners_tries(self):
        fail(client="198.51.100.7", n=2)
        assert not attempt_allowed(SAMPLE_PER_KEY_AND_CLIENT, key=NUMBER, client="198.51.100.7")
        assert attempt_allowed(SAMPLE_PER_KEY_AND_CLIENT, key=NUMBER, client="203.0.113.1")

    def test_an_unknown_client_is_one_bucket_only_where_the_limit_says_so(self):
        fail(client=None, n=2)
        assert attempt_allowed(SAMPLE_PER_CLIENT, client=None)  # not limited per client
        shared = Limit(**{**SAMPLE_PER_CLIENT.__dict__, "unknown_client_shared": True})
        assert not attempt_allowed(shared, client=None)

    def test_no_key_means_no_per_key_bucket(self):
        fail(key="", n=5)
        assert attempt_allowed(SAMPLE, key="")

    def test_the_client_comes_from_the_request_behind_the_proxy(self, settings):
        settings.PROXY_COUNT = 1
        fail(client="198.51.100.9", n=2)
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
        )
        assert client_address(request) == "198.51.100.9"
        with pytest.raises(LimitReached):
            check(SAMPLE_PER_CLIENT, request=request)

    def test_limits_counted_elsewhere_are_not_counted_here(self):
        with pytest.raises(ValueError, match="django-axes"):
            attempt_count(limits.LOGIN_FAILURES, key="clerk_a", client="192.0.2.1")


@pytest.mark.django_db
def test_counting_a_limit_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        limit_reached([limits.TRACKING_PER_NUMBER_DAY], key=NUMBER)


@pytest.mark.django_db
def test_an_unlock_lifts_the_days_pause_too(cases, world):
    from approvals import services

    application = cases.submitted()
    for n in range(tracking.FAILURES_PER_DAY):
        with pytest.raises(tracking.TrackingRefused):
            tracking.tracking_lookup(number=application.number, last4="0000", address=f"192.0.2.{n}")
    assert tracking.tracking_paused(application.number)
    application.refresh_from_db()
    assert application.tracking_locked_at is None
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=1)):
        services.tracking_unlock(actor=world.assistant_a1, application=application)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        assert not tracking.tracking_paused(application.number)
        last4 = application.applicant_mobile[-4:]
        assert (
            tracking.tracking_lookup(number=application.number, last4=last4, address="192.0.2.99")
            == application
        )


# -- on PostgreSQL: simultaneous tries -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_guesses_at_one_number_never_pass_the_limit():
    """Twelve wrong guesses at once from twelve addresses: without the lock each could count the
    failures before any is recorded and all twelve would be tried; with it, five are."""
    outcomes = race(
        *[
            partial(tracking.tracking_lookup, number=NUMBER, last4="0000", address=f"198.51.100.{n}")
            for n in range(12)
        ]
    )
    assert len(outcomes) == 12
    tried = Attempt.objects.filter(scope=Scope.TRACKING_LOOKUP, key=NUMBER).count()
    assert tried == tracking.FAILURES_PER_DAY
    assert outcomes.count(f"refused: {tracking.paused_refusal()}") == 12 - tried


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_code_requests_from_one_client_stop_at_its_limit():
    outcomes = race(
        *[
            partial(
                tracking.tracking_code_send,
                number=f"120115121-261207-{n:03d}",
                address="192.0.2.77",
                browser="b",
            )
            for n in range(14)
        ]
    )
    assert outcomes.count("done") == tracking.CODE_SENDS_PER_ADDRESS_PER_DAY
    assert Attempt.objects.filter(scope=Scope.ONE_TIME_CODE, client="192.0.2.77").count() == (
        tracking.CODE_SENDS_PER_ADDRESS_PER_DAY
    )
