"""How ratings joins the applications' deadline runs (`approvals.extensions`): the daily sweep
reminds offices of overdue rectifications, and a change of the work calendar counts their dates
again. Applications sit below ratings and do not import it. Connected in `RatingsConfig.ready`."""

from approvals.extensions import deadlines_recounted, deadlines_swept

from . import services


def sweep_rectifications(sender, *, today, **kwargs) -> int:
    return services.rectifications_sweep(today=today)


def recount_rectifications(sender, *, actor, **kwargs) -> int:
    return services.rectifications_recount(actor=actor)


def connect() -> None:
    deadlines_swept.connect(sweep_rectifications, dispatch_uid="ratings.sweep_rectifications")
    deadlines_recounted.connect(recount_rectifications, dispatch_uid="ratings.recount_rectifications")
