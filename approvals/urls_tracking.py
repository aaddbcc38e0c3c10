"""The villager's public tracking pages under /track/ (no login)."""

from .views import tracking

app_name = "tracking"

urlpatterns = tracking.urlpatterns
