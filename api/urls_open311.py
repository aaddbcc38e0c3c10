"""/open311/v2/: Open311 GeoReport v2 for hotline systems (api.open311); every call audited."""

from django.urls import path

from . import open311
from .audit import audited

app_name = "open311"

urlpatterns = [
    path("services.<str:fmt>", audited(open311.services), name="services"),
    path("requests.<str:fmt>", audited(open311.requests), name="requests"),
    path("requests/<str:request_id>.<str:fmt>", audited(open311.request_detail), name="request"),
]
