"""Every limit on tries in one table: what it counts, on what, over which window, how many, and
what happens when it is reached.

Rules every limit keeps (project guide, issue 16 finding 9): it keys on what is attacked (the
number, the serial, the account) and on the real client address behind the proxy
(`client_address`), never the address a client wrote itself; it never shuts the rightful person
out (a texted code, the assistant, or the QR code stays open while guessers are paused); and it
never tells whether something exists (rows are written and counted alike for invented numbers,
and the refusal says the same for both).

The limits counted by `Attempt` rows are checked through `selectors.limit_reached`. Three more
are counted elsewhere and listed here so this stays the one table: logins (django-axes, its own
table, keyed on the account and the same client address), and the wrong codes typed against one
texted code or one contact-change confirmation (counted on that row, which holds the secret).
"""

import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Attempt

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


class Per(enum.Enum):
    """What one bucket of a limit is."""

    KEY = "key"
    """The attacked thing: the number as typed, the serial, the account."""
    CLIENT = "client"
    """The real client address, across every key."""
    KEY_AND_CLIENT = "key and client"
    """One client's tries at one key: a stranger's tries do not use up the villager's."""


class Scope:
    """`Attempt.scope` values: which kind of try a row is."""

    TRACKING_LOOKUP = "tracking.lookup"
    LEDGER_LOOKUP = "ledger.lookup"
    LEDGER_SUBMIT = "ledger.submit"
    ONE_TIME_CODE = "one_time_code"
    CERTIFICATE_CHECK = "certificate.check"
    CERTIFICATE_LINK = "certificate.link"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a scope name, not a secret)
    API_CALL = "api.call"
    API_KEY = "api.key"
    REMOTE_OPEN = "remote.open"
    REMOTE_CODE_MOBILE = "remote.code_mobile"


@dataclass(frozen=True)
class Limit:
    name: str
    scope: str
    per: Per
    most: int | Callable[[], int]
    """How many counted tries a bucket may hold; a callable reads a setting each time."""
    window: datetime.timedelta | None
    """How far back tries count; None: all of them (since the last unlock, where there is one)."""
    counts: tuple[str, ...]
    """The outcomes that count (a limit on guessing counts only failures)."""
    message: Promise | None
    """The refusal, the same for every key; `%(count)s` is the number of tries counted. None:
    the page answers as if nothing was refused (password resets)."""
    when_reached: str
    """What happens then, in words (for readers and the back office)."""
    unknown_client_shared: bool = False
    """A client with no usable address: one shared bucket (True) or not limited per client
    (False: never lock everyone behind a misconfigured proxy out of a lookup)."""
    counted_by: str = "store"
    """"store" for `Attempt` rows; otherwise where the count lives."""

    @property
    def maximum(self) -> int:
        return int(self.most() if callable(self.most) else self.most)

    def refusal(self, count: int) -> str:
        text = str(self.message or "")
        return text % {"count": count} if "%(count)" in text else text


FAILED = (Attempt.Outcome.FAILED,)
OK = (Attempt.Outcome.OK,)
ANY = (Attempt.Outcome.OK, Attempt.Outcome.FAILED, Attempt.Outcome.REFUSED)

_WRONG_TRIES_FROM_CONNECTION = _(
    "Too many wrong tries from this connection today. Try again tomorrow, or ask your village assistant."
)


def _ledger_submissions_per_day() -> int:
    return int(getattr(settings, "CUNBAN_LEDGER_SUBMISSIONS_PER_DAY", 5))


def _password_reset_per_client() -> int:
    return int(settings.PASSWORD_RESET_PER_ADDRESS_HOUR)


def _password_reset_per_account() -> int:
    return int(settings.PASSWORD_RESET_PER_ACCOUNT_HOUR)


def _login_failures() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


# -- application tracking: number + last 4 digits (approvals.tracking) ----------------------------

