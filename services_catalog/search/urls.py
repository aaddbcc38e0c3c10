app_name = "guide_search"

urlpatterns: list = []
