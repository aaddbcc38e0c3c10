from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    """网办 from afar: the assistant's one-time link to the villager's phone (issue 20)."""

    name = "online"
    verbose_name = _("Filing from the villager's phone (网办)")

    def ready(self) -> None:
        # why: receivers connect at start-up, once the app registry is ready (Django's rule).
        from . import receivers  # noqa: F401
