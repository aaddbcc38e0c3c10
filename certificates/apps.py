from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates issued when an application is approved, and the public check of the paper."""

    name = "certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  # why: importing registers the font and key checks, once the apps are ready
            receivers,  # why: imports models, so only once the apps are ready
        )

        receivers.connect()
