"""Read-side queries for catalogue import: which counties and runs a person may see."""

from django.db.models import QuerySet

from cms.models import CountyHomePage
from portal.people.jurisdiction import regions_managed_by
from portal.places.models import RegionLevel

from .models import ImportRun
from .permissions import user_may_import_catalogues


def county_homes_administered_by(user) -> QuerySet[CountyHomePage]:
    """The county home pages whose catalogue `user` may import and export, by division code.

    Empty for anyone but a county administrator (or a superuser): a township administrator
    manages part of a county and may not replace the county's catalogue."""
    if not user_may_import_catalogues(user):
        return CountyHomePage.objects.none()
    counties = regions_managed_by(user).filter(level=RegionLevel.COUNTY)
    return (
        CountyHomePage.objects.filter(region__in=counties).select_related("region").order_by("region__code")
    )


def import_runs_visible_to(user) -> QuerySet[ImportRun]:
    """Runs into the counties `user` administers, newest first, with what a listing shows."""
    if not user_may_import_catalogues(user):
        return ImportRun.objects.none()
    counties = regions_managed_by(user).filter(level=RegionLevel.COUNTY)
    return ImportRun.objects.filter(county__in=counties).select_related("county", "created_by")


def county_homes_matching(code: str | None) -> QuerySet[CountyHomePage]:
    """County home pages for a division code as people type it: `120115` or `120115000000`.

    With no code, every county home: a command may pick the only one there is."""
    homes = CountyHomePage.objects.select_related("region").order_by("region__code")
    if code:
        homes = homes.filter(region__level=RegionLevel.COUNTY, region__code__startswith=code.strip()[:6])
    return homes
