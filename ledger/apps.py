from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The requests ledger (民情台账 / 微心愿) and the public promise lists."""

    name = "ledger"
    verbose_name = _("Requests ledger")
