"""Who may see and change the work calendar: county administrators (and superusers) only.

A calendar day moves the legal deadlines of every office in the county, so a township
administrator may not touch it. The rule itself lives in `portal.people.jurisdiction`; this
module gives it the Wagtail permission-policy shape, registered for both calendar models in
`wagtail_hooks.py`, so the menu, the generic admin views and the confirm view all ask one object.
"""

from django.contrib.auth import get_user_model
from wagtail.permission_policies.base import BasePermissionPolicy

from portal.people.jurisdiction import county_administrators, user_is_county_administrator

# The answer is cached on the user object for the request: the admin menu, the view and its
# buttons ask several times per page, and each uncached answer is a query.
_CACHE_ATTRIBUTE = "_workdays_is_county_administrator"


def _is_county_administrator(user) -> bool:
    if user is None:
        return False
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = bool(user_is_county_administrator(user))
        # An anonymous user object may be shared; only cache on real accounts.
        if getattr(user, "pk", None) is not None:
            setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


class CountyAdministratorPolicy(BasePermissionPolicy):
    """Every action on the model is allowed to county administrators and superusers only."""

    def user_has_permission(self, user, action):
        """May `user` do `action` (add, change, delete, view, confirm) on this model?"""
        return _is_county_administrator(user)

    def user_has_any_permission(self, user, actions):
        """May `user` do at least one of `actions`? (The same answer for every action.)"""
        return _is_county_administrator(user)

    def users_with_any_permission(self, actions):
        """Active superusers and active users with a current county administrator membership.

        Mirrors `user_is_county_administrator` as a queryset (Wagtail asks this for listings of
        who could act, e.g. notifications); keep the two in step.
        """
        superusers = get_user_model().objects.filter(is_active=True, is_superuser=True)
        return (superusers | county_administrators()).distinct()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


class CountyAdministratorReadOnlyPolicy(CountyAdministratorPolicy):
    """The same rule narrowed to viewing: for records nobody edits in the back office (the
    outbox, the audit log)."""

    def user_has_permission(self, user, action):
        """May `user` do `action`? Only "view", and only county administrators and superusers."""
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions):
        users = super().users_with_any_permission(actions)
        return users if "view" in actions else users.none()
