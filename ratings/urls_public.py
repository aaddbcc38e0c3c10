"""The public satisfaction summary under /satisfaction/ (no login, no personal data)."""

from .views import public_urlpatterns

app_name = "satisfaction"

urlpatterns = public_urlpatterns
