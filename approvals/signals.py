"""A change to the work calendar moves every open deadline.

Confirming a year (`calendar_confirmed`, sent inside the confirming transaction) counts them again
at once. A day added, changed or removed in a year already confirmed does it in a background
task after the change commits: an administrator may correct several days in a row.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.workdays.models import CalendarDay, CalendarYear
from portal.workdays.signals import calendar_confirmed

from .reminders import deadlines_recompute
from .tasks import deadlines_recompute_task


def _recompute_later(**_kwargs) -> None:
    transaction.on_commit(deadlines_recompute_task.enqueue)


@receiver(calendar_confirmed, dispatch_uid="approvals-calendar-confirmed")
def calendar_year_confirmed(sender, calendar_year, actor, **kwargs) -> int:
    return deadlines_recompute(actor=actor)


@receiver(post_save, sender=CalendarDay, dispatch_uid="approvals-calendar-day-saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="approvals-calendar-day-deleted")
def calendar_day_changed(sender, instance, **kwargs) -> None:
    if instance.year.status == CalendarYear.Status.CONFIRMED:
        _recompute_later()
