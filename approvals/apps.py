from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Proxy applications filed by village assistants and decided by township centres."""

    name = "approvals"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from . import desk, signals  # noqa: F401

        desk.connect()  # the inbox and the station's list on the staff home (portal.web.desk)