TRACKING_PER_CLIENT = Limit(
    name="tracking lookups per client",
    scope=Scope.TRACKING_LOOKUP,
    per=Per.CLIENT,
    most=20,
    window=DAY,
    counts=FAILED,
    message=_WRONG_TRIES_FROM_CONNECTION,
    when_reached="the client waits until its failures of the last 24 hours drop below the limit",
)
TRACKING_PER_NUMBER_DAY = Limit(
    name="tracking lookups per number in a day",
    scope=Scope.TRACKING_LOOKUP,
    per=Per.KEY,
    most=5,
    window=DAY,
    counts=FAILED,
    message=_(
        "Too many wrong tries for this number. Looking it up with the 4 digits is paused: get a code "
        "by text message to the mobile on file below, or ask your village assistant."
    ),
    when_reached="guessing the number pauses for the day; a texted code and the assistant still open "
    "it, and a staff unlock lifts the pause",
)
TRACKING_PER_NUMBER = Limit(
    name="tracking lookups per number in all",
    scope=Scope.TRACKING_LOOKUP,
    per=Per.KEY,
    most=10,
    window=None,
    counts=FAILED,
    message=TRACKING_PER_NUMBER_DAY.message,
    when_reached="an application with the number is locked (shown to staff) until the assistant or "
    "centre unlocks it; failures before the unlock no longer count",
)

# -- a code by text message (approvals.tracking.code_send, for tracking and the ledger) ------------

CODES_PER_CLIENT = Limit(
    name="texted codes per client",
    scope=Scope.ONE_TIME_CODE,
    per=Per.CLIENT,
    most=10,
    window=DAY,
    counts=ANY,
    message=_(
        "Too many codes asked for from this connection today. Try again tomorrow, or ask your "
        "village assistant."
    ),
    when_reached="the client waits; every code may be a text message, and a code works only in the "
    "browser that asked, so this also bounds the codes anyone can guess at",
)
_CODES_FOR_NUMBER = _(
    "A code for this number was asked for %(count)s times in the last hour. Use the latest text "
    "message, try again in an hour, or ask your village assistant."
)
CODES_PER_NUMBER_AND_CLIENT = Limit(
    name="texted codes per number and client",
    scope=Scope.ONE_TIME_CODE,
    per=Per.KEY_AND_CLIENT,
    most=3,
    window=HOUR,
    counts=ANY,
    message=_CODES_FOR_NUMBER,
    when_reached="this client waits an hour for this number; a stranger asking from elsewhere does "
    "not use up the villager's requests",
)
CODES_PER_NUMBER = Limit(
    name="texted codes per number",
    scope=Scope.ONE_TIME_CODE,
    per=Per.KEY,
    most=10,
    window=HOUR,
    counts=ANY,
    message=_CODES_FOR_NUMBER,
    when_reached="everyone waits an hour for this number: the ceiling on texts to one phone",
)
CODE_WRONG_TRIES = Limit(
    name="wrong codes per texted code",
    scope="",
    per=Per.KEY,
    most=3,
    window=None,
    counts=FAILED,
    message=_("That code is wrong, used up or expired. Ask for a new code, or ask your village assistant."),
    when_reached="that code is used up; the browser that asked may ask for another",
    counted_by="approvals.TrackingCode.wrong_tries (the row holding the code, bound to one browser)",
)

# -- the assistant's link to the villager's phone (online, 网办) -------------------------------------
# The code that opens a link is texted through `code_send` (the three limits above, keyed on the
# link); these count the tries at a link's code, on the link and on the client, and the codes
# texted to one mobile across all its links.

REMOTE_OPEN_PER_CLIENT = Limit(
    name="link codes per client",
    scope=Scope.REMOTE_OPEN,
    per=Per.CLIENT,
    most=20,
    window=DAY,
    counts=FAILED,
    message=_WRONG_TRIES_FROM_CONNECTION,
    when_reached="the client waits until its failures of the last 24 hours drop below the limit",
)
REMOTE_OPEN_PER_LINK = Limit(
    name="link codes per link",
    scope=Scope.REMOTE_OPEN,
    per=Per.KEY,
    most=10,
    window=None,
    counts=FAILED,
    message=_(
        "Too many wrong codes were typed for this link. Ask your village assistant to send you a new link."
    ),
    when_reached="the link opens no more (the same answer for links nobody has); the assistant sends "
    "a new one, which is not locked",
)
REMOTE_CODES_PER_MOBILE = Limit(
    name="link codes texted per mobile",
    scope=Scope.REMOTE_CODE_MOBILE,
    per=Per.KEY,
    most=6,
    window=HOUR,
    counts=ANY,
    message=_CODES_FOR_NUMBER,
    when_reached="no more codes to that mobile for an hour, whichever of its links asks",
)

