"""The villager's public tracking pages under /track/ (no login), and rating from there."""

from ratings.views import tracking_urlpatterns

from .views import papers, tracking

app_name = "tracking"

urlpatterns = tracking.urlpatterns + papers.tracking_urlpatterns + tracking_urlpatterns
