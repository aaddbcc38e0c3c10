from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The public page frame, home page and error pages."""

    name = "portal.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from . import base_url, desk  # noqa: F401  (registers the deploy check)
        from .csp import patch_wagtail_choosers
        from .page_cache import connect_invalidation

        connect_invalidation()
        desk.connect()  # the back office's links on the staff home
        patch_wagtail_choosers()  # Wagtail's choosers without inline <script> (portal/web/csp.py)
