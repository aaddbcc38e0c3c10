"""The audit log: who did what, when, from where. Rows are only ever added; the retention
command (`prune_audit_log`) is the one path that removes old rows (see docs/audit.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    """Bulk update and delete are refused; only the retention service may prune."""

    def update(self, **kwargs):
        raise ValidationError("Audit entries are append-only.")

    def delete(self):
        raise ValidationError("Audit entries are append-only; use prune_audit_log.")

    def _prune(self) -> int:
        """Delete for the retention service only (portal/audit/services.py)."""
        return models.QuerySet.delete(self)[0]


class AuditEntry(models.Model):
    class Event(models.TextChoices):
        LOGIN_OK = "login_ok", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        STATE_CHANGE = "state_change", _("State change")
        MATERIAL_DOWNLOAD = "material_download", _("Material downloaded")
        ID_NUMBER_VIEW = "id_number_view", _("Full ID number viewed")
        EXPORT_DOWNLOAD = "export_download", _("Export downloaded")
        CERTIFICATE_DOWNLOAD = "certificate_download", _("Certificate downloaded")
        TWO_FACTOR_RESET = "two_factor_reset", _("Authenticator app removed")
        API_CALL = "api_call", _("API call")

    class Outcome(models.TextChoices):
        OK = "ok", _("ok")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # PROTECT, like the workflow histories: staff accounts are deactivated, not deleted.
    # `username` is a copy so the row still reads after a rename.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    event = models.CharField(_("event"), max_length=24, choices=Event.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.OK)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["event", "at"], name="audit_event_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.username} · {self.event}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit entries are append-only.")
