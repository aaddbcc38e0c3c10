app_name = "catalogue_io"

urlpatterns: list = []
