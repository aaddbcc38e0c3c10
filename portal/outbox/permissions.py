"""Who may see the outbox in the back office: county administrators and superusers, read only.

The outbox shows villagers' (masked) numbers and what the portal told them across the whole
county, which is a county administrator's view. Nobody edits or deletes a message there: the
table is the record of what was sent.
"""

from portal.people.jurisdiction import CountyAdministratorReadOnlyPolicy


class OutboxPolicy(CountyAdministratorReadOnlyPolicy):
    """The county-administrator rule, narrowed to viewing."""
