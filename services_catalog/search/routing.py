"""Where many items are handled for one township, in one query.

The rule is `services_catalog.selectors.service_item_route`'s, applied to a list: a delegation
in force on the day (valid_from <= day; valid_until empty or >= day; revoked_on empty or
> day) to the township's active centre routes the item there, the latest-starting record
first; otherwise the item's holding department handles it. Search results show a route per
hit, and one query per hit is what a list page never does.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from portal.offices.models import OfficeKind
from portal.places.models import Region, RegionLevel
from services_catalog.models import Delegation, ServiceItemPage
from services_catalog.selectors import Route


def service_item_routes(
    *, items: Iterable[ServiceItemPage], township: Region, on: datetime.date | None = None
) -> dict[int, Route]:
    """Routes by item pk, for `township` (a village is taken as its township) on `on` (today).

    One query. Items must have `department` loaded (select_related) to avoid one per item."""
    items = list(items)
    if not items:
        return {}
    on = on or timezone.localdate()
    if township.level == RegionLevel.VILLAGE:
        township = township.parent
    links = (
        Delegation.centres.through.objects.filter(
            delegation__in=Delegation.objects.in_force_on(on).filter(item__in=[item.pk for item in items]),
            office__region=township,
            office__kind=OfficeKind.CENTRE,
            office__is_active=True,
        )
        .select_related("delegation__department", "office")
        .order_by("delegation__item_id", "-delegation__valid_from", "-delegation__pk")
    )
    delegated: dict[int, Route] = {}
    for link in links:
        delegation = link.delegation
        if delegation.item_id not in delegated:
            delegated[delegation.item_id] = Route(
                office=link.office, mode=delegation.mode, delegation=delegation
            )
    return {
        item.pk: delegated.get(item.pk) or Route(office=item.department, mode=None, delegation=None)
        for item in items
    }
