"""The villager's parcel-style lookup: application number plus the last 4 digits of the ID number
or mobile, no login. Guessing is limited per application number and per client address, counted
the same for numbers that exist and numbers that do not, with the same answers, so the lookup
tells nobody which numbers exist. The villager's own way in cannot be shut by anyone else's
guesses: a one-time code texted to the mobile on file opens the page in the browser that asked
for it, and the assistant or centre can look it up or lift a lock (after which the earlier
failures no longer count). The limit never stops staff from working the file. A resident ID
number typed into the number field is refused before anything is stored, so the attempts store
never holds one. The limits are declared in portal.throttle.limits and counted in its store.
"""

import datetime
import hmac
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError
from portal.outbox.services import message_queue
from portal.outbox.tasks import outbox_send_task
from portal.people.identity import check_id_number, normalise_mobile, validate_mobile
from portal.throttle import limits
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import attempt_count, limit_reached
from portal.throttle.services import attempt_guard, attempt_record

from .extensions import TrackingNote, tracking_notes_asked
from .models import Application, ApplicationEvent, TrackingCode
from .states import Act

FAILURES_PER_DAY = limits.TRACKING_PER_NUMBER_DAY.maximum
"""Failed lookups of one number in a day before its online lookup pauses until tomorrow."""
FAILURES_IN_ALL = limits.TRACKING_PER_NUMBER.maximum
"""Failed lookups of one number in all before it is locked until the assistant or centre unlocks it."""
ADDRESS_FAILURES_PER_DAY = limits.TRACKING_PER_CLIENT.maximum
"""Failed lookups from one address in a day (of any numbers) before that address must wait."""
NUMBER_LIMITS = (limits.TRACKING_PER_NUMBER, limits.TRACKING_PER_NUMBER_DAY)


class TrackingRefused(DomainError):
    """The lookup failed or is not allowed now; the message says what to do (with a phone)."""


class LooksLikeIdNumber(TrackingRefused):
    """A resident ID number was typed where the application number goes (an easy mix-up).

    It is neither stored nor shown back: pages must not echo what was typed."""


# Dashes a phone keyboard or an input method may produce, and 一 typed for a dash in pinyin mode.
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u4e00]")
_NOT_IN_NUMBER = re.compile(r"[^0-9A-Z-]")
_LAST4 = re.compile(r"[0-9]{3}[0-9X]")


def normalise_number(raw: str) -> str:
    """An application number as typed (full-width digits, spaces, odd dashes, or digits only)
    in the form printed on the receipt: 120115121-261122-007."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _NOT_IN_NUMBER.sub("", _DASHES.sub("-", text).upper())
    if text.isdigit() and len(text) >= 16:  # typed without dashes on a numeric keypad
        text = f"{text[:9]}-{text[9:15]}-{text[15:]}"
    return text[:40]


def normalise_last4(raw: str) -> str:
    """Full-width digits to ASCII, spaces out, a small x made capital."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()


def _matches(application: Application, last4: str) -> bool:
    last4 = normalise_last4(last4)
    if not _LAST4.fullmatch(last4):
        return False
    candidates = [application.applicant_mobile[-4:]]
    if application.resident_id:
        candidates.append(application.resident.id_number_masked[-4:])
    # Bytes: compare_digest refuses str with non-ASCII characters; both sides are ASCII here.
    return any(
        len(candidate) == 4 and hmac.compare_digest(candidate.encode(), last4.encode())
        for candidate in candidates
    )


