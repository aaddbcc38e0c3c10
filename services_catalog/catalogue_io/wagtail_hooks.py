"""Back-office hooks of catalogue import (imported by services_catalog.wagtail_hooks).

The pages are mounted inside Wagtail's admin at /admin/catalogue/ (admin_urls.py) and get a
menu entry shown to county administrators only; the import's entry in a page's history gets a
readable name.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .permissions import user_may_import_catalogues
from .services import IMPORT_LOG_ACTION


class CatalogueImportMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_import_catalogues(request.user)


@hooks.register("register_admin_urls")
def register_catalogue_admin_urls():
    return [path("catalogue/", include("services_catalog.catalogue_io.admin_urls", namespace="catalogue_io"))]


@hooks.register("register_admin_menu_item")
def register_catalogue_import_menu_item():
    return CatalogueImportMenuItem(
        _("Import catalogue"),
        reverse("catalogue_io:import"),
        name="catalogue-import",
        icon_name="upload",
        order=260,
    )


@hooks.register("register_log_actions")
def register_catalogue_import_log_action(actions):
    actions.register_action(IMPORT_LOG_ACTION, _("Import catalogue"), _("Imported the service catalogue"))
