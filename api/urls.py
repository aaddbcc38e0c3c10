"""/api/v1/: the JSON API (every view audited when a client calls it) and its docs page."""

from django.urls import include, path

from .audit import audited
from .v1 import api
from .views import docs

# (Not named app_name: include("api.urls") would read a module-level app_name as this module's.)
_patterns, _ninja_app, _namespace = api.urls
for _pattern in _patterns:
    _pattern.callback = audited(_pattern.callback)

urlpatterns = [
    path("v1/docs", docs, name="api_docs"),
    path("v1/", include((_patterns, _ninja_app), namespace=_namespace)),
]
