"""Back-office imports: working an uploaded workbook's ImportRun (queued by `catalogue_io.queue`).

The task `tasks.catalogue_import_run` calls `catalogue_import_run`, which runs
`catalogue_import` and keeps the run row up to date so the run page can show progress while the
import works.
"""

import logging

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cms.models import CountyHomePage
from portal.errors import DomainError, NotPermitted

from ..models import ImportRun
from .importing import catalogue_import

logger = logging.getLogger(__name__)


class _ProgressRecorder:
    """Stores an import's progress on its run row, where the run page reads it.

    Writes are plain UPDATEs on the task's own connection, which is in autocommit mode while
    rows are checked, so each is visible at once. Calls made inside the import's write
    transaction are skipped: they would stay invisible until commit and vanish on a rollback.
    The import reports the start and the end of writing outside that transaction, so the run
    page shows "writing" and then the finished count. Every `EVERY`th row is stored, to keep
    the task from spending its time on progress updates."""

    EVERY = 25

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.depth = len(connection.atomic_blocks)

    def __call__(self, done: int, total: int, phase: str) -> None:
        if len(connection.atomic_blocks) > self.depth:
            return
        if done not in (0, total) and done % self.EVERY:
            return
        ImportRun.objects.filter(pk=self.run_id).update(progress_done=done, progress_total=total, phase=phase)


def _run_finish(run_id: int, status: str, **fields) -> None:
    ImportRun.objects.filter(pk=run_id).update(status=status, finished_at=timezone.now(), **fields)


def catalogue_import_run(*, run_id: int) -> ImportRun:
    """Work one uploaded import: check, write if clean, and store the report on the run.

    A run is claimed by moving it from queued to running in one UPDATE, so a task delivered
    twice does the work once. The uploader's permission is checked again now: it may have
    ended since the upload. Problems in the file end the run as done (with its problems);
    anything else ends it as failed, and nothing is written either way.
    """
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    run = ImportRun.objects.select_related("created_by", "county").get(pk=run_id)
    if not claimed:
        return run
    recorder = _ProgressRecorder(run_id)
    language = run.language or translation.get_language()
    with translation.override(language):
        try:
            if run.created_by is None:
                raise NotPermitted(_("The person who uploaded this file no longer has an account."))
            county_home = CountyHomePage.objects.filter(region=run.county).first()
            if county_home is None:
                raise DomainError(
                    _("%(county)s has no county home page to import into.") % {"county": run.county}
                )
            with run.file.open("rb") as upload:
                data = upload.read()
            report = catalogue_import(
                actor=run.created_by,
                source=data,
                county_home=county_home,
                dry_run=run.dry_run,
                progress=recorder,
            )
        except DomainError as error:
            _run_finish(run_id, ImportRun.Status.FAILED, error=str(error))
        except Exception:
            logger.exception("Catalogue import run %s failed", run_id)
            _run_finish(
                run_id,
                ImportRun.Status.FAILED,
                error=_(
                    "The import stopped on an unexpected error and wrote nothing. The error is in the server log."
                ),
            )
            raise
        else:
            _run_finish(
                run_id,
                ImportRun.Status.DONE,
                report=report.as_dict(),
                problems=[problem.as_dict() for problem in report.problems],
            )
    run.refresh_from_db()
    return run
