"""A change to the work calendar moves every open deadline (after the change commits)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.workdays.models import CalendarDay, CalendarYear


def _recompute_later(**_kwargs) -> None:
    from .tasks import deadlines_recompute_task

    transaction.on_commit(deadlines_recompute_task.enqueue)


@receiver(post_save, sender=CalendarYear, dispatch_uid="approvals-calendar-year-saved")
def calendar_year_saved(sender, instance, **kwargs) -> None:
    if instance.status == CalendarYear.Status.CONFIRMED:
        _recompute_later()


@receiver(post_save, sender=CalendarDay, dispatch_uid="approvals-calendar-day-saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="approvals-calendar-day-deleted")
def calendar_day_changed(sender, instance, **kwargs) -> None:
    if instance.year.status == CalendarYear.Status.CONFIRMED:
        _recompute_later()
