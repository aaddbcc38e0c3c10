"""Back office for applications: a read-only list and inspect page (see approvals.admin_views)."""

from wagtail import hooks

from .admin_views import ApplicationViewSet


@hooks.register("register_admin_viewset")
def register_application_viewset():
    return ApplicationViewSet()
