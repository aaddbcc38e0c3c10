"""URLconf for benchmark servers: `portal.urls` plus a bare baseline view at `/_bench/bare/`.

The bare route is put first so that no catch-all pattern in the project (Wagtail's page
serving, say) can shadow it. The error handlers are carried over from `portal.urls`, because
Django reads them from the root URLconf only and a benchmark must serve the project's own
404 and 500 pages.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal import urls as portal_urls

BARE_PATH = "_bench/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    """Answer "ok": the floor that gunicorn, Django and the middleware cost on their own."""
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *portal_urls.urlpatterns]

handler400 = getattr(portal_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(portal_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(portal_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")
