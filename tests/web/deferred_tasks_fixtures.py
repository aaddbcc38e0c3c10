"""Module-level tasks for tests/web/test_deferred_tasks.py (django-tasks refuses others)."""

from django_tasks import task

CALLS: list[tuple] = []


@task()
def record(name: str, number: int = 0) -> None:
    CALLS.append(("record", name, number))


@task()
def record_then_enqueue(name: str) -> None:
    CALLS.append(("record_then_enqueue", name))
    record.enqueue(f"{name} (from a task)")


@task()
def fail(name: str) -> None:
    CALLS.append(("fail", name))
    raise LookupError(f"{name} is gone")


@task()
def enqueue_itself(round_number: int) -> None:
    CALLS.append(("enqueue_itself", round_number))
    enqueue_itself.enqueue(round_number + 1)
