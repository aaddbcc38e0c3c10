from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Text messages written with the business event that causes them, sent later."""

    name = "portal.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
