"""The villager's pages to apply online from an item's page, under /apply/ (no login)."""

from .views_apply import urlpatterns

app_name = "apply"

__all__ = ["app_name", "urlpatterns"]
