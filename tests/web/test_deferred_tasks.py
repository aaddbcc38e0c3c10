"""`tasks_deferred`: tasks enqueued during a bulk load run once each, here, when it ends."""

import pytest
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from portal.web.deferred_tasks import MAX_ROUNDS, tasks_deferred
from tests.web.deferred_tasks_fixtures import CALLS, enqueue_itself, fail, record, record_then_enqueue

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _no_calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_nothing_runs_inside_the_block_and_each_distinct_call_runs_once_at_its_end():
    with tasks_deferred() as report:
        record.enqueue("a", number=1)
        record.enqueue("a", number=1)  # the same call again: runs once
        record.enqueue("a", number=2)
        record.enqueue("b")
        assert CALLS == []
    assert CALLS == [("record", "a", 1), ("record", "a", 2), ("record", "b", 0)]
    assert (report.enqueued, report.ran, report.failed) == (4, 3, [])
    assert not DBTaskResult.objects.exists()  # nothing was left for a worker


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_tasks_enqueued_by_the_deferred_tasks_run_too():
    with tasks_deferred() as report:
        record_then_enqueue.enqueue("page")
    assert CALLS == [("record_then_enqueue", "page"), ("record", "page (from a task)", 0)]
    assert report.ran == 2 and not DBTaskResult.objects.exists()


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_a_failing_task_is_reported_and_the_others_still_run():
    with tasks_deferred() as report:
        fail.enqueue("page 7")
        record.enqueue("after")
    assert ("record", "after", 0) in CALLS
    assert report.ran == 1
    assert len(report.failed) == 1
    assert (
        "tests.web.deferred_tasks_fixtures.fail" in report.failed[0] and "page 7 is gone" in report.failed[0]
    )


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_nothing_runs_when_the_block_fails_and_the_backend_is_restored():
    backend = task_backends["default"]
    with pytest.raises(ValueError), tasks_deferred():
        record.enqueue("never")
        raise ValueError("the load failed")
    assert CALLS == []
    assert task_backends["default"] is backend
    record.enqueue("queued for a worker again")
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_a_task_that_keeps_enqueueing_stops_the_run_with_a_clear_error():
    with pytest.raises(RuntimeError, match="kept enqueueing"), tasks_deferred():
        enqueue_itself.enqueue(1)
    assert len(CALLS) == MAX_ROUNDS
    assert task_backends["default"].__class__.__name__ == "DatabaseBackend"
