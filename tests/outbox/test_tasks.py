"""outbox_send_task: the background task runs the same service and returns its counts."""

import pytest

from portal.outbox.services import message_queue
from portal.outbox.tasks import outbox_send_task

pytestmark = pytest.mark.django_db


def test_the_task_sends_due_messages_and_returns_the_report(empty_memory_outbox):
    message_queue(to_mobile="13900000001", body="您的申请已受理。", topic="accepted")

    result = outbox_send_task.enqueue()

    assert result.return_value == {"sent": 1, "failed": 0, "abandoned": 0, "stuck": 0, "due": 1}
    assert len(empty_memory_outbox) == 1
