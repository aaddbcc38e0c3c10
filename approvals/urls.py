"""Staff pages under /work/ (assistants, clerks, supervisors, officers)."""

from .views import filing, papers, work

app_name = "approvals"

urlpatterns = work.urlpatterns + filing.urlpatterns + papers.urlpatterns
