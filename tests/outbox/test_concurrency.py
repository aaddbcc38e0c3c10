"""Several senders at once on PostgreSQL: every message handed to the sender exactly once."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from portal.outbox.models import OutboxMessage
from portal.outbox.senders import memory_outbox
from portal.outbox.services import SendReport, message_queue, outbox_send_pending

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_in_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def test_two_workers_at_once_send_each_message_exactly_once(sms_backend):
    sms_backend("tests.outbox.senders.SlowSender")  # a pause per message, so the workers overlap
    for i in range(40):
        message_queue(to_mobile="13900000001", body=f"消息 {i}", topic="approved")
    barrier = threading.Barrier(2)
    reports: list[SendReport] = []
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait(timeout=10)
            reports.append(outbox_send_pending())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    run_in_threads(work, 2)

    assert errors == []
    assert Counter(sms.body for sms in memory_outbox) == {f"消息 {i}": 1 for i in range(40)}
    assert sum(report.sent for report in reports) == 40
    assert all(report.sent > 0 for report in reports), reports  # SKIP LOCKED: neither waited idle
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxMessage.Status.SENT, 1)}


def test_a_dedupe_key_queued_by_a_concurrent_transaction_queues_once():
    """The second transaction waits on the first one's unique key, then gets None, and its own
    transaction carries on (the failed insert was inside a savepoint)."""
    first_inserted = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = message_queue(
                    to_mobile="13900000001", body="逾期提醒", topic="overdue", dedupe_key="overdue:BD-1"
                )
                first_inserted.set()
                threading.Event().wait(0.5)  # hold the key uncommitted while the second tries
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(timeout=10)
            with transaction.atomic():
                results["second"] = message_queue(
                    to_mobile="13900000001", body="逾期提醒", topic="overdue", dedupe_key="overdue:BD-1"
                )
                message_queue(to_mobile="13900000002", body="其他消息", topic="returned")
        except BaseException as error:
            results["second_error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert "second_error" not in results, results
    assert results["first"] is not None
    assert results["second"] is None
    assert OutboxMessage.objects.filter(dedupe_key="overdue:BD-1").count() == 1
    assert OutboxMessage.objects.filter(topic="returned").count() == 1
