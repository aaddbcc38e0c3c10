from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from .receivers import connect_change_receivers, connect_history_receivers

        connect_history_receivers()
        connect_change_receivers()
