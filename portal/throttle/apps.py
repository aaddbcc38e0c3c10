from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThrottleConfig(AppConfig):
    """The one attempts store and the table of limits on the public forms and account pages."""

    name = "portal.throttle"
    label = "throttle"
    verbose_name = _("Limits on tries")

    def ready(self) -> None:
        from . import client_address  # noqa: F401  (registers the proxy deploy check)
