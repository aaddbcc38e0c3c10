"""网上申请: a villager starts an application of a 网办 item themselves, from the item's page.

They give their name and mobile and prove the mobile with a code texted to it (approvals' one-time
code machinery, scope APPLY: limited per client, per number and client, and per number, and a
code opens only in the browser that asked for it); they choose their village; then
`villager_start` makes the draft (approvals `draft_start_by_villager`: it waits at the village
station, whose assistant takes it, checks it and submits it) and a link bound to this browser
(`services.remote_link_start_bound`), so the villager goes on on the same pages as a villager the
assistant texted: materials, the form's answers, the authorisation, "hand to my assistant".

Nothing here says whether the number belongs to anyone: every well-formed mobile gets its code.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import services as approvals_services
from approvals.models import Application, TrackingCode
from approvals.tracking import TrackingRefused, code_open, code_send, is_mobile
from portal.errors import DomainError
from portal.offices.models import OfficeKind
from portal.people.identity import normalise_mobile
from portal.places.models import Region, RegionLevel
from services_catalog.models import ServiceItemPage

from .services import remote_link_start_bound

CODE_MESSAGE = gettext_lazy(
    "[村办] Your code to apply online is %(code)s, valid %(minutes)s minutes. Never tell it to anyone, "
    "staff included."
)


class ApplyRefused(DomainError):
    """A limit on codes was reached; the message says when to try again."""


def apply_item(code: str) -> ServiceItemPage | None:
    """The live item open to online applications whose code this is, or None."""
    item = ServiceItemPage.objects.live().filter(item_code__iexact=(code or "")[:40]).first()
    return item if item is not None and item.accepts_online_filing else None


def apply_villages(item: ServiceItemPage) -> QuerySet[Region]:
    """The villages of the item's county with an active station, by township and code."""
    return (
        Region.objects.within(item.department.region)
        .filter(
            level=RegionLevel.VILLAGE,
            offices__kind=OfficeKind.STATION,
            offices__is_active=True,
        )
        .select_related("parent")
        .distinct()
        .order_by("code")
    )


def apply_mobile(raw: str) -> str:
    """The mobile as typed, normalised; DomainError when it is not a mainland mobile."""
    mobile = normalise_mobile(raw or "")
    if not is_mobile(mobile):
        raise DomainError(_("Type your mobile number (11 digits): the code is sent there by text message."))
    return mobile


def apply_code_send(*, item: ServiceItemPage, mobile: str, address: str | None, browser: str) -> None:
    """Text a code to `mobile` for this browser; ApplyRefused for a limit."""
    if not item.accepts_online_filing:
        raise DomainError(_("“%(item)s” cannot be applied for online.") % {"item": item.title})
    try:
        code_send(
            scope=TrackingCode.Scope.APPLY,
            number=mobile,
            mobile=mobile,
            message=CODE_MESSAGE,
            address=address,
            browser=browser,
        )
    except TrackingRefused as error:
        raise ApplyRefused(str(error)) from None


def apply_code_check(*, mobile: str, code: str, browser: str) -> bool:
    """Is `code` the live code texted to `mobile` for this browser? Uses it up if so; wrong
    codes count on that code (3 tries), never on the number."""
    return code_open(scope=TrackingCode.Scope.APPLY, number=mobile, code=code, browser=browser)


@transaction.atomic
def villager_start(
    *,
    item: ServiceItemPage,
    village: Region,
    mobile: str,
    name: str,
    browser: str,
    client_token=None,
) -> tuple[Application, str]:
    """The villager's draft at their village station and the token of a link bound to this
    browser. The caller proved the mobile (`apply_code_check`) in this browser."""
    application = approvals_services.draft_start_by_villager(
        item=item, village=village, mobile=mobile, name=name, client_token=client_token
    )
    return application, remote_link_start_bound(application=application, browser=browser)
