"""message_queue: a message exists exactly when the caller's change does, once per dedupe key."""

import pytest
from django.db import transaction
from django.utils import timezone

from portal.outbox.models import OutboxMessage
from portal.outbox.services import message_queue, outbox_send_pending
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def queue(**kwargs) -> OutboxMessage | None:
    values = {"to_mobile": "13900000001", "body": "您的申请已受理。", "topic": "accepted"}
    return message_queue(**(values | kwargs))


class TestMessageQueue:
    def test_it_queues_a_pending_message_due_now(self):
        message = queue(reference="BD-2026-000123")

        assert message is not None
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.PENDING
        assert message.attempts == 0
        assert message.reference == "BD-2026-000123"
        assert message.next_attempt_at <= timezone.now()
        assert message.sent_at is None

    def test_a_rolled_back_transaction_queues_and_sends_nothing(self, empty_memory_outbox):
        with pytest.raises(RuntimeError), transaction.atomic():
            queue()
            raise RuntimeError("the business change failed")

        assert not OutboxMessage.objects.exists()
        assert outbox_send_pending().sent == 0
        assert empty_memory_outbox == []

    def test_it_stores_the_mobile_as_eleven_digits(self):
        assert queue(to_mobile="+86 139-0000 0001").to_mobile == "13900000001"

    def test_a_staff_account_needs_no_mobile(self):
        user = UserFactory(username="clerk")
        message = queue(to_mobile="", to_user=user)
        assert message.to_mobile == ""
        assert message.to_user == user

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"to_mobile": ""},
            {"to_mobile": "1390000000"},
            {"to_mobile": "23900000001"},
            {"body": "   "},
            {"body": "字" * 501},
            {"topic": "not a slug"},
            {"topic": "x" * 33},
            {"reference": "R" * 65},
            {"dedupe_key": "k" * 201},
        ],
    )
    def test_a_callers_mistake_raises_value_error(self, kwargs):
        with pytest.raises(ValueError):
            queue(**kwargs)
        assert not OutboxMessage.objects.exists()

    def test_a_body_of_500_characters_is_accepted(self):
        assert len(queue(body="字" * 500).body) == 500


class TestDedupeKey:
    def test_the_same_key_queues_once(self):
        first = queue(dedupe_key="overdue:BD-2026-000123:2026-03-02")
        second = queue(dedupe_key="overdue:BD-2026-000123:2026-03-02", body="再次提醒")

        assert first is not None
        assert second is None
        assert OutboxMessage.objects.count() == 1
        assert OutboxMessage.objects.get().body == "您的申请已受理。"

    def test_the_key_holds_after_the_message_was_sent(self):
        queue(dedupe_key="due_soon:BD-1")
        outbox_send_pending()
        assert queue(dedupe_key="due_soon:BD-1") is None

    def test_different_keys_and_no_key_queue_each_time(self):
        queue(dedupe_key="a")
        queue(dedupe_key="b")
        queue()
        queue()
        assert OutboxMessage.objects.count() == 4

    def test_a_duplicate_does_not_spoil_the_callers_transaction(self):
        queue(dedupe_key="once")
        with transaction.atomic():
            assert queue(dedupe_key="once") is None
            queue(body="the caller carries on")
        assert OutboxMessage.objects.count() == 2
