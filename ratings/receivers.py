"""How ratings joins the applications' deadline runs (`approvals.extensions`): the daily sweep
reminds offices of overdue rectifications, a change of the work calendar counts their dates
again, and the villager's tracking page shows what was done about a bad rating. Applications sit below ratings and do not import it. Connected in `RatingsConfig.ready`.

Also: every event of a rating moves the rating's `changed_at` (`rating_changed`), whichever
path wrote it (the rating's own steps in `ratings.services`, the rectifications' and appeals'
through the workflow machine), so that no new step can forget it."""

from django.db.models.signals import post_save

from approvals.extensions import deadlines_recounted, deadlines_swept, tracking_notes_asked

from . import panels, services
from .models import Rating, RatingEvent


def sweep_rectifications(sender, *, today, **kwargs) -> int:
    return services.rectifications_sweep(today=today)


def recount_rectifications(sender, *, actor, **kwargs) -> int:
    return services.rectifications_recount(actor=actor)


def notes_for_villager(sender, *, application, **kwargs):
    return panels.villager_notes(application)


def rating_changed(sender, instance: RatingEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """A rating's event is a change that a partner syncing ratings must hear of (the API's list
    by `changed_at`): move the rating's `changed_at` up to it, in the event's own transaction.
    Never back (an event written at an earlier moment than the last one). One UPDATE of the
    rating's row, which the event's own foreign key already holds a key-share lock on. A
    restored backup (raw) brings the column with it."""
    if not created or raw:
        return
    Rating.objects.filter(pk=instance.rating_id, changed_at__lt=instance.at).update(changed_at=instance.at)
    if RatingEvent.rating.is_cached(instance) and instance.rating.changed_at < instance.at:
        instance.rating.changed_at = instance.at  # the caller's copy, as the row now is


def connect() -> None:
    post_save.connect(rating_changed, sender=RatingEvent, dispatch_uid="ratings.rating_changed")
    tracking_notes_asked.connect(notes_for_villager, dispatch_uid="ratings.notes_for_villager")
    deadlines_swept.connect(sweep_rectifications, dispatch_uid="ratings.sweep_rectifications")
    deadlines_recounted.connect(recount_rectifications, dispatch_uid="ratings.recount_rectifications")
