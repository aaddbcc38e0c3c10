from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The requests ledger (民情台账 / 微心愿) and the public promise lists."""

    name = "ledger"
    verbose_name = _("Requests ledger")

    def ready(self) -> None:
        # why: imports models, so only once the apps are ready
        from . import desk

        desk.connect()  # 民情台账 on the staff home (portal.web.desk)
