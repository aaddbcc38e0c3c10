from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesCatalogConfig(AppConfig):
    """The service guide (办事指南) and delegation records (权限下放)."""

    name = "services_catalog"
    verbose_name = _("Service guide")

    def ready(self) -> None:
        # why: receivers import the models, which the app registry loads first
        from .receivers import connect

        connect()
