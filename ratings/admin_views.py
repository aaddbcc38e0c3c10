"""The back office's read-only list of ratings (好差评), for whoever may see the applications.

Rows come from `ratings.selectors.ratings_visible_to`, like the staff pages; nothing can be
added, changed or deleted here (every change goes through `ratings.services`)."""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from approvals.admin_views import ApplicationPolicy
from portal.people.backoffice import ReadOnlyScopedViewSet, ScopedIndexView

from .models import Rating
from .selectors import ratings_visible_to


class RatingPolicy(ApplicationPolicy):
    """Seen by whoever sees applications; the rows are those of the applications they see."""

    def scoped_queryset(self, user):
        return ratings_visible_to(user)


class RatingIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("application", "office", "township")

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(TitleColumn)
        return [
            title_column(
                "application",
                label=_("Application number"),
                accessor="application.number",
                get_url=self.get_inspect_url,
            ),
            Column("level", label=_("Rating"), accessor="get_level_display", sort_key="level"),
            Column("office", label=_("Handling office"), accessor="office.name"),
            Column("township", label=_("Township"), accessor="township.name"),
            Column("channel", label=_("How it was given"), accessor="get_channel_display"),
            Column("rated_at", label=_("Rated"), sort_key="rated_at"),
        ]


class RatingInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(ratings_visible_to(self.request.user), pk=self.pk)

    def get_fields(self):
        return [
            "level",
            "reasons",
            "comment",
            "assistant_level",
            "channel",
            "office",
            "township",
            "rated_at",
            "first_rated_at",
            "changes",
            "set_aside_at",
        ]


class RatingViewSet(ReadOnlyScopedViewSet):
    model = Rating
    permission_policy_class = RatingPolicy
    index_view_class = RatingIndexView
    inspect_view_class = RatingInspectView
    ordering = ["-rated_at", "-pk"]
    menu_label = _("Ratings (好差评)")
    icon = "pick"
    menu_order = 230
    name = "rating_admin"
