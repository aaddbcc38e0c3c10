from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Partner systems' clients and keys, and the versioned JSON API over the services."""

    name = "api"
    verbose_name = _("API clients")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # why: receivers import the catalogue's models, which the app registry loads first
        from .receivers import connect
        from .webhook_events import connect as connect_webhooks

        connect()
        connect_webhooks()
