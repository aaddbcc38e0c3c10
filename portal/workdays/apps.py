from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """The working-day calendar."""

    name = "portal.workdays"
    label = "workdays"
    verbose_name = _("Workdays")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers workdays.W001)
