from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    """No models: the app exists so that Django finds the backup management commands."""

    name = "portal.backup"
    label = "backup"
    verbose_name = _("Backups")
