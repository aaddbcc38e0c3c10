from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("display/elderly/", views.set_elderly_mode, name="set_elderly_mode"),
    path("staff/", views.staff_home, name="staff_home"),
]
