"""State changes of catalogue import: the import itself (importing.py) and back-office runs of
it (runs.py works them; ../queue.py queues them). Import from here; the modules are split by subject, not by audience."""

from .importing import IMPORT_LOG_ACTION, ImportReport, SheetCounts, catalogue_import
from .runs import catalogue_import_run

__all__ = [
    "IMPORT_LOG_ACTION",
    "ImportReport",
    "SheetCounts",
    "catalogue_import",
    "catalogue_import_run",
]
