"""Background jobs of certificates (django-tasks; the database backend in production)."""

from django_tasks import task

from .batches import print_batch_run


@task()
def print_batch_run_task(batch_id: int) -> dict:
    """Print a queued batch into one PDF; returns the counts for the task's result."""
    batch = print_batch_run(batch_id=batch_id)
    return {"status": batch.status, "pages": batch.pages, "failures": len(batch.failures)}
