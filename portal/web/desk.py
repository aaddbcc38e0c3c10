"""The staff home's registry: how the apps above the foundation put their work on `/staff/`.

Every staff login lands on `/staff/` (portal.web), but the work it must lead to belongs to apps
in higher layers: the inbox and the station list (approvals), printing certificates
(certificates), rectifications and satisfaction figures (ratings), the requests ledger (ledger).
The foundation may not import them (pyproject.toml's layers), so, as `approvals.extensions` does
for an application's life, the home asks instead: it sends `staff_desk_asked` and each app
answers from its own `desk.py`, connected in its AppConfig.ready(), with the links the user may
use, each decided by that app's own policy (no role names anywhere). The apps know their URLs,
their policies and their selectors; the home only orders what it is given.

The other way considered, a view at project level importing every app, would put every app's
rules of "who may use this page" in one place outside the apps, and grow with each app.

A receiver returns a list of `DeskLink` (possibly empty); it must ask a fixed number of queries
whatever the amount of work, since /staff/ is opened many times a day (its test pins the count).
"""

from dataclasses import dataclass, field

from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext as _

staff_desk_asked = Signal()
"""Arguments: user (logged in). Receivers return a list of `DeskLink` the user may open."""

# The order of the home, lowest first: the day's work, then what it produces, then records.
WORK = 10
"""The day's work: the inbox, the station's list and 新建申请."""
OUTPUT = 20
"""What the work produces: certificates to print."""
FOLLOW_UP = 30
"""What follows a decision: rectifications of bad ratings, appeals."""
RECORDS = 40
"""Records and reports: the requests ledger, the meeting sheet, the satisfaction figures."""
BACK_OFFICE = 50
"""The back office (Wagtail): pages of the guide, staff, offices."""


@dataclass(frozen=True)
class DeskCount:
    """A number of things waiting, linking to the list filtered to exactly them."""

    label: str
    count: int
    url: str
    urgent: bool = False  # shown in red when not zero (overdue, returned)


@dataclass(frozen=True)
class DeskLink:
    """One thing the user may open from their home. `order` places it (the constants above,
    plus a small number within a group); the first link of the home is its primary action."""

    title: str
    url: str
    order: int
    note: str = ""
    counts: tuple[DeskCount, ...] = field(default_factory=tuple)


def desk_links_for(user) -> list[DeskLink]:
    """Every app's links for `user`, in the home's order (title second, so it never varies)."""
    links: list[DeskLink] = []
    for _receiver, answer in staff_desk_asked.send(sender=None, user=user):
        links.extend(answer or ())
    return sorted(links, key=lambda link: (link.order, link.title))


def back_office_links(sender, *, user, **kwargs) -> list[DeskLink]:
    """The back office (Wagtail admin), only for whoever may enter it; the guide's and policy
    pages first for whoever may edit some page (editors), as Wagtail's page policy says."""
    # why: Wagtail's admin imports models, so only once a request asks
    from wagtail.admin.auth import user_has_any_page_permission

    if not user.has_perm("wagtailadmin.access_admin"):
        return []
    links = [
        DeskLink(title=_("Open the back office"), url=reverse("wagtailadmin_home"), order=BACK_OFFICE + 1)
    ]
    if user_has_any_page_permission(user):
        links.append(
            DeskLink(
                title=_("Edit the guide and policy pages"),
                url=reverse("wagtailadmin_explore_root"),
                order=BACK_OFFICE,
                note=_("Changes are published after a second editor approves them."),
            )
        )
    return links


def connect() -> None:
    staff_desk_asked.connect(back_office_links, dispatch_uid="web.back_office_links")
