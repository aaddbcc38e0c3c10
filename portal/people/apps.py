from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Staff, memberships, residents and jurisdiction."""

    name = "portal.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from . import checks, sessions  # noqa: F401  (registers the deploy checks, login stamp)
        from .request_memo import connect_forgetting

        connect_forgetting()
