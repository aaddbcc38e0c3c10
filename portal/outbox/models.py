"""The outbox (消息发件箱): text messages queued with the event that causes them, sent later.

A service that changes an application's state writes its SMS in the same transaction
(`services.message_queue`), so a rolled-back change never sends anything and a committed one
never forgets to. `services.outbox_send_pending` sends them afterwards, outside any request.

Rows are kept, never deleted: the table is the record of what the portal told whom, and when.
Sending is at most once: a row is marked `sending` and committed before the gateway is called,
so no crash or second worker can send it again (see `services.outbox_send_pending`).
"""

from django.conf import settings
from django.core.validators import validate_slug
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.people.identity import validate_mobile

BODY_MAX_LENGTH = 500
TOPIC_MAX_LENGTH = 32
REFERENCE_MAX_LENGTH = 64
DEDUPE_KEY_MAX_LENGTH = 200
TEMPLATE_KEY_MAX_LENGTH = 40


def mask_mobile(mobile: str) -> str:
    """139****0001: enough for staff to recognise a number, not enough to copy it."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


class OutboxMessage(models.Model):
    """One text message to a villager's mobile or to a staff account.

    `to_mobile` may be blank when `to_user` is given: the account's mobile (or, lacking one,
    its email address) is looked up when the message is sent, and the number used is then
    written into `to_mobile`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (待发送)")
        SENDING = "sending", _("Sending (发送中)")
        SENT = "sent", _("Sent (已发送)")
        FAILED = "failed", _("Failed, will retry (失败待重试)")
        ABANDONED = "abandoned", _("Abandoned (已放弃)")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS (短信)")
        EMAIL = "email", _("Email (邮件)")

    to_mobile = models.CharField(
        _("mobile (手机号)"), max_length=11, blank=True, validators=[validate_mobile]
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account (工作人员)"),
        null=True,
        blank=True,
        # PROTECT: the record of what was sent to whom outlives nothing it points at.
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.CharField(
        _("topic (事由)"),
        max_length=TOPIC_MAX_LENGTH,
        validators=[validate_slug],
        help_text=_('A short slug such as "submitted", "returned", "approved" or "overdue".'),
    )
    body = models.CharField(_("text (内容)"), max_length=BODY_MAX_LENGTH)
    reference = models.CharField(
        _("reference (关联编号)"),
        max_length=REFERENCE_MAX_LENGTH,
        blank=True,
        db_index=True,
        help_text=_("What the message is about, e.g. an application number."),
    )
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=DEDUPE_KEY_MAX_LENGTH,
        unique=True,
        null=True,
        blank=True,
        help_text=_("At most one message is ever queued with the same key."),
    )
    template_key = models.CharField(
        _("SMS template (短信模板)"),
        max_length=TEMPLATE_KEY_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Which approved provider template carries this message (CUNBAN_SMS_TEMPLATES): the topic, "
            '"staff-" and the topic for a staff account, or a kind the caller named.'
        ),
    )
    template_params = models.JSONField(
        _("SMS template parameters"),
        default=dict,
        blank=True,
        help_text=_("The values the template's variables take, fixed when the message was queued."),
    )
    status = models.CharField(
        _("status (状态)"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts (发送次数)"), default=0)
    last_error = models.TextField(_("last error (错误信息)"), blank=True)
    provider_code = models.CharField(
        _("provider error code"),
        max_length=100,
        blank=True,
        help_text=_("The SMS provider's own code for the last refusal, e.g. isv.AMOUNT_NOT_ENOUGH."),
    )
    channel = models.CharField(_("channel (渠道)"), max_length=8, choices=Channel.choices, blank=True)
    provider_id = models.CharField(
        _("provider message id"),
        max_length=100,
        blank=True,
        help_text=_("The gateway's id for the sent message, for enquiries with the provider."),
    )
    created_at = models.DateTimeField(_("queued at (生成时间)"), default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt at (下次发送时间)"), default=timezone.now)
    claimed_at = models.DateTimeField(
        _("handed to the sender at"),
        null=True,
        blank=True,
        help_text=_(
            "When a sending process took the message; a long-past time on a message still "
            "sending means that process stopped mid-way."
        ),
    )
    sent_at = models.DateTimeField(_("sent at (发送时间)"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message (短信)")
        verbose_name_plural = _("outbox messages (短信)")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sender's one question: which messages are due?
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_mobile="") | models.Q(to_user__isnull=False),
                name="outbox_has_recipient",
                violation_error_message=_("A message needs a mobile number or a staff account."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.recipient_masked}"

    @property
    def to_mobile_masked(self) -> str:
        return mask_mobile(self.to_mobile)

    @property
    def recipient_masked(self) -> str:
        """The masked number, or the staff account's name. Reads `to_user`: preload it in lists."""
        if self.to_mobile:
            return self.to_mobile_masked
        return str(self.to_user) if self.to_user_id else ""
