"""Background task of the outbox: a thin wrapper around `services.outbox_send_pending`."""

from dataclasses import asdict

from django_tasks import task

from . import services


@task()
def outbox_send_task(limit: int = 500) -> dict[str, int]:
    """Send due messages (see `services.outbox_send_pending`); returns the report's counts.

    Enqueue it after committing a change that queued messages, or on a timer; runs that overlap
    are safe, since each message is claimed before it is sent."""
    return asdict(services.outbox_send_pending(limit=limit))