# -- the ledger's public pages (ledger.public) -----------------------------------------------------

LEDGER_PER_CLIENT = Limit(
    name="ledger lookups per client",
    scope=Scope.LEDGER_LOOKUP,
    per=Per.CLIENT,
    most=20,
    window=DAY,
    counts=FAILED,
    message=_WRONG_TRIES_FROM_CONNECTION,
    when_reached="the client waits until its failures of the last 24 hours drop below the limit",
)
LEDGER_PER_NUMBER = Limit(
    name="ledger lookups per number",
    scope=Scope.LEDGER_LOOKUP,
    per=Per.KEY,
    most=5,
    window=DAY,
    counts=FAILED,
    message=_(
        "Too many wrong tries for this number today. Try again tomorrow, or ask your village "
        "assistant, who can open it for you."
    ),
    when_reached="guessing the number pauses for the day; a texted code and the assistant still open it",
)
LEDGER_SUBMISSIONS_PER_CLIENT = Limit(
    name="wishes sent per client",
    scope=Scope.LEDGER_SUBMIT,
    per=Per.CLIENT,
    most=_ledger_submissions_per_day,
    window=DAY,
    counts=OK,
    message=_(
        "%(count)s requests have already been sent from this connection today, the most we take "
        "online in a day. Try again tomorrow, or ask your village assistant to register it."
    ),
    when_reached="the client waits; the assistant registers the wish instead "
    "(CUNBAN_LEDGER_SUBMISSIONS_PER_DAY: a committee's shared computer may need more)",
    unknown_client_shared=True,
)

# -- the public certificate check (certificates) ---------------------------------------------------

CERTIFICATE_CHECKS_PER_CLIENT = Limit(
    name="certificate checks per client",
    scope=Scope.CERTIFICATE_CHECK,
    per=Per.CLIENT,
    most=20,
    window=DAY,
    counts=FAILED,
    message=_("Too many checks that matched nothing from this connection today. Try again tomorrow."),
    when_reached="the client waits until its failures of the last 24 hours drop below the limit",
)
CERTIFICATE_CHECKS_PER_SERIAL = Limit(
    name="certificate checks per serial",
    scope=Scope.CERTIFICATE_CHECK,
    per=Per.KEY,
    most=10,
    window=DAY,
    counts=FAILED,
    message=_("Too many wrong check codes for this serial today. Try again tomorrow, or scan the QR code."),
    when_reached="the typed check of the serial pauses for the day; the QR code keeps working",
)

# -- the certificate's PDF by a texted link (certificates.links) ------------------------------------

CERTIFICATE_LINKS_PER_CLIENT = Limit(
    name="certificate links per client",
    scope=Scope.CERTIFICATE_LINK,
    per=Per.CLIENT,
    most=20,
    window=DAY,
    counts=FAILED,
    message=_WRONG_TRIES_FROM_CONNECTION,
    when_reached="the client waits until its failures of the last 24 hours drop below the limit; "
    "there is no per-link limit, so nobody can use up the villager's own link (an unguessable, "
    "signed token)",
)

# -- staff accounts (portal.people) -----------------------------------------------------------------

