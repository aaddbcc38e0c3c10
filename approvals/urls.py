"""Staff pages under /work/ (assistants, clerks, supervisors, officers)."""

from .views import filing, work

app_name = "approvals"

urlpatterns = work.urlpatterns + filing.urlpatterns
