"""Back office for search synonyms (常用说法): county administrators only.

Saving or deleting a synonym re-derives every page's synonym terms (`signals`), so an edit
takes effect at the next search.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permission_policies.base import BasePermissionPolicy

from portal.people.backoffice import ScopedModelViewSet
from portal.people.jurisdiction import user_is_county_administrator
from services_catalog.models import Synonym


class CountyAdministratorPolicy(BasePermissionPolicy):
    """County administrators (and superusers) may do everything to the model; nobody else
    anything. Synonyms shape what every villager in the county finds, so a township
    administrator does not edit them."""

    actions = frozenset({"add", "change", "delete", "view"})

    def user_has_permission(self, user, action):
        """Whether the user may do `action` to synonyms at all. `user_is_county_administrator`
        keeps its answer on `request.user` for the request: the admin list asks about every row."""
        return action in self.actions and user_is_county_administrator(user)

    def user_has_any_permission(self, user, actions):
        """Whether the user may do any of `actions` to synonyms."""
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        """The same answer for every synonym: they belong to the county, not to an office."""
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        """Every synonym for a county administrator, none for anyone else."""
        if self.user_has_any_permission(user, actions):
            return self.model._default_manager.all()
        return self.model._default_manager.none()

    def users_with_any_permission(self, actions):
        """Nobody is listed: access comes from memberships, which this policy does not enumerate."""
        return get_user_model().objects.none()


class SynonymViewSet(ScopedModelViewSet):
    """The policy is handed to the views (ScopedModelViewSet), not registered globally."""

    model = Synonym
    permission_policy_class = CountyAdministratorPolicy
    name = "search_synonyms"
    url_prefix = "search-synonyms"
    menu_label = _("Search synonyms")
    icon = "search"
    menu_order = 250
    form_fields = ["phrase", "means"]
    list_display = ["phrase", "means"]
    search_fields = ["phrase", "means"]
    search_backend_name = None
    ordering = ["phrase"]


@hooks.register("register_admin_viewset")
def register_synonym_viewset():
    return SynonymViewSet()
