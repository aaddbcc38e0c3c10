"""Who may import and export a county's catalogue: county administrators (and superusers).

The rule is `portal.people.jurisdiction.CountyAdministratorPolicy`, whose answer is kept on the
request's user: the admin menu asks on every back-office page, and sharing one cached answer
with the work calendar's menu keeps this app from adding a query to each of them.
"""

from portal.people.jurisdiction import CountyAdministratorPolicy

from .models import ImportRun

catalogue_policy = CountyAdministratorPolicy(ImportRun)


def user_may_import_catalogues(user) -> bool:
    """May `user` use catalogue import and export at all? (Which counties: see selectors.)"""
    return catalogue_policy.user_has_permission(user, "add")
