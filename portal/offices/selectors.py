"""Public read-side queries about offices: what a villager needs to find help."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from portal.people.models import Membership
from portal.people.roles import Role
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


def _station_and_centre(condition: Q) -> tuple[Office | None, Office | None]:
    """The station and centre matching `condition`, with the station's current assistants:
    two queries (offices, then assistants) whatever the number of assistants."""
    assistants = Membership.objects.current().filter(role=Role.VILLAGE_ASSISTANT).select_related("user")
    offices = (
        Office.objects.active()
        .filter(condition)
        .select_related("region__parent")
        .prefetch_related(Prefetch("memberships", queryset=assistants, to_attr="assistant_memberships"))
    )
    station = next((o for o in offices if o.kind == OfficeKind.STATION), None)
    centre = next((o for o in offices if o.kind == OfficeKind.CENTRE), None)
    return station, centre


def _contact(village: Region, station: Office | None, centre: Office | None) -> StationContact:
    # `assistant_memberships` is the list Prefetch(to_attr=...) in _station_and_centre set.
    memberships = station.assistant_memberships if station else []  # type: ignore[attr-defined]
    members = [m.user for m in memberships if m.user.is_active]
    return StationContact(village=village, station=station, assistants=members, centre=centre)


def station_contact(village: Region) -> StationContact:
    """The village's station with its current assistants, and the township's centre (2 queries)."""
    station, centre = _station_and_centre(
        Q(region=village, kind=OfficeKind.STATION) | Q(region_id=village.parent_id, kind=OfficeKind.CENTRE)
    )
    return _contact(village, station, centre)


PLACE_COOKIE = "cunban_village"


def _place_code(request) -> str | None:
    code = request.COOKIES.get(PLACE_COOKIE, "")
    return code if len(code) == 12 and code.isdigit() else None


def place_from_request(request) -> Region | None:
    """The villager's own village, remembered in a cookie (no login). One query, or none."""
    code = _place_code(request)
    if code is None:
        return None
    return Region.objects.select_related("parent").filter(code=code, level=RegionLevel.VILLAGE).first()


def place_contact_from_request(request) -> StationContact | None:
    """The remembered village with its station, assistants and centre, for guide pages.

    Two queries in the usual case (the village has a station); one more when it has none."""
    code = _place_code(request)
    if code is None:
        return None
    station, centre = _station_and_centre(
        Q(region__code=code, region__level=RegionLevel.VILLAGE, kind=OfficeKind.STATION)
        | Q(region__code=code[:9] + "000", region__level=RegionLevel.TOWNSHIP, kind=OfficeKind.CENTRE)
    )
    village = station.region if station else place_from_request(request)
    if village is None:
        return None
    return _contact(village, station, centre)
