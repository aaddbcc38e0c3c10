from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from portal.people import views as people_views

urlpatterns = [
    # One login and one password reset for staff (issue 16, finding 15): Wagtail's own pages
    # send to the project's, which django-axes and the reset throttle protect.
    path("admin/login/", people_views.admin_login),
    re_path(r"^admin/password_reset/", RedirectView.as_view(pattern_name="people:password_reset")),
    # Staff without back-office access get a 403 page leading to their work (portal.people.views).
    path(
        "admin/", include(decorate_urlpatterns(wagtailadmin_urls.urlpatterns, people_views.back_office_gate))
    ),
    path("documents/", include(wagtaildocs_urls)),
    # Display preferences carry no CSRF token: switching someone's language or text size is
    # harmless, and token-free public pages can be cached whole (portal.web.page_cache).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("portal.people.urls")),
    # The JSON API for partner systems (api/: docs/api.md).
    path("api/", include("api.urls")),
    # Open311 GeoReport v2 for 12345 hotlines (api/open311.py: docs/api.md).
    path("open311/v2/", include("api.urls_open311")),
    path("search/", include("services_catalog.search.urls")),
    path("work/", include("approvals.urls")),
    path("work/", include("certificates.urls")),
    path("verify/", include("certificates.urls_verify")),
    path("track/", include("approvals.urls_tracking")),
    path("work/", include("ratings.urls")),
    path("satisfaction/", include("ratings.urls_public")),
    path("work/ledger/", include("ledger.urls")),
    path("work/", include("online.urls_work")),
    path("m/", include("online.urls")),
    path("apply/", include("online.urls_apply")),
    path("", include("ledger.urls_public")),
    path("", include("portal.offices.urls")),
    path("", include("portal.web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: everything not matched above may be a CMS page
# (/guide/… for the service guide, /policies/… for policy pages).
urlpatterns += [path("", include(wagtail_urls))]

handler403 = "portal.web.views.permission_denied"
handler404 = "portal.web.views.page_not_found"
handler500 = "portal.web.views.server_error"
