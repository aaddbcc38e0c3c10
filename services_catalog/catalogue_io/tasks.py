"""Background tasks of catalogue import: thin wrappers around the services of the same name."""

from django_tasks import task

from .services import runs


@task()
def catalogue_import_run(run_id: int) -> str:
    """Work an uploaded import (see `services.runs.catalogue_import_run`); returns the run's status."""
    return runs.catalogue_import_run(run_id=run_id).status
