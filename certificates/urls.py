"""Staff certificate pages under /work/ (downloads, revocation, batch printing)."""

from .views import work_urlpatterns

app_name = "certificates"

urlpatterns = work_urlpatterns
