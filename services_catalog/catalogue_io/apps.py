from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueIoConfig(AppConfig):
    """Catalogue import and export."""

    name = "services_catalog.catalogue_io"
    label = "catalogue_io"
    verbose_name = _("Catalogue import and export")
