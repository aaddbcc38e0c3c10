from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Attempt(models.Model):
    """One counted try at something a limit guards: a lookup by number and digits, a request for
    a texted code, a wish sent, a certificate check, a password reset asked for.

    `key` is what is attacked (the number as typed, the serial, the account), stored the same
    way whether or not anything has it, so counting never tells which exist; `client` is the
    real client address behind the proxies (`client_address`). The limits in `limits.py` count
    rows by scope and key, by scope and client, or by both, over a window."""

    class Outcome(models.TextChoices):
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")
        REFUSED = "refused", _("refused by a limit")

    scope = models.CharField(_("what was tried"), max_length=24)
    key = models.CharField(_("what it was tried on"), max_length=64, blank=True, default="")
    client = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("counted try")
        verbose_name_plural = _("counted tries")
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="attempt_by_key"),
            models.Index(fields=["scope", "client", "at"], name="attempt_by_client"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.outcome} {self.at:%Y-%m-%d %H:%M}"
