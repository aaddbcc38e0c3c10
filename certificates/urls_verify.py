"""The public check of printed certificates under /verify/ (no login)."""

from .views import verify_urlpatterns

app_name = "verify"

urlpatterns = verify_urlpatterns
