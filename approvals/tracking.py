"""The villager's parcel-style lookup: application number plus the last 4 digits of the ID number
or mobile, no login. Guessing is limited per application number and per address; the limit
never stops staff from working the file, and the assistant or centre can lift a lock (after
which the earlier failures no longer count). A resident ID number typed into the number field is
refused before anything is stored, so the attempts table never holds one.
"""

import datetime
import hmac
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.people.identity import check_id_number

from .models import Application, ApplicationEvent, TrackingAttempt
from .states import Act

FAILURES_PER_DAY = 5
"""Failed lookups of one number in a day before its online lookup pauses until tomorrow."""
FAILURES_IN_ALL = 10
"""Failed lookups of one number in all before it is locked until the assistant or centre unlocks it."""
ADDRESS_FAILURES_PER_DAY = 20
"""Failed lookups from one address in a day (of any numbers) before that address must wait."""


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


def _counted_since(application: Application | None) -> datetime.datetime | None:
    """When the assistant or centre last unlocked online lookup: older failures no longer count."""
    if application is None:
        return None
    return (
        ApplicationEvent.objects.filter(application=application, act=Act.UNLOCK_TRACKING)
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


def _help_phone(application: Application | None) -> str:
    if application is None:
        return ""
    station = application.station
    return station.phone or (application.current_office.phone if application.current_office else "")


def tracking_lookup(*, number: str, last4: str, address: str | None) -> Application:
    """The application, if the number and digits match and no limit is reached; else TrackingRefused.

    Not one transaction on purpose: a refused attempt must stay counted when the refusal is raised."""
    if contains_id_number(number):
        raise LooksLikeIdNumber(id_number_refusal())
    number = normalise_number(number)
    now = timezone.now()
    day_start = now - datetime.timedelta(days=1)
    if address and (
        TrackingAttempt.objects.filter(address=address, succeeded=False, at__gte=day_start).count()
        >= ADDRESS_FAILURES_PER_DAY
    ):
        raise TrackingRefused(
            _(
                "Too many wrong tries from this connection today. Try again tomorrow, or ask your village assistant."
            )
        )
    application = (
        Application.objects.select_related("resident", "station", "current_office")
        .defer("resident__id_number")  # only the masked number's last 4 are compared
        .filter(number=number)
        .first()
    )
    phone = _help_phone(application)
    if application is not None and application.tracking_locked_at is not None:
        raise TrackingRefused(
            _(
                "Online lookup of %(number)s is locked after too many wrong tries. Your village assistant "
                "or the centre can unlock it: call %(phone)s."
            )
            % {"number": number, "phone": phone or "-"}
        )
    failures = TrackingAttempt.objects.none()
    if application is not None:
        # An unlock wipes the slate: the villager's next try is not refused for the old failures.
        failures = TrackingAttempt.objects.filter(number=number[:24], succeeded=False)
        unlocked_at = _counted_since(application)
        if unlocked_at is not None:
            failures = failures.filter(at__gt=unlocked_at)
        if failures.filter(at__gte=day_start).count() >= FAILURES_PER_DAY:
            raise TrackingRefused(
                _("Too many wrong tries for %(number)s today. Try again tomorrow, or call %(phone)s.")
                % {"number": number, "phone": phone or "-"}
            )
    ok = application is not None and _matches(application, last4)
    TrackingAttempt.objects.create(number=number[:24], address=address, succeeded=ok, at=now)
    if ok:
        return application
    if application is not None and failures.count() >= FAILURES_IN_ALL:
        Application.objects.filter(pk=application.pk).update(tracking_locked_at=now)
    raise TrackingRefused(
        _(
            "No application matches that number and those 4 digits. Check the number on the receipt and "
            "enter the last 4 digits of the villager's ID number or mobile."
        )
    )
