"""Who may read the audit log in the back office: county administrators and superusers.

The log is the county's record of who did what: nobody adds, changes or deletes an entry
there (the models and the database refuse it too, see docs/audit.md)."""

from portal.workdays.permissions import CountyAdministratorPolicy


class AuditPolicy(CountyAdministratorPolicy):
    """The county-administrator rule, narrowed to viewing."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions):
        users = super().users_with_any_permission(actions)
        return users if "view" in actions else users.none()
