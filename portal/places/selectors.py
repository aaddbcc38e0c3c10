"""Queries about places that other apps print: the county above a region and its remedies."""

from .models import Region, RegionLevel, Remedies


def county_of(region: Region) -> Region | None:
    """The county whose code prefix `region` lies under (itself for a county), or None."""
    if region.level == RegionLevel.COUNTY:
        return region
    return Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region.code[:6]).first()


def remedies_for(region: Region) -> tuple[Region | None, Remedies | None]:
    """The county above `region` and the remedies it configured (None when it has not)."""
    county = county_of(region)
    if county is None:
        return None, None
    return county, Remedies.objects.filter(county=county).first()
