"""The deadline sweep: run every hour or so (`manage.py remind_deadlines`, or the task).

It does what the law and the promises make automatic, each once:
- an application not accepted or returned within 5 working days counts as accepted (第三十二条);
- a 容缺 acceptance whose promised material is past its date is terminated;
- due-soon and overdue work is marked, and its clerk and supervisors are told once per state;
- a rectification of a bad rating past its date is reminded to the office once.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workdays.provisional import provisional_note

from . import deadlines, extensions, notifications, services
from .models import Application, NoticeItem
from .policies import supervisors_by_office
from .states import CLOCK_STATES, State


@dataclass
class SweepReport:
    deemed_accepted: int = 0
    terminated: int = 0
    due_soon: int = 0
    overdue: int = 0
    rectifications_overdue: int = 0
    errors: list[str] = field(default_factory=list)


def deadlines_sweep(
    *, today: datetime.date | None = None, progress: Callable[[int, int], None] | None = None
) -> SweepReport:
    today = today or timezone.localdate()
    report = SweepReport()

    late_acceptance = Application.objects.filter(state=State.SUBMITTED, accept_by__lt=today)
    for application in late_acceptance.iterator():
        if services.application_deem_accepted(application=application) is not None:
            report.deemed_accepted += 1

    broken = (
        NoticeItem.objects.filter(
            notice__kind="promise",
            supplied_at__isnull=True,
            due_on__lt=today,
            notice__application__state__in=CLOCK_STATES,
        )
        .select_related("notice__application")
        .order_by("notice__application_id")
    )
    seen = set()
    for item in broken:
        application = item.notice.application
        if application.pk in seen:
            continue
        seen.add(application.pk)
        reason = _("“%(material)s”, promised for %(day)s, was not handed in (容缺受理承诺未兑现).") % {
            "material": item.material_name,
            "day": item.due_on,
        }
        if services.application_terminate(application=application, reason=reason) is not None:
            report.terminated += 1

    report.rectifications_overdue = extensions.total(extensions.deadlines_swept.send(sender=None, today=today))

    candidates = list(
        Application.objects.filter(state__in=CLOCK_STATES, due_on__isnull=False, paused_since__isnull=True)
        .filter(Q(due_on__lte=today + datetime.timedelta(days=14)))
        .select_related("assignee", "current_office")
    )
    if not candidates:
        return report
    calendar = deadlines.calendar_around(today, *[a.due_on for a in candidates], working_days=5)
    supervisors = supervisors_by_office({a.current_office for a in candidates})
    for index, application in enumerate(candidates, start=1):
        left = deadlines.days_left(today, application.due_on, calendar)
        alert = "overdue" if left < 0 else "due_soon" if left <= deadlines.DUE_SOON_DAYS else ""
        if alert and application.alert != alert:
            Application.objects.filter(pk=application.pk, version=application.version).update(alert=alert)
            recipients = [application.assignee] if application.assignee else []
            recipients += [
                u for u in supervisors.get(application.current_office_id, []) if u not in recipients
            ]
            note = provisional_note(calendar.unconfirmed_years(application.accepted_on, application.due_on))
            notifications.queue_deadline_alert(application, alert, recipients, note=note)
            setattr(report, alert, getattr(report, alert) + 1)
        if progress:
            progress(index, len(candidates))
    return report


def deadlines_recompute(*, actor=None) -> int:
    """Count every open deadline again after the work calendar changed (a year confirmed, a day of
    a confirmed year added, changed or removed); returns how many applications' dates moved.

    One calendar for all; only the applications whose date moves are locked and changed, each
    through `services.application_deadline_recount`, a step of the workflow machine
    (`portal.workflow`: row lock, DEADLINE_MOVED event, new version, the villager's text
    message), so a form opened before the recount is refused as stale. Rectifications of bad
    ratings are counted again the same way. Nothing here writes a date with a bare `update()`."""
    open_work = list(
        Application.objects.filter(state__in={State.SUBMITTED, *CLOCK_STATES}).only(
            "pk", "state", "received_on", "accept_by", "accepted_on", "limit_days", "paused_days", "due_on"
        )
    )
    moved = 0
    if open_work:
        starts = [a.received_on for a in open_work if a.received_on] + [
            a.accepted_on for a in open_work if a.accepted_on
        ]
        longest = max([a.limit_days or 0 for a in open_work] + [deadlines.ACCEPTANCE_WINDOW_DAYS])
        calendar = deadlines.calendar_around(*starts, working_days=longest + 60)
        for application in open_work:
            if _deadline_moves(application, calendar) and services.application_deadline_recount(
                application=application, calendar=calendar, actor=actor
            ):
                moved += 1
    extensions.deadlines_recounted.send(sender=None, actor=actor)
    return moved


def _deadline_moves(application: Application, calendar) -> bool:
    """A cheap look before locking: would counting again change a date?"""
    if application.state == State.SUBMITTED and application.received_on:
        return deadlines.acceptance_deadline(application.received_on, calendar) != application.accept_by
    if application.state in CLOCK_STATES and application.accepted_on and application.limit_days is not None:
        due = deadlines.due_date(
            application.accepted_on, application.limit_days, application.paused_days, calendar
        )
        return due != application.due_on
    return False
