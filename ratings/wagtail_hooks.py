"""Back office for ratings: a read-only list and inspect page (see ratings.admin_views)."""

from wagtail import hooks

from .admin_views import RatingViewSet


@hooks.register("register_admin_viewset")
def register_rating_viewset():
    return RatingViewSet()
