"""send_outbox: one run or a loop; prints progress and the report; fails loudly on stuck messages."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from portal.outbox.models import OutboxMessage
from portal.outbox.services import STUCK_AFTER, message_queue
from portal.web import sweep

pytestmark = pytest.mark.django_db


def queue(n: int) -> None:
    for i in range(n):
        message_queue(to_mobile="13900000001", body=f"提醒 {i}", topic="due_soon")


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_outbox", *args, stdout=out)
    return out.getvalue()


def test_it_sends_the_due_messages_and_prints_the_report(empty_memory_outbox):
    queue(3)

    output = run()

    assert "Outbox: 3 message(s) due" in output
    assert "Sent 3, failed 0 (to retry), abandoned 0, stuck 0." in output
    assert len(empty_memory_outbox) == 3


def test_it_prints_a_progress_line_every_fifty_messages(empty_memory_outbox):
    queue(60)

    output = run("--limit", "55")

    assert "  50/55…" in output
    assert "Sent 55," in output
    assert len(empty_memory_outbox) == 55


def test_a_run_with_nothing_due_says_so():
    assert "Sent 0, failed 0 (to retry), abandoned 0, stuck 0." in run()


def test_failures_are_reported(sms_backend):
    sms_backend("tests.outbox.senders.RefusingSender")
    queue(2)

    assert "Sent 0, failed 2 (to retry)" in run()


def test_stuck_messages_make_it_fail(empty_memory_outbox):
    queue(1)
    OutboxMessage.objects.update(
        status=OutboxMessage.Status.SENDING,
        claimed_at=timezone.now() - STUCK_AFTER - datetime.timedelta(minutes=1),
    )

    with pytest.raises(CommandError, match="1 message"):
        run()
    assert empty_memory_outbox == []


def test_it_refuses_a_limit_below_one():
    with pytest.raises(CommandError):
        run("--limit", "0")


def test_the_loop_runs_until_interrupted(monkeypatch, empty_memory_outbox):
    queue(2)
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 1:
            queue(1)  # arrives while the loop sleeps
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(sweep.time, "sleep", sleep)
    # Between runs the loop drops connections that left autocommit; the test's own transaction
    # looks like one to it (Django's test client disconnects the same call from its signals).
    monkeypatch.setattr(sweep, "close_old_connections", lambda: None)

    output = run("--loop", "--interval", "5")

    assert naps == [5.0, 5.0]
    assert len(empty_memory_outbox) == 3
    assert output.count("Sent ") == 2  # one report per run that did something
    assert output.rstrip().endswith("Stopped.")
