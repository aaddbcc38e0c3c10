"""/api/v1/: the JSON API (every view audited when a client calls it) and its docs page."""

from django.urls import include, path

from .audit import audited
from .v1 import api
from .views import docs

patterns, app_name, namespace = api.urls
for pattern in patterns:
    pattern.callback = audited(pattern.callback)

urlpatterns = [
    path("v1/docs", docs, name="api_docs"),
    path("v1/", include((patterns, app_name), namespace=namespace)),
]
