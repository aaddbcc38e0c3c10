"""outbox_send_pending: each message handed to the sender at most once, failures retried with backoff."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from portal.outbox.models import OutboxMessage
from portal.outbox.services import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    STUCK_AFTER,
    SendReport,
    message_queue,
    outbox_send_pending,
)
from tests.factories import UserFactory

from .senders import PeekingSender, RefusingSender

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
MINUTE = datetime.timedelta(minutes=1)


def queue(n: int = 1, **kwargs) -> list[OutboxMessage]:
    values = {"to_mobile": "13900000001", "topic": "approved", "reference": "BD-2026-000123"} | kwargs
    return [message_queue(body=f"您的申请已办结。({i})", **values) for i in range(n)]


def reload(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


class TestSending:
    def test_it_sends_a_due_message_once_and_records_it(self, empty_memory_outbox):
        [message] = queue()

        report = outbox_send_pending()

        assert report == SendReport(sent=1, due=1)
        assert [(sms.to_mobile, sms.body, sms.reference) for sms in empty_memory_outbox] == [
            ("13900000001", "您的申请已办结。(0)", "BD-2026-000123")
        ]
        message = reload(message)
        assert message.status == Status.SENT
        assert message.attempts == 1
        assert message.channel == OutboxMessage.Channel.SMS
        assert message.provider_id == empty_memory_outbox[0].provider_id
        assert message.sent_at is not None
        assert message.last_error == ""

    def test_running_it_twice_never_sends_twice(self, empty_memory_outbox):
        queue(3)

        first = outbox_send_pending()
        second = outbox_send_pending()

        assert (first.sent, second.sent, second.processed) == (3, 0, 0)
        assert len(empty_memory_outbox) == 3

    def test_it_sends_at_most_limit_messages_oldest_first(self, empty_memory_outbox):
        queue(5)

        report = outbox_send_pending(limit=2)

        assert (report.sent, report.due) == (2, 2)
        assert [sms.body for sms in empty_memory_outbox] == ["您的申请已办结。(0)", "您的申请已办结。(1)"]
        assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 3

    def test_it_reports_progress_after_each_message(self):
        queue(3)
        seen: list[int] = []

        outbox_send_pending(progress=lambda report: seen.append(report.processed))

        assert seen == [1, 2, 3]

    def test_it_refuses_to_run_inside_a_transaction(self):
        queue()
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_send_pending()

    def test_an_idle_run_costs_three_queries(self, django_assert_num_queries):
        # The stuck count, the due count, and one claim that finds nothing; the claim's
        # transaction is a savepoint inside the test's transaction, hence two more statements.
        with django_assert_num_queries(5):
            assert outbox_send_pending() == SendReport()


class TestRetries:
    def test_a_refused_message_is_retried_with_growing_waits_then_abandoned(
        self, sms_backend, empty_memory_outbox
    ):
        sms_backend("tests.outbox.senders.RefusingSender")
        RefusingSender.calls = 0
        [message] = queue()
        now = timezone.now()

        for attempt, delay in enumerate(RETRY_DELAYS, start=1):
            assert outbox_send_pending(now=now) == SendReport(failed=1, due=1)
            message = reload(message)
            assert (message.status, message.attempts) == (Status.FAILED, attempt)
            assert message.next_attempt_at == now + delay
            assert message.last_error == "gateway answered 503"
            # Not due before its time.
            assert outbox_send_pending(now=now + delay - MINUTE / 2).processed == 0
            now += delay

        assert outbox_send_pending(now=now) == SendReport(abandoned=1, due=1)
        message = reload(message)
        assert (message.status, message.attempts) == (Status.ABANDONED, MAX_ATTEMPTS)
        assert "Gave up after 6 attempts" in message.last_error
        assert "gateway answered 503" in message.last_error
        assert RefusingSender.calls == MAX_ATTEMPTS

        assert outbox_send_pending(now=now + datetime.timedelta(days=30)).processed == 0
        assert RefusingSender.calls == MAX_ATTEMPTS
        assert empty_memory_outbox == []

    def test_the_waits_are_1_5_30_and_120_minutes_at_first(self):
        assert [delay // MINUTE for delay in RETRY_DELAYS[:4]] == [1, 5, 30, 120]
        assert MAX_ATTEMPTS == 6

    def test_a_retried_message_is_sent_once_the_gateway_is_back(self, sms_backend, empty_memory_outbox):
        sms_backend("tests.outbox.senders.RefusingSender")
        [message] = queue()
        now = timezone.now()
        outbox_send_pending(now=now)

        sms_backend("portal.outbox.senders.MemorySender")
        assert outbox_send_pending(now=now + RETRY_DELAYS[0]).sent == 1

        message = reload(message)
        assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
        assert len(empty_memory_outbox) == 1

    def test_a_permanent_refusal_is_abandoned_at_once(self, sms_backend):
        sms_backend("tests.outbox.senders.InvalidNumberSender")
        [message] = queue()

        assert outbox_send_pending().abandoned == 1
        message = reload(message)
        assert (message.status, message.attempts) == (Status.ABANDONED, 1)
        assert message.last_error == "isv.MOBILE_NUMBER_ILLEGAL"

    def test_an_unexpected_error_is_not_retried_since_the_message_may_have_gone(self, sms_backend):
        sms_backend("tests.outbox.senders.TimeoutSender")
        [message] = queue()

        assert outbox_send_pending().abandoned == 1
        message = reload(message)
        assert message.status == Status.ABANDONED
        assert "TimeoutError" in message.last_error
        assert "not retried" in message.last_error


class TestAtMostOnce:
    def test_a_message_claimed_by_a_process_that_died_is_reported_not_resent(self, empty_memory_outbox):
        [message] = queue()
        now = timezone.now()
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.SENDING, claimed_at=now - STUCK_AFTER - MINUTE
        )

        report = outbox_send_pending(now=now)

        assert report == SendReport(stuck=1)
        assert empty_memory_outbox == []
        assert reload(message).status == Status.SENDING

    def test_a_message_claimed_moments_ago_is_neither_sent_nor_reported(self, empty_memory_outbox):
        [message] = queue()
        now = timezone.now()
        OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=now - MINUTE)

        assert outbox_send_pending(now=now) == SendReport()
        assert empty_memory_outbox == []

    def test_the_claim_is_committed_before_the_sender_is_called(self, sms_backend):
        """The sender sees its own message as `sending` in the database: were the process to die
        now, no other worker would take it."""
        sms_backend("tests.outbox.senders.PeekingSender")
        PeekingSender.seen = []
        queue()

        outbox_send_pending()

        assert PeekingSender.seen == [Status.SENDING]

    def test_a_sender_that_cannot_start_claims_nothing(self, settings):
        settings.CUNBAN_SMS_BACKEND = "portal.outbox.senders.FileSender"
        settings.CUNBAN_SMS_FILE = ""
        [message] = queue()

        with pytest.raises(ImproperlyConfigured):
            outbox_send_pending()
        assert reload(message).status == Status.PENDING


class TestStaffRecipients:
    def test_a_staff_account_gets_an_sms_at_its_mobile(self, empty_memory_outbox):
        clerk = UserFactory(username="clerk", mobile="13900000009")
        [message] = queue(to_mobile="", to_user=clerk)

        assert outbox_send_pending().sent == 1
        assert [sms.to_mobile for sms in empty_memory_outbox] == ["13900000009"]
        # The number used is recorded on the message.
        assert reload(message).to_mobile == "13900000009"

    def test_a_staff_account_without_a_mobile_gets_an_email(self, empty_memory_outbox):
        clerk = UserFactory(username="clerk", email="clerk@example.gov.cn")
        [message] = queue(to_mobile="", to_user=clerk)

        assert outbox_send_pending().sent == 1
        assert empty_memory_outbox == []
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["clerk@example.gov.cn"]
        assert mail.outbox[0].body == "您的申请已办结。(0)"
        assert "BD-2026-000123" in mail.outbox[0].subject
        message = reload(message)
        assert (message.status, message.channel) == (Status.SENT, OutboxMessage.Channel.EMAIL)

    def test_a_staff_account_with_neither_is_abandoned_with_the_reason(self, empty_memory_outbox):
        clerk = UserFactory(username="clerk")
        [message] = queue(to_mobile="", to_user=clerk)

        assert outbox_send_pending().abandoned == 1
        message = reload(message)
        assert message.status == Status.ABANDONED
        assert message.last_error == "The staff account has neither a mobile number nor an email address."
        assert empty_memory_outbox == [] and mail.outbox == []

    def test_a_deactivated_staff_account_gets_nothing(self, empty_memory_outbox):
        clerk = UserFactory(username="clerk", mobile="13900000009", is_active=False)
        [message] = queue(to_mobile="", to_user=clerk)

        assert outbox_send_pending().abandoned == 1
        assert reload(message).last_error == "The staff account is deactivated."
        assert empty_memory_outbox == []

    def test_an_explicit_mobile_wins_over_the_accounts(self, empty_memory_outbox):
        clerk = UserFactory(username="clerk", mobile="13900000009")
        queue(to_user=clerk)

        outbox_send_pending()
        assert [sms.to_mobile for sms in empty_memory_outbox] == ["13900000001"]

    def test_a_refused_email_is_retried(self, settings):
        settings.EMAIL_BACKEND = "tests.outbox.test_services_outbox_send_pending.BrokenEmailBackend"
        clerk = UserFactory(username="clerk", email="clerk@example.gov.cn")
        [message] = queue(to_mobile="", to_user=clerk)

        assert outbox_send_pending().failed == 1
        message = reload(message)
        assert message.status == Status.FAILED
        assert message.last_error.startswith("email: ")


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
