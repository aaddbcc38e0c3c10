"""Run the background tasks a bulk load enqueues in this process, once each, when it ends.

`manage.py load_demo` saves hundreds of pages, revisions and snippets, and every save enqueues
Wagtail's reference-index update and modelsearch's index update: about 1,470 tasks, a third of
them repeats for objects saved again. On the database backend they waited for a worker, ahead
of whatever the first visitor did (issue 15: a catalogue upload stayed queued behind them).

Inside `tasks_deferred()` enqueueing only records the call. When the block ends, each distinct
call (the same task with the same arguments) runs once, here, in one transaction, so the indexes
are right when the command returns and nothing is left for a worker. Running a repeated call
once at the end gives what running every copy would: Cunban's tasks, like Wagtail's, bring
something up to date with the database as it is when they run, and are safe to run twice
(a task may always be delivered twice).

Only the calling thread is affected: the task backends are per thread, and this swaps them for
recorders for the length of the block. Calls made by the tasks themselves are run too.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

# A task that keeps enqueueing itself would never let the block end.
MAX_ROUNDS = 10


class RecordingBackend(DummyBackend):
    """Keeps every enqueued call (in `results`) and runs nothing; `tasks_deferred` runs them."""


@dataclass
class DeferredTasksReport:
    enqueued: int = 0
    ran: int = 0
    failed: list[str] = field(default_factory=list)


def _key(result) -> str:
    return json.dumps(
        [result.task.module_path, list(result.args), result.kwargs], sort_keys=True, default=str
    )


@contextmanager
def tasks_deferred() -> Iterator[DeferredTasksReport]:
    """Record the tasks enqueued in the block; run each distinct one once when it ends.

    A task that fails is listed in the report's `failed` (its path, arguments and error) and the
    others still run; the caller decides whether that is fatal. If the block raises, nothing runs.
    """
    report = DeferredTasksReport()
    aliases = list(task_backends.settings)
    previous = {alias: task_backends[alias] for alias in aliases}
    recorders = {
        alias: RecordingBackend(alias=alias, params=task_backends.settings[alias]) for alias in aliases
    }
    for alias, recorder in recorders.items():
        task_backends[alias] = recorder
    try:
        yield report
        for _round in range(MAX_ROUNDS):
            # Repeats within a round run once; a call the tasks themselves enqueue runs again in
            # the next round even if it ran before, since what it updates may have changed.
            pending = {}
            for recorder in recorders.values():
                report.enqueued += len(recorder.results)
                for result in recorder.results:
                    pending.setdefault(_key(result), result)
                recorder.results = []
            if not pending:
                break
            with transaction.atomic():
                for result in pending.values():
                    try:
                        with transaction.atomic():
                            result.task.call(*result.args, **result.kwargs)
                    except Exception as error:  # reported, as a worker would
                        report.failed.append(f"{result.task.module_path}{tuple(result.args)}: {error!r}")
                    else:
                        report.ran += 1
        else:
            raise RuntimeError(f"tasks kept enqueueing tasks for {MAX_ROUNDS} rounds")
    finally:
        for alias, backend in previous.items():
            task_backends[alias] = backend
