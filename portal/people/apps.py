from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Staff, memberships, residents and jurisdiction."""

    name = "portal.people"
    label = "people"
    verbose_name = _("People")
