"""URLconf for benchmark servers: `portal.urls` plus a bare baseline view at `/_bench/bare/`.

The bare route is put first so that no catch-all pattern in the project (Wagtail's page
serving, say) can shadow it. The error handlers are carried over from `portal.urls`, because
Django reads them from the root URLconf only and a benchmark must serve the project's own
404 and 500 pages.
"""

from django.http import HttpRequest, HttpResponse
from django.template import Context, Engine
from django.urls import path

from portal import urls as portal_urls

BARE_PATH = "_bench/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    """Answer "ok": the floor that gunicorn, Django and the middleware cost on their own."""
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")


# A plain Django template with a few variables and a loop, padded to a requested size: the
# baseline for a content page of the same weight that needs no database.
_TEMPLATE = Engine().from_string(
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1>{% for line in lines %}<p>{{ line }}</p>{% endfor %}</main></body></html>"
)


def bare_template(request: HttpRequest, size: int) -> HttpResponse:
    """Render the template with enough lines to weigh about `size` bytes."""
    line = "办事指南样例文字，用于对照同样大小的页面。"  # 60 bytes in UTF-8
    count = max(1, (size - 200) // (len(line.encode()) + 7))
    html = _TEMPLATE.render(Context({"title": "对照页面", "lines": [line] * count}))
    return HttpResponse(html)


urlpatterns = [
    path(BARE_PATH, bare, name="bench_bare"),
    path("_bench/bare-template/<int:size>/", bare_template, name="bench_bare_template"),
    *portal_urls.urlpatterns,
]

handler400 = getattr(portal_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(portal_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(portal_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")
