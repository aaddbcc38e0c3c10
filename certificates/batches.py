"""Running a queued print batch: the work of `tasks.print_batch_run_task`.

Kept apart from `services` (which queues batches and so imports the task) so the task can import
this without a cycle."""

import logging
import tempfile
from collections.abc import Callable

from django.core.files import File
from django.utils import timezone

from . import printing
from .models import PrintBatch

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def print_batch_run(*, batch_id: int, progress: Progress | None = None) -> PrintBatch:
    """Print a queued batch into one PDF in private storage, reporting progress on its row.

    A batch is claimed by moving it from queued to running in one UPDATE, so a task delivered
    twice prints once. A certificate that cannot be printed (revoked since it was chosen, out of
    the person's jurisdiction now, or failing to render) is listed with the reason and left out;
    the rest of the batch goes on."""
    claimed = PrintBatch.objects.filter(pk=batch_id, status=PrintBatch.Status.QUEUED).update(
        status=PrintBatch.Status.RUNNING, started_at=timezone.now()
    )
    batch = PrintBatch.objects.select_related("created_by").get(pk=batch_id)
    if not claimed:
        return batch

    def report(done: int, total: int) -> None:
        if done in (0, total) or done % printing.PROGRESS_EVERY == 0:
            PrintBatch.objects.filter(pk=batch_id).update(progress_done=done)
        if progress is not None:
            progress(done, total)

    try:
        with tempfile.TemporaryFile() as out:
            result = printing.certificates_pdf(
                user=batch.created_by, certificate_ids=batch.certificate_ids, out=out, progress=report
            )
            out.seek(0)
            batch.file.save(f"batch-{batch.pk}.pdf", File(out), save=False)
            size = out.seek(0, 2)
    except Exception as error:
        logger.exception("Print batch %s failed", batch_id)
        PrintBatch.objects.filter(pk=batch_id).update(
            status=PrintBatch.Status.FAILED, finished_at=timezone.now(), error=str(error)[:500]
        )
        raise
    PrintBatch.objects.filter(pk=batch_id).update(
        status=PrintBatch.Status.DONE,
        finished_at=timezone.now(),
        file=batch.file.name,
        size=size,
        pages=result.pages,
        progress_done=len(batch.certificate_ids),
        failures=result.failures,
    )
    batch.refresh_from_db()
    return batch
