"""Staff pages under /work/ (assistants, clerks, supervisors, officers)."""

from .views import filing, item_data, meeting, papers, work

app_name = "approvals"

urlpatterns = work.urlpatterns + filing.urlpatterns + papers.urlpatterns + meeting.urlpatterns
urlpatterns += item_data.urlpatterns
