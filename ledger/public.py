"""The villager's side of the ledger without a login: limits on the public wish form, and the
lookup by number plus the last 4 digits of the mobile that opens an item's page (where the
villager confirms it is done, or says it is not).

Both are limited per client address (portal.throttle.client_address: behind the configured
proxies, never an address the client wrote itself), and lookups also per number, like the
application tracking (`approvals.tracking`). The limits are declared in portal.throttle.limits and
counted in its one attempts store; a refused lookup stays counted.
"""

import hmac
import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import tracking
from approvals.models import TrackingCode
from portal.errors import DomainError
from portal.throttle import limits
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import limit_reached
from portal.throttle.services import attempt_guard, attempt_record, attempts_lock

from .models import LedgerItem

SUBMISSIONS_PER_DAY = 5
"""Wishes one address may send in a day, unless `CUNBAN_LEDGER_SUBMISSIONS_PER_DAY` says otherwise
(limits.LEDGER_SUBMISSIONS_PER_CLIENT)."""
FAILURES_PER_DAY = limits.LEDGER_PER_NUMBER.maximum
ADDRESS_FAILURES_PER_DAY = limits.LEDGER_PER_CLIENT.maximum


class PublicLimitReached(DomainError):
    """Too many uses of a public form from one place: the message says when to try again."""


class LookupRefused(DomainError):
    """The number and digits did not match, or guessing is limited now."""


def submissions_per_day() -> int:
    return limits.LEDGER_SUBMISSIONS_PER_CLIENT.maximum


def check_submission_allowed(address: str | None) -> None:
    """Refuse a wish from an address that sent `submissions_per_day()` in the last 24 hours.
    Call it in the submitting transaction: it holds the client's lock until the wish is counted."""
    attempts_lock(scope=Scope.LEDGER_SUBMIT, client=address)
    reached = limit_reached([limits.LEDGER_SUBMISSIONS_PER_CLIENT], client=address)
    if reached is not None:
        raise PublicLimitReached(reached.message)


def record_submission(address: str | None, number: str) -> None:
    attempt_record(scope=Scope.LEDGER_SUBMIT, key=number, client=address, outcome=Attempt.Outcome.OK)


# -- the lookup ----------------------------------------------------------------------------------

# Dashes a phone keyboard or an input method may produce, and 一 typed for a dash in pinyin mode.
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u4e00]")
_NOT_IN_NUMBER = re.compile(r"[^0-9A-Z-]")
_LAST4 = re.compile(r"[0-9]{4}")
_DIGITS_ONLY = re.compile(r"W?([0-9]{9})([0-9]{4})([0-9]{4,6})")


def normalise_number(raw: str) -> str:
    """A ledger number as typed (full-width, spaces, odd dashes, a small w, or digits only on a
    numeric keypad) in the printed form W120115121-2026-0001."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    text = _NOT_IN_NUMBER.sub("", _DASHES.sub("-", text))
    compact = _DIGITS_ONLY.fullmatch(text.replace("-", ""))
    if compact:
        return "W{}-{}-{}".format(*compact.groups())
    return text[:24]


def normalise_last4(raw: str) -> str:
    return "".join(unicodedata.normalize("NFKC", raw or "").split())


def lookup(*, number: str, last4: str, address: str | None) -> LedgerItem:
    """The item with this number, if the last 4 digits of its villager's mobile match and no
    limit is reached; else LookupRefused with a message that says what to do.

    The limits count the number as typed and the client's address, the same way for numbers no
    item has, and the answers carry nothing only a real item could give (no station phone), so
    the lookup tells nobody which numbers exist. The villager's assistant can always open the
    item for them."""
    number = normalise_number(number)[:24]
    with attempt_guard(scope=Scope.LEDGER_LOOKUP, key=number, client=address):
        reached = limit_reached(
            [limits.LEDGER_PER_CLIENT, limits.LEDGER_PER_NUMBER], key=number, client=address
        )
        if reached is None:
            item = LedgerItem.objects.filter(number=number).first()
            digits = normalise_last4(last4)
            ok = (
                item is not None
                and _LAST4.fullmatch(digits) is not None
                and hmac.compare_digest(item.villager_mobile[-4:].encode(), digits.encode())
            )
            outcome = Attempt.Outcome.OK if ok else Attempt.Outcome.FAILED
            attempt_record(scope=Scope.LEDGER_LOOKUP, key=number, client=address, outcome=outcome)
    # Raised once the try is committed: a refused lookup stays counted.
    if reached is not None:
        raise LookupRefused(reached.message)
    if not ok:
        raise LookupRefused(
            _(
                "No request matches that number and those 4 digits. Check the number in the text message "
                "and enter the last 4 digits of the mobile it was sent to."
            )
        )
    return item


# -- a code by text message: the villager's own way in ------------------------------------------


def code_send(*, number: str, address: str | None, browser: str) -> None:
    """Text a one-time code to the mobile on file for this ledger number: the same answer and
    the same limits whether or not an item has the number (approvals.tracking.code_send).
    Raises LookupRefused only for a limit."""
    number = normalise_number(number)
    item = LedgerItem.objects.filter(number=number).only("pk", "number", "villager_mobile").first()
    try:
        tracking.code_send(
            scope=TrackingCode.Scope.LEDGER,
            number=number,
            mobile=item.villager_mobile if item is not None else "",
            message=gettext_lazy(
                "[村办] Your code to open request %(ref)s online is %(code)s, valid %(minutes)s minutes. "
                "Never tell it to anyone, staff included."
            ),
            address=address,
            browser=browser,
        )
    except tracking.TrackingRefused as refusal:
        raise LookupRefused(str(refusal)) from refusal


def code_open(*, number: str, code: str, browser: str) -> LedgerItem:
    """The item, when `code` is the live code texted for it to this browser; not limited by the
    guessing pause on the number (this is how the villager gets in while others guess)."""
    number = normalise_number(number)
    item = None
    if tracking.code_open(scope=TrackingCode.Scope.LEDGER, number=number, code=code, browser=browser):
        item = LedgerItem.objects.filter(number=number).first()
    if item is None:
        raise LookupRefused(str(tracking.code_refusal()))
    return item


# -- what this browser may see -------------------------------------------------------------------

SESSION_KEY = "ledger_allowed"
"""The pks of ledger items this browser has looked up (or submitted), newest last."""
SESSION_LIMIT = 10


def allowed(session) -> list[int]:
    value = session.get(SESSION_KEY)
    if not isinstance(value, list):
        return []
    return [pk for pk in value if isinstance(pk, int)]


def allow(session, pk: int) -> None:
    kept = [other for other in allowed(session) if other != pk] + [pk]
    session[SESSION_KEY] = kept[-SESSION_LIMIT:]
