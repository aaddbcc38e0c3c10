"""找代办员 / find my assistant: three plain pages of big links, no JavaScript needed.

Choosing by links rather than a form keeps one decision per screen, which suits elderly users
and cheap phones, and each step has an address a villager can bookmark or be sent.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from portal.places.models import Region, RegionLevel

from . import selectors

ONE_YEAR = 365 * 24 * 3600


def _next(request) -> str:
    """Where to go back to after choosing a village (e.g. the item page that asked)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_safe
def find_assistant_townships(request):
    townships = list(selectors.townships_for_finder())
    return render(request, "offices/find_townships.html", {"townships": townships, "next": _next(request)})


@require_safe
def find_assistant_villages(request, township_code: str):
    township = get_object_or_404(Region, code=township_code, level=RegionLevel.TOWNSHIP)
    villages = list(selectors.villages_for_finder(township))
    return render(
        request,
        "offices/find_villages.html",
        {"township": township, "villages": villages, "next": _next(request)},
    )


@require_safe
def find_assistant_station(request, township_code: str, village_code: str):
    village = get_object_or_404(
        Region.objects.select_related("parent"),
        code=village_code,
        level=RegionLevel.VILLAGE,
        parent__code=township_code,
    )
    contact = selectors.station_contact(village)
    remembered = request.COOKIES.get(selectors.PLACE_COOKIE) == village.code
    return render(
        request,
        "offices/find_station.html",
        {"contact": contact, "township": village.parent, "next": _next(request), "remembered": remembered},
    )


@require_POST
def remember_village(request, township_code: str, village_code: str):
    """Remember "this is my village" in a cookie, so guide pages can say where things are done."""
    village = get_object_or_404(
        Region, code=village_code, level=RegionLevel.VILLAGE, parent__code=township_code
    )
    target = _next(request) or reverse("offices:find_assistant_station", args=[township_code, village_code])
    response = HttpResponseRedirect(target)
    response.set_cookie(selectors.PLACE_COOKIE, village.code, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response
