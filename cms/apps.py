from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """Policy pages and news written by editors."""

    name = "cms"
    verbose_name = _("Policy pages")
