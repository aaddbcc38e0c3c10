"""The villagers' home page, display preferences, the staff landing page and error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Site

from portal.people.selectors import current_memberships

from .context_processors import ELDERLY_COOKIE
from .desk import desk_links_for

ONE_YEAR = 365 * 24 * 3600


@require_safe
def home(request):
    """The villagers' front door. It offers only what works: the guide and its search appear
    once a county's guide is published."""
    # why: the front page names the county and its latest policies and news (pyproject ignore_imports)
    from cms.selectors import county_front

    # why: the front page shows the guide, a layer above (pyproject ignore_imports)
    from services_catalog.models import ServiceGuideIndexPage

    # why: the front page shows the guide, a layer above (pyproject ignore_imports)
    from services_catalog.search.views import ID_LIKE_PATTERN

    guide = ServiceGuideIndexPage.objects.live().only("url_path", "path", "depth", "title").first()
    site = Site.find_for_request(request)
    front = county_front(root_page_id=site.root_page_id if site else None)
    # Served whole from the page cache (portal.web.page_cache, PUBLIC_PAGE_CACHE_PATHS): these
    # queries run once per language, 长辈版 and content version, not once per visitor.
    return render(
        request, "web/home.html", {"guide": guide, "front": front, "id_like_pattern": ID_LIKE_PATTERN}
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@csrf_exempt  # a display preference; see portal.urls
@require_POST
def set_elderly_mode(request):
    """Switch 长辈版 on or off. A cookie, not an account setting: villagers do not log in."""
    response = HttpResponseRedirect(_safe_next(request, reverse("web:home")))
    if request.POST.get("on") == "1":
        response.set_cookie(ELDERLY_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDERLY_COOKIE, samesite="Lax")
    return response


@login_required
@require_safe
def staff_home(request):
    """Where every staff login lands (/staff/): the day's work first, one primary action.

    The work belongs to apps above this foundation module (applications, certificates,
    ratings, the ledger), which it may not import: each app puts its own links here through
    `portal.web.desk` (a signal each app answers from its ready(), as `approvals.extensions`
    does for an application's life), asking its own policy whether the user may open them and
    counting what waits with its own selectors. The first link is the primary action."""
    links = desk_links_for(request.user)
    memberships = list(current_memberships(request.user))
    return render(
        request,
        "web/staff_home.html",
        {"first": links[0] if links else None, "others": links[1:], "memberships": memberships},
    )


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Render without the request context: whatever broke must not break the error page too."""
    return HttpResponseServerError(loader.get_template("500.html").render())
