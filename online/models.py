"""网办 from afar: the assistant's one-time link to the villager's phone, and the villager's
signed authorisation (授权委托书) as an append-only record.

Only a hash of the link's token is kept: the token itself lives in the text message and the
villager's address bar. A link is bound to the first browser that types the right code
(`device_hash`, a keyed hash of that browser's random session value) and opens in no other.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Application, ApplicationFile
from portal.files.storage import private_storage


class RemoteLink(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="remote_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    mobile = models.CharField(_("sent to"), max_length=11)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for a link the system made (a villager who started online).",
    )
    asks = models.JSONField(
        _("what was asked for"),
        default=dict,
        blank=True,
        help_text='{"materials": [material ids], "fields": [form field keys], "consent": bool, "note": str}',
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bound_at = models.DateTimeField(_("opened on the phone"), null=True, blank=True)
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    finished_at = models.DateTimeField(_("handed back"), null=True, blank=True)

    class Meta:
        verbose_name = _("link to the villager's phone")
        verbose_name_plural = _("links to villagers' phones")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["application", "created_at"], name="remote_link_by_application")]

    def __str__(self) -> str:
        return f"{self.application} · {self.created_at:%Y-%m-%d %H:%M}"

    # -- what was asked for ---------------------------------------------------------------------

    @property
    def material_ids(self) -> list[int]:
        return [pk for pk in self.asks.get("materials") or [] if isinstance(pk, int)]

    @property
    def field_keys(self) -> list[str]:
        return [key for key in self.asks.get("fields") or [] if isinstance(key, str)]

    @property
    def asks_consent(self) -> bool:
        return bool(self.asks.get("consent"))

    @property
    def note(self) -> str:
        return str(self.asks.get("note") or "")

    def is_live(self, now=None) -> bool:
        """Not withdrawn, not expired, not handed back."""
        now = now or timezone.now()
        return self.revoked_at is None and self.finished_at is None and self.expires_at > now


class Consent(models.Model):
    """The villager's authorisation (授权委托书) signed on their own phone: exactly what they
    read and agreed to, who, when, on which number, on which device, how (a drawn signature or
    their typed name confirmed with a texted code), and a SHA-256 of a canonical JSON of all of it
    (`online.consent.canonical`), so a printed copy can be checked against the record.
    Append-only: rows are never changed or deleted."""

    class Method(models.TextChoices):
        SIGNATURE = "signature", _("signed on the screen")
        TYPED = "typed", _("typed name confirmed with a texted code")

    link = models.ForeignKey(RemoteLink, on_delete=models.PROTECT, related_name="consents")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="remote_consents")
    text_version = models.CharField(_("text version"), max_length=20)
    text = models.TextField(_("text agreed to"))
    name = models.CharField(_("name"), max_length=50)
    id_masked = models.CharField(_("ID number (masked)"), max_length=24, blank=True)
    signed_at = models.DateTimeField(_("signed"))
    mobile = models.CharField(_("number that received the code"), max_length=11)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    signature = models.FileField(
        upload_to="consents/%Y/%m/", max_length=200, storage=private_storage, blank=True
    )
    signature_sha256 = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(_("SHA-256 of what was agreed"), max_length=64)
    file = models.ForeignKey(
        ApplicationFile,
        verbose_name=_("printed authorisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("authorisation signed on the phone")
        verbose_name_plural = _("authorisations signed on the phone")
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} · {self.signed_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Signed authorisations are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Signed authorisations are append-only.")
