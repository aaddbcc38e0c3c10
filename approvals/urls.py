"""Staff pages under /work/ (assistants, clerks, supervisors, officers)."""

from .views import filing, item_data, meeting, online_drafts, papers, reuse, work

app_name = "approvals"

urlpatterns = (
    work.urlpatterns
    + filing.urlpatterns
    + papers.urlpatterns
    + meeting.urlpatterns
    + reuse.urlpatterns
    + item_data.urlpatterns
    + online_drafts.urlpatterns
)
