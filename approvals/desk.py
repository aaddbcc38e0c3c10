"""What applications put on the staff home (`portal.web.desk`): the inbox with its counts for
whoever handles an office's work, the station's list and 新建申请 for whoever files for a
station, and the joint meeting sheet for whoever may open it. Each link is there because
`application_policy` (or the meeting sheet's own rule) says the user may open it.
Connected in `ApprovalsConfig.ready`."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.web.desk import RECORDS, WORK, DeskCount, DeskLink, staff_desk_asked

from . import meeting, policies, selectors
from .policies import application_policy
from .states import State


def _filtered(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _inbox(user) -> DeskLink:
    counts = selectors.inbox_counts_for(user)
    inbox = "approvals:inbox"
    return DeskLink(
        title=_("Work to do"),
        url=reverse(inbox),
        order=WORK,
        counts=(
            DeskCount(_("To accept (待受理)"), counts.submitted, _filtered(inbox, state=State.SUBMITTED)),
            DeskCount(
                _("Due soon (即将超期)"),
                counts.due_soon,
                _filtered(inbox, due=selectors.DUE_SOON),
                urgent=True,
            ),
            DeskCount(
                _("Overdue (已超期)"),
                counts.overdue,
                _filtered(inbox, due=selectors.DUE_OVERDUE),
                urgent=True,
            ),
            DeskCount(
                _("Awaiting supplement (待补正)"), counts.returned, _filtered(inbox, state=State.RETURNED)
            ),
        ),
    )


def _station(user) -> list[DeskLink]:
    counts = selectors.station_counts_for(user)
    station = "approvals:station"
    return [
        DeskLink(
            title=_("File a new application for a villager"),
            url=reverse("approvals:new"),
            order=WORK,
            note=_("For a villager of your village: choose the item, take photos of the papers."),
        ),
        DeskLink(
            title=_("My station's applications"),
            url=reverse(station),
            order=WORK + 1,
            counts=(
                DeskCount(
                    _("To supplement (待补正)"),
                    counts.returned,
                    _filtered(station, state=State.RETURNED),
                    urgent=True,
                ),
                DeskCount(_("Drafts (草稿)"), counts.drafts, _filtered(station, state=State.DRAFT)),
                DeskCount(
                    _("With the centre (待受理)"), counts.submitted, _filtered(station, state=State.SUBMITTED)
                ),
            ),
        ),
    ]


def desk_links(sender, *, user, **kwargs) -> list[DeskLink]:
    links = []
    if application_policy.user_has_permission(user, policies.HANDLE):
        links.append(_inbox(user))
    if application_policy.user_has_permission(user, policies.FILE):
        links.extend(_station(user))
    if meeting.meeting_regions(user).exists():
        links.append(
            DeskLink(title=_("Meeting sheet (联席会议)"), url=reverse("approvals:meeting"), order=RECORDS)
        )
    return links


def connect() -> None:
    staff_desk_asked.connect(desk_links, dispatch_uid="approvals.desk_links")
