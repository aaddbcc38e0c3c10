from django.urls import path

from . import views

app_name = "offices"

urlpatterns = [
    path("find-assistant/", views.find_assistant_townships, name="find_assistant"),
    path(
        "find-assistant/<str:township_code>/", views.find_assistant_villages, name="find_assistant_villages"
    ),
    path(
        "find-assistant/<str:township_code>/<str:village_code>/",
        views.find_assistant_station,
        name="find_assistant_station",
    ),
    path(
        "find-assistant/<str:township_code>/<str:village_code>/remember/",
        views.remember_village,
        name="remember_village",
    ),
]
