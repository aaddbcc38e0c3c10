"""Signals of the work calendar, for the apps whose dates depend on it.

`calendar_confirmed` is sent inside the confirming transaction, so the apps count their open
deadlines again at once and atomically with the confirmation: when the administrator sees
"confirmed", every date already follows the new calendar. Receivers get `calendar_year` and
`actor` and return how many of their dates moved.
"""

from django.dispatch import Signal

calendar_confirmed = Signal()
