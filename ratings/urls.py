"""Staff rating pages under /work/ (rectification tasks, appeals, figures, rules)."""

from .views import urlpatterns as staff_urlpatterns

app_name = "ratings"

urlpatterns = staff_urlpatterns
