"""The rating panel of the tracking page and the staff page: what the villager (or their assistant)
sees of a rating and whether they may give or change it. It joins a selector (the rating) with the
services' rules (who may rate or change it, until when), so it sits above both."""

from approvals.models import Application

from . import selectors, services
from .models import QualitySettings


def rating_panel(application: Application, *, assisted: bool = False) -> dict:
    """What the tracking and staff pages show of a rating (three queries at most). `assisted`:
    for a staff page, where a rating the villager gave themselves is not open to change."""
    if application.state not in services.RATED_STATES:
        return {"rating": None, "rating_open": False, "rating_changeable_until": None, "rating_blocker": None}
    rating = selectors.rating_of(application)
    rules = QualitySettings.current()
    change_blocker = None if rating is None else services.change_blocker(rating, rules=rules, assisted=assisted)
    changeable = rating is not None and change_blocker is None
    if rating is None or changeable:
        blocker = services.rating_blocker(application)
    else:  # staff are told why; the villager's page thanks them
        blocker = change_blocker if assisted else None
    return {
        "rating": rating,
        "rating_open": blocker is None and (rating is None or changeable),
        "rating_changeable_until": services.change_deadline(rating, rules=rules) if changeable else None,
        "rating_blocker": blocker,
    }
