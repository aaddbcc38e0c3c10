"""What the catalogue commands share: finding the county home from `--county`."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from cms.models import CountyHomePage
from services_catalog.catalogue_io.selectors import county_homes_matching


def county_home_from_option(code: str | None) -> CountyHomePage:
    """The county home for `--county` (120115 or 120115000000), or the only one there is."""
    homes = list(county_homes_matching(code))
    if len(homes) == 1:
        return homes[0]
    if not homes:
        if code:
            raise CommandError(_("No county home page for the county %(code)s.") % {"code": code})
        raise CommandError(_("There is no county home page yet: create one in the back office first."))
    raise CommandError(
        _("Several counties have a home page; choose one with --county: %(codes)s.")
        % {"codes": ", ".join(f"{home.region.code[:6]} ({home.title})" for home in homes)}
    )
