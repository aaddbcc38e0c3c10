"""Read-side queries for the service guide: routing, listings, the villager's place."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from portal.errors import required
from portal.offices.models import Office, OfficeKind
from portal.places.models import Region, RegionLevel

from .models import Delegation, LifeEvent, ServiceItemPage


@dataclass(frozen=True)
class Route:
    """Where an application for an item goes, and by whose authority.

    `delegation` is None when the holding department handles the item itself; `mode` is then
    None too. Callers that file work must store all three: later changes to delegation records
    never move work already routed."""

    office: Office
    mode: str | None
    delegation: Delegation | None

    @property
    def is_delegated(self) -> bool:
        return self.delegation is not None


def service_item_route(
    *, item: ServiceItemPage, township: Region, on: datetime.date | None = None, centre: Office | None = None
) -> Route:
    """The office that handles `item` for residents of `township` on date `on` (default today).

    A delegation in force on that date to the township's centre routes to the centre; otherwise
    the holding department handles it. Expired, revoked and future-dated records do not route.
    One query, two when the township's centre is not passed in (`centre`, if the caller has it)."""
    on = on or timezone.localdate()
    if township.level == RegionLevel.VILLAGE:
        township = required(township.parent, "village.parent")
    delegation = (
        Delegation.objects.in_force_on(on)
        .filter(item=item, centres__region=township, centres__kind=OfficeKind.CENTRE, centres__is_active=True)
        .select_related("department")
        .order_by("-valid_from", "-pk")
        .first()
    )
    if delegation is None:
        return Route(office=item.department, mode=None, delegation=None)
    if centre is None or centre.region_id != township.pk:
        centre = Office.objects.get(region=township, kind=OfficeKind.CENTRE)
    return Route(office=centre, mode=delegation.mode, delegation=delegation)


def service_items_live() -> QuerySet[ServiceItemPage]:
    """Published items with what a listing shows, ordered by title."""
    return ServiceItemPage.objects.live().select_related("department").order_by("title")


def service_items_for_event(event: LifeEvent) -> QuerySet[ServiceItemPage]:
    return service_items_live().filter(life_events=event)


def service_items_for_department(department: Office) -> QuerySet[ServiceItemPage]:
    return service_items_live().filter(department=department)


def life_events_in_use() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(items__live=True).distinct().order_by("sort_order", "name")


def departments_with_items() -> QuerySet[Office]:
    return (
        Office.objects.filter(kind=OfficeKind.DEPARTMENT, service_items__live=True)
        .distinct()
        .order_by("name")
    )


def service_item_for_display(page_id: int) -> ServiceItemPage:
    """One item with every row its page shows, in a fixed number of queries."""
    return (
        ServiceItemPage.objects.select_related("department")
        .prefetch_related("materials", "legal_bases", "special_procedures", "life_events")
        .get(pk=page_id)
    )


def delegations_for_item(item: ServiceItemPage) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(item=item)
        .select_related("department")
        .prefetch_related(Prefetch("centres", queryset=Office.objects.select_related("region")))
    )
