"""What the requests ledger puts on the staff home (`portal.web.desk`): 民情台账 for whoever may
see some item (`ledger_policy` VIEW), with its open and overdue items, each counted by the same
selector as the list the count links to. Connected in `LedgerConfig.ready`."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.web.desk import RECORDS, DeskCount, DeskLink, staff_desk_asked

from . import selectors
from .policies import VIEW, ledger_policy


def desk_links(sender, *, user, **kwargs) -> list[DeskLink]:
    if not ledger_policy.user_has_permission(user, VIEW):
        return []
    url = reverse("ledger:list")
    open_count = selectors.ledger_list_for(user).count()
    overdue = selectors.ledger_list_for(user, selectors.LedgerFilter(overdue=True)).count()
    return [
        DeskLink(
            title=_("Requests ledger (民情台账)"),
            url=url,
            order=RECORDS,
            counts=(
                DeskCount(_("Open (未销号)"), open_count, url),
                DeskCount(_("Overdue (逾期)"), overdue, f"{url}?overdue=on", urgent=True),
            ),
        )
    ]


def connect() -> None:
    staff_desk_asked.connect(desk_links, dispatch_uid="ledger.desk_links")
