"""Who may read the audit log in the back office: county administrators and superusers.

The log is the county's record of who did what: nobody adds, changes or deletes an entry
there (the models and the database refuse it too, see docs/audit.md)."""

from portal.people.jurisdiction import CountyAdministratorReadOnlyPolicy


class AuditPolicy(CountyAdministratorReadOnlyPolicy):
    """The county-administrator rule, narrowed to viewing."""
