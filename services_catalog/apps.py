from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesCatalogConfig(AppConfig):
    """The service guide (办事指南) and delegation records (权限下放)."""

    name = "services_catalog"
    verbose_name = _("Service guide")
