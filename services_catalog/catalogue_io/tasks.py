"""Background tasks of catalogue import: thin wrappers around the services of the same name."""

from django_tasks import task

from . import services


@task()
def catalogue_import_run(run_id: int) -> str:
    """Work an uploaded import (see `services.catalogue_import_run`); returns the run's status."""
    return services.catalogue_import_run(run_id=run_id).status
