"""Deleting many rows without long locks, for the housekeeping that prunes a growing table (the
throttle's attempts, the webhooks' deliveries).

One DELETE of every old row would hold its locks, and grow the write-ahead log, for as long as
the first run on a large table takes, while the API keeps adding rows; a batch at a time, each
committed on its own, keeps every lock short, and a run stopped mid-way keeps what it did.
"""

from collections.abc import Callable

from django.db import models, transaction


def rows_delete_in_batches(
    rows: models.QuerySet,
    *,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
    dependents: Callable[[list[int]], object] | None = None,
) -> int:
    """Delete `rows` by primary key, `batch_size` at a time, each batch in its own transaction;
    returns how many went. `dependents`, if given, is called with each batch's keys first, to
    delete the rows that point at them in one query of its own (Django's delete would fetch them
    to cascade). `progress` is called with the running count after each batch.

    Call it outside a transaction for the batches to commit one by one: inside one (a test) each
    batch is a savepoint, and nothing commits before the caller's transaction does."""
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                return deleted
            if dependents is not None:
                dependents(batch)
            rows.model._default_manager.filter(pk__in=batch).delete()
        deleted += len(batch)
        if progress is not None:
            progress(deleted)
