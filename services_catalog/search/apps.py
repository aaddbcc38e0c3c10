from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideSearchConfig(AppConfig):
    """Search in villagers' words."""

    name = "services_catalog.search"
    label = "guide_search"
    verbose_name = _("Search in villagers' words")

    def ready(self) -> None:
        from .extractors import register_service_items
        from .signals import connect_synonyms

        register_service_items()
        connect_synonyms()
