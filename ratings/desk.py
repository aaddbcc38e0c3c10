"""What ratings put on the staff home (`portal.web.desk`): 差评整改 for whoever sees some
application's work (`rectification_policy` VIEW), with the number still to rectify for those
who answer them (ANSWER); appeals for the county administrator who decides them
(`appeal_policy` DECIDE); the satisfaction figures for whoever may open them (`rating_policy`
SEE_FIGURES). Connected in `RatingsConfig.ready`."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.web.desk import FOLLOW_UP, RECORDS, DeskCount, DeskLink, staff_desk_asked

from . import policies, selectors
from .models import Rectification
from .policies import appeal_policy, rating_policy, rectification_policy


def desk_links(sender, *, user, **kwargs) -> list[DeskLink]:
    links = []
    if rectification_policy.user_has_permission(user, policies.VIEW):
        counts: tuple[DeskCount, ...] = ()
        if rectification_policy.user_has_permission(user, policies.ANSWER):
            url = reverse("ratings:rectifications")
            # exactly the list filtered to 待整改, which the count links to
            to_answer = selectors.rectification_list_for(user, state=Rectification.State.OPEN).count()
            counts = (
                DeskCount(
                    _("To answer (待整改)"), to_answer, f"{url}?state={Rectification.State.OPEN}", urgent=True
                ),
            )
        links.append(
            DeskLink(
                title=_("Bad ratings (差评整改)"),
                url=reverse("ratings:rectifications"),
                order=FOLLOW_UP + 1,
                counts=counts,
            )
        )
    if appeal_policy.user_has_permission(user, policies.DECIDE):
        url = reverse("ratings:appeals")
        pending = selectors.appeals_for(user).count()
        links.append(
            DeskLink(
                title=_("Appeals of ratings (申诉)"),
                url=url,
                order=FOLLOW_UP,  # a decision waiting: before the lists
                counts=(DeskCount(_("To decide (待裁定)"), pending, url, urgent=True),),
            )
        )
    if rating_policy.user_has_permission(user, policies.SEE_FIGURES):
        links.append(
            DeskLink(title=_("Satisfaction figures"), url=reverse("ratings:figures"), order=RECORDS + 2)
        )
    return links


def connect() -> None:
    staff_desk_asked.connect(desk_links, dispatch_uid="ratings.desk_links")
