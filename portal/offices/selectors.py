"""Public read-side queries about offices: what a villager needs to find help."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from portal.places.models import Region, RegionLevel

from .models import Office, OfficeKind


def townships_for_finder() -> QuerySet[Region]:
    """Townships with at least one active village station, with their county, in code order."""
    return (
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .select_related("parent")
        .annotate(
            station_count=Count(
                "children__offices",
                filter=Q(children__offices__kind=OfficeKind.STATION, children__offices__is_active=True),
            )
        )
        .filter(station_count__gt=0)
        .order_by("code")
    )


def villages_for_finder(township: Region) -> QuerySet[Region]:
    """Villages of `township` that have an active station."""
    return (
        Region.objects.filter(
            parent=township,
            level=RegionLevel.VILLAGE,
            offices__kind=OfficeKind.STATION,
            offices__is_active=True,
        )
        .order_by("code")
        .distinct()
    )


@dataclass(frozen=True)
class StationContact:
    """What the "find my assistant" page shows for one village."""

    village: Region
    station: Office | None
    assistants: list
    centre: Office | None


def station_contact(village: Region) -> StationContact:
    """The village's station with its current assistants, and the township's centre.

    Three queries whatever the number of assistants (station, assistants, centre)."""
    from portal.people.models import Membership
    from portal.people.roles import Role

    assistants = Membership.objects.current().filter(role=Role.VILLAGE_ASSISTANT).select_related("user")
    station = (
        Office.objects.active()
        .filter(region=village, kind=OfficeKind.STATION)
        .prefetch_related(Prefetch("memberships", queryset=assistants, to_attr="assistant_memberships"))
        .first()
    )
    centre = Office.objects.active().filter(region_id=village.parent_id, kind=OfficeKind.CENTRE).first()
    members = [m.user for m in station.assistant_memberships if m.user.is_active] if station else []
    return StationContact(village=village, station=station, assistants=members, centre=centre)


PLACE_COOKIE = "cunban_village"


def place_from_request(request) -> Region | None:
    """The villager's own village, remembered in a cookie (no login). One query, or none."""
    code = request.COOKIES.get(PLACE_COOKIE, "")
    if not (len(code) == 12 and code.isdigit()):
        return None
    return Region.objects.select_related("parent").filter(code=code, level=RegionLevel.VILLAGE).first()