def counted_since(number: str) -> datetime.datetime | None:
    """When the assistant or centre last unlocked online lookup of this number: older failures no
    longer count. One query whether or not an application has the number."""
    return (
        ApplicationEvent.objects.filter(application__number=number, act=Act.UNLOCK_TRACKING)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


_ID_LIKE_RUN = re.compile(r"[0-9]{17,}X?")


def contains_id_number(raw: str) -> bool:
    """Is a valid resident ID number in what was typed (an easy mix-up with the application
    number)? Then it is neither stored nor shown back. An application number typed without
    dashes has 18 digits too; should one pass the ID check, it is still an application number
    when an application has it."""
    compact = "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()
    for run in _ID_LIKE_RUN.findall(compact.replace("-", "")):
        for start in range(len(run) - 17):
            candidate = run[start : start + 18]
            try:
                check_id_number(candidate)
            except ValidationError:
                continue
            if not Application.objects.filter(number=normalise_number(candidate)).exists():
                return True
    return False


def id_number_refusal() -> str:
    return _(
        "That looks like an ID number. Enter the application number printed on the receipt (回执), "
        "for example 120115121-261122-007."
    )


def paused_refusal() -> TrackingRefused:
    """The one answer for a number whose guessing is paused, whether or not it exists: no phone,
    no office, nothing that only a real application could give."""
    return TrackingRefused(limits.TRACKING_PER_NUMBER_DAY.refusal(FAILURES_PER_DAY))


def tracking_paused(number: str) -> bool:
    """Is guessing this application number paused now (a day's or all failures since the last
    unlock)? Staff see it on the application and may lift it (`tracking_unlock`)."""
    number = normalise_number(number)[:24]
    return limit_reached(NUMBER_LIMITS, key=number, since=counted_since(number)) is not None


def no_match_refusal() -> TrackingRefused:
    return TrackingRefused(
        _(
            "No application matches that number and those 4 digits. Check the number on the receipt and "
            "enter the last 4 digits of the villager's ID number or mobile."
        )
    )


def tracking_lookup(*, number: str, last4: str, address: str | None) -> Application:
    """The application, if the number and digits match and no limit is reached; else TrackingRefused.

    Every limit is counted on the number as typed and on the client's address, the same way for
    numbers no application has, and a wrong guess gets the same answer either way: the answers
    say nothing about which numbers exist. A number is paused for guessing after
    FAILURES_PER_DAY wrong tries in a day or FAILURES_IN_ALL since the last unlock; the villager
    still gets in with a code texted to the mobile on file (`tracking_code_send`), or through
    the assistant. Not one transaction on purpose: a refused attempt must stay counted when the
    refusal is raised: the try is counted in its own transaction (portal.throttle.services),
    which also counts simultaneous tries on one number or from one client one after another."""
    if contains_id_number(number):
        raise LooksLikeIdNumber(id_number_refusal())
    number = normalise_number(number)
    key = number[:24]
    refusal: TrackingRefused | None = None
    with attempt_guard(scope=Scope.TRACKING_LOOKUP, key=key, client=address):
        reached = limit_reached([limits.TRACKING_PER_CLIENT], client=address)
        application = (
            Application.objects.select_related("resident")
            .defer("resident__id_number")  # only the masked number's last 4 are compared
            .filter(number=number)
            .first()
        )
        unlocked_at = counted_since(number)
        if reached is None:
            reached = limit_reached(NUMBER_LIMITS, key=key, since=unlocked_at)
            if reached is None and application is not None and application.tracking_locked_at is not None:
                refusal = paused_refusal()
        if reached is not None:
            refusal = TrackingRefused(reached.message)
        if refusal is None:
            ok = application is not None and _matches(application, last4)
            outcome = Attempt.Outcome.OK if ok else Attempt.Outcome.FAILED
            attempt_record(scope=Scope.TRACKING_LOOKUP, key=key, client=address, outcome=outcome)
            if ok:
                return application
            refusal = no_match_refusal()
            if application is not None and (
                attempt_count(limits.TRACKING_PER_NUMBER, key=key, since=unlocked_at) >= FAILURES_IN_ALL
            ):
                # Shown to staff on the application; the public answer stays the same as for any number.
                Application.objects.filter(pk=application.pk).update(tracking_locked_at=timezone.now())
    raise refusal


# -- a code by text message: the villager's own way in ------------------------------------------
# Shared with the ledger's lookup (ledger.public): `code_send` and `code_open` know nothing of
# applications; the callers find the mobile on file and write the text.

CODE_DIGITS = 6
CODE_VALID = datetime.timedelta(minutes=10)
CODE_TRIES = limits.CODE_WRONG_TRIES.maximum
"""Wrong codes typed in one browser before its code is used up (it may ask for another)."""
CODE_SENDS_PER_NUMBER_PER_HOUR = limits.CODES_PER_NUMBER_AND_CLIENT.maximum
"""Codes one client may ask for one number in an hour: a stranger asking from elsewhere does not
use up the villager's own requests."""
CODE_SENDS_PER_NUMBER_PER_HOUR_IN_ALL = limits.CODES_PER_NUMBER.maximum
"""Codes everyone together may ask for one number in an hour: the ceiling on texts to one phone."""
CODE_SENDS_PER_ADDRESS_PER_DAY = limits.CODES_PER_CLIENT.maximum
"""Codes one address may ask for in a day, for any numbers (each one may be a text message).
Since a code only works in the browser that asked, this also bounds the codes anyone can guess
at: CODE_TRIES tries each."""
CODE_LIMITS = (limits.CODES_PER_CLIENT, limits.CODES_PER_NUMBER_AND_CLIENT, limits.CODES_PER_NUMBER)
CODE_SENT_ANSWER = gettext_lazy(
    "If this number is on file with a mobile, a %(digits)s-digit code is on its way to that mobile. "
    "Type it in below within %(minutes)s minutes, in this browser."
)


def _browser_hash(browser: str) -> str:
    return salted_hmac("cunban.one_time_code.browser", browser, algorithm="sha256").hexdigest()


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac("cunban.one_time_code", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _code_matches(stored: str, code: str) -> bool:
    salt, _sep, digest = stored.partition("$")
    return bool(digest) and hmac.compare_digest(_code_hash(salt, code).encode(), digest.encode())


def code_sent_answer() -> str:
    """The one answer to every request for a code that is not refused by a limit."""
    return str(CODE_SENT_ANSWER) % {"digits": CODE_DIGITS, "minutes": int(CODE_VALID.total_seconds() // 60)}


def is_mobile(mobile: str) -> bool:
    try:
        validate_mobile(mobile)
    except ValidationError:
        return False
    return True


def code_send(
    *,
    scope: str,
    number: str,
    mobile: str,
    message: Promise,
    address: str | None,
    browser: str,
) -> None:
    """Text a one-time code to `mobile` ("" when nobody has the number) for the asking browser.

    A row is written either way and the limits (CODE_LIMITS) count requests per client, per
    number and client, and per number, so neither the answer nor the limits say whether the
    number exists. `message` is the text's body, with `%(ref)s` (the number), `%(code)s` and
    `%(minutes)s`. Raises TrackingRefused only for a limit."""
    if not browser:
        raise ValueError("code_send needs the browser's value from its session")
    now = timezone.now()
    key = f"{scope}:{number[:24]}"
    mobile = normalise_mobile(mobile or "")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(8)
    sending = is_mobile(mobile)
    with attempt_guard(scope=Scope.ONE_TIME_CODE, key=key, client=address):
        reached = limit_reached(CODE_LIMITS, key=key, client=address)
        if reached is not None:
            raise TrackingRefused(reached.message)
        attempt_record(scope=Scope.ONE_TIME_CODE, key=key, client=address, outcome=Attempt.Outcome.OK, at=now)
        TrackingCode.objects.create(
            scope=scope,
            number=number[:24],
            address=address,
            code_hash=f"{salt}${_code_hash(salt, code)}" if sending else "",
            browser_hash=_browser_hash(browser),
            created_at=now,
            expires_at=now + CODE_VALID,
        )
        if not sending:
            return
        with translation.override(settings.LANGUAGE_CODE):
            minutes = int(CODE_VALID.total_seconds() // 60)
            body = str(message) % {"ref": number, "code": code, "minutes": minutes}
        message_queue(
            to_mobile=mobile,
            body=body,
            topic="one-time-code",
            reference=number[:40],
            params={"code": code, "minutes": minutes},
        )
    transaction.on_commit(outbox_send_task.enqueue)


def code_open(*, scope: str, number: str, code: str, browser: str) -> bool:
    """Is `code` the live code texted for this number to this browser? Uses it up if so.

    Wrong codes count on this browser's own code (CODE_TRIES), never on the number, so nobody
    else's typing can use up the villager's code; and a browser can only guess at codes it asked
    for, which the send limits bound."""
    code = "".join(unicodedata.normalize("NFKC", code or "").split())
    now = timezone.now()
    with transaction.atomic():
        live = (
            TrackingCode.objects.select_for_update()
            .filter(
                scope=scope,
                number=number[:24],
                browser_hash=_browser_hash(browser or ""),
                used_at__isnull=True,
                expires_at__gt=now,
                wrong_tries__lt=CODE_TRIES,
            )
            .exclude(code_hash="")
            .order_by("-created_at")
            .first()
        )
        if live is None:
            return False
        if len(code) == CODE_DIGITS and code.isdigit() and _code_matches(live.code_hash, code):
            live.used_at = now
            live.save(update_fields=["used_at"])
            return True
        live.wrong_tries += 1
        live.save(update_fields=["wrong_tries"])
        return False


def code_refusal() -> TrackingRefused:
    return TrackingRefused(limits.CODE_WRONG_TRIES.refusal(CODE_TRIES))


def tracking_code_send(*, number: str, address: str | None, browser: str) -> None:
    """Text a code to the mobile on file for this application number (see `code_send`)."""
    if contains_id_number(number):
        raise LooksLikeIdNumber(id_number_refusal())
    number = normalise_number(number)
    application = Application.objects.filter(number=number).only("pk", "number", "applicant_mobile").first()
    code_send(
        scope=TrackingCode.Scope.TRACKING,
        number=number,
        mobile=application.applicant_mobile if application is not None else "",
        message=gettext_lazy(
            "[村办] Your code to track application %(ref)s online is %(code)s, valid %(minutes)s minutes. "
            "Never tell it to anyone, staff included."
        ),
        address=address,
        browser=browser,
    )


def tracking_code_open(*, number: str, code: str, browser: str) -> Application:
    """The application, when `code` is the live code texted for it to this browser; else
    TrackingRefused. Not limited by the guessing pause on the number: this is how the villager
    gets in while others guess."""
    number = normalise_number(number)
    if not code_open(scope=TrackingCode.Scope.TRACKING, number=number, code=code, browser=browser):
        raise code_refusal()
    application = Application.objects.filter(number=number).first()
    if application is None:  # deleted since the code was sent
        raise code_refusal()
    return application


# -- what the apps above applications add to the page --------------------------------------------


def tracking_notes(application: Application) -> list[TrackingNote]:
    """The sections certificates and ratings add to the villager's page (`approvals.extensions`):
    applications do not import them. Ratings adds what the office did about a bad rating and
    the revisit (回访)."""
    responses = tracking_notes_asked.send(sender=Application, application=application)
    return [note for _receiver, notes in responses for note in (notes or ())]
