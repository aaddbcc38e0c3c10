"""Back-office imports: an uploaded workbook, stored as an ImportRun and queued for the task.

The upload view calls `catalogue_import_run_create`; the task works the run through
`services.runs.catalogue_import_run`. Kept outside `services` because it imports the task, which
imports `services`.
"""

from functools import partial

from django.core.files import File
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cms.models import CountyHomePage
from portal.errors import NotPermitted

from .models import ImportRun
from .services.importing import catalogue_import_check_permission
from .tasks import catalogue_import_run as catalogue_import_run_task


def catalogue_import_run_create(
    *, actor, county_home: CountyHomePage, file: File, dry_run: bool
) -> ImportRun:
    """Store an uploaded workbook and queue its import; the task starts once this commits."""
    if actor is None:
        raise NotPermitted(_("An uploaded catalogue needs the person who uploaded it."))
    catalogue_import_check_permission(actor=actor, county_home=county_home)
    with transaction.atomic():
        run = ImportRun.objects.create(
            county=county_home.region,
            created_by=actor,
            file=file,
            original_name=(getattr(file, "name", "") or "")[-200:],
            dry_run=dry_run,
            language=translation.get_language() or "",
        )
        transaction.on_commit(partial(catalogue_import_run_task.enqueue, run.pk))
    return run
