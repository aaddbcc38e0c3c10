"""The rating panel of the tracking page and the staff page: what the villager (or their assistant)
sees of a rating and whether they may give or change it. It joins a selector (the rating) with the
services' rules (who may rate or change it, until when), so it sits above both."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from approvals.extensions import TrackingNote
from approvals.models import Application

from . import selectors, services
from .models import QualitySettings, Rectification
from .policies import rectification_policy


def rating_panel(application: Application, *, assisted: bool = False) -> dict:
    """What the tracking and staff pages show of a rating (three queries at most). `assisted`:
    for a staff page, where a rating the villager gave themselves is not open to change."""
    if application.state not in services.RATED_STATES:
        return {"rating": None, "rating_open": False, "rating_changeable_until": None, "rating_blocker": None}
    rating = selectors.rating_of(application)
    rules = QualitySettings.current()
    change_blocker = (
        None if rating is None else services.change_blocker(rating, rules=rules, assisted=assisted)
    )
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


def villager_notes(application: Application) -> list[TrackingNote]:
    """What the villager's tracking page says after a bad rating, in their words: who answers it
    and by when, what the office did (整改情况), and the call back (回访) and what they said.
    Never a staff member's name. One query (none before a decision), two when a revisit is due."""
    if application.state not in services.RATED_STATES:
        return []
    rectification = (
        Rectification.objects.filter(rating__application=application)
        .exclude(state=Rectification.State.CANCELLED)
        .select_related("office")
        .order_by("-pk")
        .first()
    )
    if rectification is None:
        return []
    office = rectification.office.short_name or rectification.office.name
    lines: list[str] = []
    if rectification.state == Rectification.State.OPEN:
        lines.append(
            _("Your rating went to %(office)s. It must say what it does about it by %(date)s.")
            % {"office": office, "date": date_format(rectification.due_on)}
        )
    if rectification.answered_at is not None:
        lines.append(
            _("On %(date)s %(office)s answered:")
            % {"date": date_format(timezone.localdate(rectification.answered_at)), "office": office}
        )
        lines.append(rectification.answer)
    if rectification.state == Rectification.State.ANSWERED:
        revisit_office = rectification_policy.revisit_office()
        caller = revisit_office.short_name or revisit_office.name if revisit_office else _("The county")
        lines.append(
            _("%(caller)s will call you to ask whether you are satisfied now (回访).") % {"caller": caller}
        )
    if rectification.revisited_at is not None:
        day = date_format(timezone.localdate(rectification.revisited_at))
        if rectification.revisit_satisfied:
            lines.append(
                _("On %(date)s you were called back (回访) and said you are satisfied now. Thank you.")
                % {"date": day}
            )
        else:
            lines.append(
                _("On %(date)s you were called back (回访) and said you are still not satisfied.")
                % {"date": day}
            )
    return [TrackingNote(heading=_("What was done about your rating (整改情况)"), lines=tuple(lines))]
