"""Staff rating pages under /work/ (rectification tasks, appeals, figures)."""

app_name = "ratings"

urlpatterns: list = []
