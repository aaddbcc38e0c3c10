"""Webhooks: a client's subscriptions to events, the deliveries they cause and each attempt.

A `WebhookSubscription` is one endpoint (an https URL of the partner's) of one `ApiClient`, for
some event types, set up in the back office by a county administrator; its secret
(`whsec_…`, Standard Webhooks) is shown once and kept encrypted, since signing needs it whole.
A rotation keeps the secret it replaces (`previous_secret`, encrypted too) until
`previous_secret_until`: until then deliveries are signed with both.
After `pause_after` consecutive failed attempts it is paused (`paused_at`): nothing is sent
until an administrator resumes it, and the county's administrators are told.

A `WebhookDelivery` is one message to one subscription (its `msg_id` is the `webhook-id`
header, the same on every retry), with the body exactly as signed; each try is a
`WebhookAttempt` (status code, time, error). Subscriptions' changes are `WebhookEvent`s
(append-only). Imported by `api.models`, so they are the api app's models.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.history import AppendOnlyEvent
from portal.people.crypto import EncryptedTextField


class EventType(models.TextChoices):
    APPLICATION_STATE_CHANGED = "application.state_changed", _("An application's state changed")
    CERTIFICATE_ISSUED = "certificate.issued", _("A certificate was issued")
    CERTIFICATE_REVOKED = "certificate.revoked", _("A certificate was revoked")
    LEDGER_ITEM_CHANGED = "ledger.item_changed", _("A ledger item (民情台账) changed")
    BAD_RATING_OPENED = "rating.bad_opened", _("A bad rating was opened for rectification")


class WebhookSubscription(models.Model):
    client = models.ForeignKey(
        "api.ApiClient", verbose_name=_("API client"), on_delete=models.PROTECT, related_name="webhooks"
    )
    url = models.URLField(_("endpoint URL"), max_length=300)
    event_types = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(editable=False)
    previous_secret = EncryptedTextField(editable=False, blank=True, default="")
    previous_secret_until = models.DateTimeField(_("old secret valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    paused_reason = models.CharField(_("why it was paused"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["client", "pk"]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.url}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def previous_secret_valid_at(self, at: datetime.datetime) -> bool:
        """Is the secret a rotation replaced still in its grace at `at`?"""
        return (
            bool(self.previous_secret)
            and self.previous_secret_until is not None
            and at < self.previous_secret_until
        )

    def signing_secrets(self, at: datetime.datetime) -> list[str]:
        """The secrets a delivery signed at `at` is signed with: the current one, and during a
        rotation's grace also the one it replaced, so a receiver still checking with the old
        secret loses nothing while it switches (Standard Webhooks allows several signatures)."""
        if self.previous_secret_valid_at(at):
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, to be tried again")
        DELIVERED = "delivered", _("Delivered")
        GAVE_UP = "gave_up", _("Given up after the last try")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    body = models.TextField(help_text="The JSON body exactly as signed and sent.")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return self.msg_id


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(_("when"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("took (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookEvent(AppendOnlyEvent):
    """The history of a subscription: created, paused, resumed, its secret rotated, ended."""

    class Act(models.TextChoices):
        CREATE = "create", _("subscribed")
        PAUSE = "pause", _("paused after failures")
        RESUME = "resume", _("resumed")
        ROTATE = "rotate", _("secret rotated")
        END = "end", _("ended")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.PROTECT, related_name="events")
    act = models.CharField(_("action"), max_length=16, choices=Act.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
