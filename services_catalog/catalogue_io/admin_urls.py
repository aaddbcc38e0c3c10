"""Catalogue import and export in the back office, at /admin/catalogue/ (namespace catalogue_io).

Registered through Wagtail's `register_admin_urls` hook (wagtail_hooks.py), so the pages sit
inside Wagtail's admin: its login redirect, its language choice and its access check come
first, and the views add their own rule (county administrators only, 404 for others).
"""

from django.urls import path

from . import views

app_name = "catalogue_io"

urlpatterns = [
    path("", views.catalogue_import, name="import"),
    path("runs/<int:pk>/", views.import_run, name="run"),
    path("export/<int:page_id>/", views.catalogue_export_download, name="export"),
]
