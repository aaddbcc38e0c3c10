"""Catalogue imports started from the back office, and how far each has got.

An upload is worked by a background task (`tasks.catalogue_import_run`); the run page reads
this row to show progress, so the row is written outside the import's own transaction (see
`services.catalogue_import_run`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.places.models import Region


class ImportPhase(models.TextChoices):
    """What an import is doing: the `label` passed to a progress callback."""

    CHECK = "check", _("Checking rows")
    WRITE = "write", _("Writing")


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to="catalogue_imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    # The back office's language at upload: problems are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    dry_run = models.BooleanField(_("check only (dry run)"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("phase"), max_length=10, choices=ImportPhase.choices, blank=True)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error = models.TextField(
        _("error"),
        blank=True,
        help_text=_("Why the run failed, when it failed for a reason other than the file."),
    )

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        if self.created_at is None:
            return self.original_name
        return f"{self.original_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def imported(self) -> bool:
        """True when the catalogue was written: done, not a dry run, and no problems."""
        return self.status == self.Status.DONE and not self.dry_run and not self.problems
