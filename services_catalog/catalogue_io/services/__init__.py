"""State changes of catalogue import: the import itself (importing.py) and back-office runs of
it (queue.py queues them, runs.py works them). Import from here; the modules are split by subject, not by audience."""

from .importing import IMPORT_LOG_ACTION, ImportReport, SheetCounts, catalogue_import
from .queue import catalogue_import_run_create
from .runs import catalogue_import_run

__all__ = [
    "IMPORT_LOG_ACTION",
    "ImportReport",
    "SheetCounts",
    "catalogue_import",
    "catalogue_import_run",
    "catalogue_import_run_create",
]
