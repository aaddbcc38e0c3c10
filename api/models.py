"""Partner systems' clients and their keys, their history, and the catalogue's change log.

An `ApiClient` is one partner system (市12345热线, 省政务服务平台) bound to one office: it sees
what lies within that office's jurisdiction (every office whose region lies within the office's
region, like an administrator there), and only through its scopes. Its `ApiKey`s are stored as a
SHA-256 digest of the key with a short public prefix to find the row: the key is shown once.

`CatalogueChange` is one row per service item with the time of its last change, kept by
receivers (api.receivers) so a provincial platform can sync "changes since"; a withdrawn,
unpublished or deleted item keeps its row, marked withdrawn.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.history import AppendOnlyEvent
from portal.offices.models import Office

from .scopes import Scope


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    system = models.CharField(
        _("system"), max_length=100, help_text=_("The calling system, e.g. 市12345热线, 省政务服务平台.")
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_("The client sees only what lies within this office's jurisdiction."),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("calls per minute"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(6000)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes or []]


class ApiKey(models.Model):
    """One key of a client. Valid while not revoked and not past `expires_at` (set on the old
    keys when a new one is issued: the grace period for the partner to switch)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="keys")
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    def is_valid_at(self, when) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > when)


class ApiClientEvent(AppendOnlyEvent):
    """The history of a client: created, changed, keys issued, rotated and revoked."""

    class Act(models.TextChoices):
        CREATE = "create", _("client created")
        CHANGE = "change", _("client changed")
        KEY_ISSUE = "key_issue", _("key issued")
        KEY_ROTATE = "key_rotate", _("key rotated")
        KEY_REVOKE = "key_revoke", _("key revoked")

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="events")
    act = models.CharField(_("action"), max_length=16, choices=Act.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("API client event")
        verbose_name_plural = _("API client events")


class CatalogueChange(models.Model):
    """When a service item last changed (published, unpublished, deleted, delegated, its form),
    for the provincial platform's sync. Kept after the item is deleted: `withdrawn`."""

    item_id = models.PositiveIntegerField(unique=True)
    item_code = models.CharField(max_length=40)
    title = models.CharField(max_length=255)
    changed_at = models.DateTimeField(db_index=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["changed_at", "item_id"]
        indexes = [models.Index(fields=["changed_at", "item_id"], name="api_change_order")]

    def __str__(self) -> str:
        return f"{self.item_code} {self.changed_at:%Y-%m-%d %H:%M}"


# Webhooks' models live in their own module; imported here so they are the api app's.
from .webhook_models import (  # noqa: E402
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "ApiClient",
    "ApiClientEvent",
    "ApiKey",
    "CatalogueChange",
    "EventType",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
