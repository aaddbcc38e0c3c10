from django.urls import path

from . import views

app_name = "guide_search"

urlpatterns = [
    path("", views.results, name="results"),
]
