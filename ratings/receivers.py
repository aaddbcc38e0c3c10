"""How ratings joins the applications' deadline runs (`approvals.extensions`): the daily sweep
reminds offices of overdue rectifications, a change of the work calendar counts their dates
again, and the villager's tracking page shows what was done about a bad rating. Applications sit below ratings and do not import it. Connected in `RatingsConfig.ready`."""

from approvals.extensions import deadlines_recounted, deadlines_swept, tracking_notes_asked

from . import panels, services


def sweep_rectifications(sender, *, today, **kwargs) -> int:
    return services.rectifications_sweep(today=today)


def recount_rectifications(sender, *, actor, **kwargs) -> int:
    return services.rectifications_recount(actor=actor)


def notes_for_villager(sender, *, application, **kwargs):
    return panels.villager_notes(application)


def connect() -> None:
    tracking_notes_asked.connect(notes_for_villager, dispatch_uid="ratings.notes_for_villager")
    deadlines_swept.connect(sweep_rectifications, dispatch_uid="ratings.sweep_rectifications")
    deadlines_recounted.connect(recount_rectifications, dispatch_uid="ratings.recount_rectifications")
