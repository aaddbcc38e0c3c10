"""Who may see the outbox in the back office: county administrators and superusers, read only.

The outbox shows villagers' (masked) numbers and what the portal told them across the whole
county, which is a county administrator's view. Nobody edits or deletes a message there: the
table is the record of what was sent.
"""

from portal.workdays.permissions import CountyAdministratorPolicy


class OutboxPolicy(CountyAdministratorPolicy):
    """The work calendar's county-administrator rule, narrowed to viewing."""

    def user_has_permission(self, user, action):
        """May `user` do `action`? Only "view", and only county administrators and superusers."""
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions):
        users = super().users_with_any_permission(actions)
        return users if "view" in actions else users.none()