PASSWORD_RESETS_PER_CLIENT = Limit(
    name="password resets per client",
    scope=Scope.PASSWORD_RESET,
    per=Per.CLIENT,
    most=_password_reset_per_client,
    window=HOUR,
    counts=ANY,
    message=None,
    when_reached="no link is mailed; the page answers the same as for any request (audited as refused)",
)
PASSWORD_RESETS_PER_ACCOUNT = Limit(
    name="password resets per account",
    scope=Scope.PASSWORD_RESET,
    per=Per.KEY,
    most=_password_reset_per_account,
    window=HOUR,
    counts=ANY,
    message=PASSWORD_RESETS_PER_CLIENT.message,
    when_reached="no link is mailed; the page answers the same as for any request (audited as refused)",
)
LOGIN_FAILURES = Limit(
    name="login failures",
    scope="",
    per=Per.KEY_AND_CLIENT,
    most=_login_failures,
    window=None,
    counts=FAILED,
    message=_("Too many failed logins"),
    when_reached="the account, and separately the client address, lock for AXES_COOLOFF_TIME "
    "(AXES_LOCKOUT_PARAMETERS: username, ip_address); a success resets the count",
    counted_by="django-axes (AXES_CLIENT_IP_CALLABLE is this app's client_address)",
)
CONTACT_CHANGE_WRONG_CODES = Limit(
    name="wrong codes per contact change",
    scope="",
    per=Per.KEY,
    most=5,
    window=None,
    counts=FAILED,
    message=_("That code is not right."),
    when_reached="the change request ends; the owner asks for it again",
    counted_by="people.ContactChange.failed_attempts (the row holding the secret, owner only)",
)

# -- the JSON API (api) ----------------------------------------------------------------------------


def _api_anonymous_per_minute() -> int:
    return int(getattr(settings, "CUNBAN_API_ANONYMOUS_PER_MINUTE", 60))


API_CALLS_PER_CLIENT = Limit(
    name="API calls per API client",
    scope=Scope.API_CALL,
    per=Per.KEY,
    most=60,
    window=MINUTE,
    counts=ANY,
    message=_("Too many calls: this client may make %(count)s calls a minute. Wait and try again."),
    when_reached="429 with Retry-After; each API client has its own number (ApiClient.rate_limit_per_minute, "
    "which replaces `most`), keyed on the client, whatever address it calls from",
)
API_CALLS_ANONYMOUS = Limit(
    name="API calls without a key per address",
    scope=Scope.API_CALL,
    per=Per.CLIENT,
    most=_api_anonymous_per_minute,
    window=MINUTE,
    counts=ANY,
    message=_("Too many calls from this connection: wait a minute and try again, or ask for an API key."),
    when_reached="429 with Retry-After (CUNBAN_API_ANONYMOUS_PER_MINUTE); calls with a key are not counted here",
    unknown_client_shared=True,
)
API_KEY_FAILURES_PER_CLIENT = Limit(
    name="wrong API keys per address",
    scope=Scope.API_KEY,
    per=Per.CLIENT,
    most=20,
    window=HOUR,
    counts=FAILED,
    message=_("Too many wrong API keys from this connection. Wait an hour and try again."),
    when_reached="429 with Retry-After: the address waits until its failures of the last hour drop below the "
    "limit; a right key from elsewhere still works",
    unknown_client_shared=True,
)

LIMITS: tuple[Limit, ...] = (
    TRACKING_PER_CLIENT,
    TRACKING_PER_NUMBER_DAY,
    TRACKING_PER_NUMBER,
    CODES_PER_CLIENT,
    CODES_PER_NUMBER_AND_CLIENT,
    CODES_PER_NUMBER,
    CODE_WRONG_TRIES,
    REMOTE_OPEN_PER_CLIENT,
    REMOTE_OPEN_PER_LINK,
    REMOTE_CODES_PER_MOBILE,
    LEDGER_PER_CLIENT,
    LEDGER_PER_NUMBER,
    LEDGER_SUBMISSIONS_PER_CLIENT,
    CERTIFICATE_CHECKS_PER_CLIENT,
    CERTIFICATE_CHECKS_PER_SERIAL,
    CERTIFICATE_LINKS_PER_CLIENT,
    PASSWORD_RESETS_PER_CLIENT,
    PASSWORD_RESETS_PER_ACCOUNT,
    LOGIN_FAILURES,
    CONTACT_CHANGE_WRONG_CODES,
    API_KEY_FAILURES_PER_CLIENT,
    API_CALLS_ANONYMOUS,
    API_CALLS_PER_CLIENT,
)
"""The one table, in the order each public path checks them (the client first, so a flooding
client learns nothing about any number)."""
