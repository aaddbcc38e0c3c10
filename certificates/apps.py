from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates issued when an application is approved, and the public check of the paper."""

    name = "certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        # Imported here, once the apps are ready: importing `checks` registers the font and key
        # checks, and `receivers` imports models.
        from . import checks, desk, receivers  # noqa: F401

        receivers.connect()
        desk.connect()  # 打印证照 on the staff home (portal.web.desk)
