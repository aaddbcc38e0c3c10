"""找代办员 / find my assistant: three plain pages of big links, no JavaScript needed.

Choosing by links rather than a form keeps one decision per screen, which suits elderly users
and cheap phones, and each step has an address a villager can bookmark or be sent.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from portal.places.models import Region, RegionLevel

from . import selectors


@require_safe
def find_assistant_townships(request):
    townships = list(selectors.townships_for_finder())
    return render(request, "offices/find_townships.html", {"townships": townships})


@require_safe
def find_assistant_villages(request, township_code: str):
    township = get_object_or_404(Region, code=township_code, level=RegionLevel.TOWNSHIP)
    villages = list(selectors.villages_for_finder(township))
    return render(request, "offices/find_villages.html", {"township": township, "villages": villages})


@require_safe
def find_assistant_station(request, township_code: str, village_code: str):
    village = get_object_or_404(
        Region.objects.select_related("parent"),
        code=village_code,
        level=RegionLevel.VILLAGE,
        parent__code=township_code,
    )
    contact = selectors.station_contact(village)
    return render(request, "offices/find_station.html", {"contact": contact, "township": village.parent})
