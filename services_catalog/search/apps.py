from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideSearchConfig(AppConfig):
    """Search in villagers' words."""

    name = "services_catalog.search"
    label = "guide_search"
    verbose_name = _("Search in villagers' words")
