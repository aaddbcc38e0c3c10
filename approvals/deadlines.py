"""Deadlines of an application, in working days on the calendar (行政许可法 第八十二条).

Two clocks:
- the acceptance window: the centre accepts or returns within 5 working days of receiving the
  materials (第三十二条), otherwise the application counts as accepted from the day it was received;
- the promised time limit: it starts at acceptance and runs for the item's promised working days,
  plus the working days paused by special procedures (公示, 现场勘查 …), which do not count.

Time with the assistant after a return does not count either: a return happens before acceptance,
and the acceptance window starts again when the supplement arrives.

Due dates are stored so that inboxes can sort and filter on them in SQL, and recomputed when an
administrator confirms a year or changes a confirmed one (`approvals.signals`), so a newly
announced holiday moves every open deadline.

A deadline counted through a year whose calendar is not confirmed yet is provisional: only the
statutory holidays are known (see `portal.workdays.calendar`). Everything that shows or sends such
a date says so (`Deadline.provisional_years`, `provisional_years`).
"""

import datetime
from dataclasses import dataclass

from portal.workdays.calendar import RestDay, WorkCalendar, window_for_working_days
from portal.workdays.provisional import provisional_note
from portal.workdays.selectors import unconfirmed_years_between

from .states import CLOCK_STATES, State

ACCEPTANCE_WINDOW_DAYS = 5
"""行政许可法 第三十二条: accept, or tell the applicant everything to supplement, within 5 days."""

PROVISIONAL_ACCEPTANCE_MARGIN_DAYS = 3
"""Deemed acceptance waits this many more working days when the acceptance window ran through a
year without a confirmed calendar: the notice may add days off in lieu next to a holiday (three
around 国庆 2026: 10/5–10/7), which would give the centre a later date than the one counted.
Acceptance is deemed from the day the materials arrived whenever it is deemed, so waiting costs
the villager nothing, while deeming too early would take the centre's legal window away."""

DUE_SOON_DAYS = 2
"""Amber on the inbox when this many working days or fewer remain."""


def calendar_around(*days: datetime.date | None, working_days: int = 60) -> WorkCalendar:
    """One in-memory calendar that covers `days` and enough working days after them (one query)."""
    present = [day for day in days if day is not None]
    first = min(present)
    last = max(present) + window_for_working_days(working_days)
    return WorkCalendar.for_range(first=first, last=last)


def acceptance_deadline(received_on: datetime.date, calendar: WorkCalendar) -> datetime.date:
    return calendar.add_working_days(received_on, ACCEPTANCE_WINDOW_DAYS)


def due_date(
    accepted_on: datetime.date, limit_days: int, paused_days: int, calendar: WorkCalendar
) -> datetime.date:
    """The day the promised limit ends: acceptance day does not count (the start date never does)."""
    return calendar.add_working_days(accepted_on, limit_days + paused_days)


@dataclass(frozen=True)
class Deadline:
    """What a page shows about one deadline: the date, working days left, colour, skipped holidays."""

    kind: str  # "accept" (acceptance window) or "due" (promised limit)
    date: datetime.date
    days_left: int  # negative when overdue, in working days
    paused: bool
    skipped: tuple[RestDay, ...] = ()
    provisional_years: tuple[int, ...] = ()  # counted through years without a confirmed calendar

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def provisional_note(self) -> str:
        return provisional_note(self.provisional_years)

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)

    @property
    def colour(self) -> str:
        if self.paused:
            return "paused"
        if self.days_left < 0:
            return "overdue"
        if self.days_left <= DUE_SOON_DAYS:
            return "soon"
        return "ok"


def provisional_years(application, calendar: WorkCalendar) -> tuple[int, ...]:
    """The unconfirmed years the application's current deadline was counted through ((start,
    date] of the acceptance window, or of the promised limit), so it is shown as provisional."""
    dates = deadline_dates(application)
    if dates is None:
        return ()
    start, date, _kind = dates
    return tuple(calendar.unconfirmed_years(start, date))


def provisional_note_between(start: datetime.date | None, date: datetime.date | None) -> str:
    """The provisional note for one date counted from `start` (a receipt, a text message), or "".
    One query; a list asks its `WorkCalendar` instead."""
    if start is None or date is None or date <= start:
        return ""
    return provisional_note(unconfirmed_years_between(start + datetime.timedelta(days=1), date))


def application_provisional_note(application) -> str:
    """The provisional note of the application's current deadline, or "" (one query at most)."""
    dates = deadline_dates(application)
    return provisional_note_between(dates[0], dates[1]) if dates else ""


def deadline_dates(application) -> tuple[datetime.date, datetime.date, str] | None:
    """(start, date, kind) of the deadline that matters now: the acceptance window before
    acceptance, the promised limit after; None when no clock runs."""
    if application.state == State.SUBMITTED and application.accept_by and application.received_on:
        return application.received_on, application.accept_by, "accept"
    if application.state in CLOCK_STATES and application.due_on and application.accepted_on:
        return application.accepted_on, application.due_on, "due"
    return None


def days_left(today: datetime.date, deadline: datetime.date, calendar: WorkCalendar) -> int:
    """Working days from today until the deadline: 0 on the day itself, negative after it.

    Once the date has passed the work is overdue, by at least one working day, even on the rest
    days right after it: a Friday deadline is not "due today" on Saturday or through 春节."""
    if deadline >= today:
        return calendar.working_days_between(today, deadline)
    return -max(1, calendar.working_days_between(deadline, today))


def deadline_of(
    application, today: datetime.date, calendar: WorkCalendar, *, with_skipped: bool = False
) -> Deadline | None:
    """The deadline that matters now: the acceptance window before acceptance, the due date after."""
    dates = deadline_dates(application)
    if dates is None:
        return None
    start, date, kind = dates
    skipped = tuple(calendar.skipped_rest_days(start, date)) if with_skipped else ()
    return Deadline(
        kind=kind,
        date=date,
        days_left=days_left(today, date, calendar),
        paused=application.paused_since is not None,
        skipped=skipped,
        provisional_years=tuple(calendar.unconfirmed_years(start, date)),
    )
