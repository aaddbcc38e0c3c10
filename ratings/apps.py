from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    """好差评: villagers' ratings of finished applications, rectification, revisit and appeal."""

    name = "ratings"
    label = "ratings"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        # why: imports models, so only once the apps are ready
        from . import desk, receivers

        receivers.connect()
        desk.connect()  # 差评整改 and the figures on the staff home (portal.web.desk)
