from django.urls import path

from . import site_files, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("display/elderly/", views.set_elderly_mode, name="set_elderly_mode"),
    path("staff/", views.staff_home, name="staff_home"),
    path("favicon.ico", site_files.favicon, name="favicon"),
    path("robots.txt", site_files.robots_txt, name="robots_txt"),
]
