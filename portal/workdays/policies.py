"""Who may see and change the work calendar: county administrators (and superusers) only.

A calendar day moves the legal deadlines of every office in the county, so a township
administrator may not touch it. The rule is `portal.people.jurisdiction.CountyAdministratorPolicy`
(one rule, one cached answer per request); these are its instances for the two calendar models,
registered in `wagtail_hooks.py`, so the menu, the generic admin views, the confirm and enter
views, the home panel and the services all ask one object.
"""

from portal.people.jurisdiction import CountyAdministratorPolicy

from .models import CalendarDay, CalendarYear

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
CONFIRM = "confirm"
"""Confirming a year: its days count in every deadline from then on."""
ENTER = ADD
"""Entering a year from the State Council's notice creates (or replaces) a draft year."""


class CalendarPolicy(CountyAdministratorPolicy):
    """Every action on calendar years and days: county administrators and superusers."""


calendar_year_policy = CalendarPolicy(CalendarYear)
calendar_day_policy = CalendarPolicy(CalendarDay)

__all__ = [
    "ADD",
    "CHANGE",
    "CONFIRM",
    "DELETE",
    "ENTER",
    "VIEW",
    "CalendarPolicy",
    "calendar_day_policy",
    "calendar_year_policy",
]
