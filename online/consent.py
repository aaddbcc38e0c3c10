"""The words of the authorisation (授权委托书) the villager signs on their phone, and the canonical
form of what they agreed to, whose SHA-256 the record keeps.

The text is written in the county's language (the settings' LANGUAGE_CODE), whatever the phone
shows, and stored whole with its version: a later change of these words never changes what an
earlier villager agreed to. Change the words: raise TEXT_VERSION.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals.models import Application

TEXT_VERSION = "2026-1"
VALID_DAYS = 365
"""The authorisation ends with the application's decision or withdrawal, at the latest after this."""


def valid_until(signed: datetime.datetime) -> datetime.date:
    return timezone.localdate(signed) + datetime.timedelta(days=VALID_DAYS)


def consent_text(application: Application, *, assistant: str, until: datetime.date) -> str:
    """What the villager reads and agrees to: who may do what on their behalf, for which item,
    until when; in plain words."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "I authorise %(assistant)s, village assistant (村级事务助理) of %(station)s, to handle “%(item)s” "
            "(%(ref)s) for me: to fill in the application form with my answers, to hand in the materials I "
            "uploaded or gave them, to submit the application to the office that handles it, to answer "
            "its one-time notice (一次性告知) and to receive its papers for me. The assistant may not "
            "change my answers without asking me, and may not use my materials for anything else. "
            "This authorisation ends when the application is decided or withdrawn, and at the latest "
            "on %(until)s. I may withdraw it at any time by telling the assistant or the service station."
        ) % {
            "assistant": assistant or _("the village assistant"),
            "station": application.station.name,
            "item": application.item_title,
            "ref": application.reference,
            "until": f"{until:%Y-%m-%d}",
        }


def canonical(
    *,
    application_pk: int,
    item: str,
    text_version: str,
    text: str,
    name: str,
    id_masked: str,
    signed_at: datetime.datetime,
    mobile: str,
    user_agent: str,
    method: str,
    signature_sha256: str,
) -> bytes:
    """The agreement as canonical JSON (sorted keys, no spaces, UTF-8, time in UTC to the
    microsecond): the same record always gives the same bytes, so its hash can be checked."""
    record = {
        "application": application_pk,
        "item": item,
        "text_version": text_version,
        "text": text,
        "name": name,
        "id_masked": id_masked,
        "signed_at": signed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "mobile": mobile,
        "user_agent": user_agent,
        "method": method,
        "signature_sha256": signature_sha256,
    }
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def consent_verify(consent) -> bool:
    """Does the stored record (and its signature image) still give the hash it was signed with?"""
    signature_sha256 = ""
    if consent.signature:
        with consent.signature.open("rb") as handle:
            signature_sha256 = digest(handle.read())
        if signature_sha256 != consent.signature_sha256:
            return False
    data = canonical(
        application_pk=consent.application_id,
        item=consent.application.item_title,
        text_version=consent.text_version,
        text=consent.text,
        name=consent.name,
        id_masked=consent.id_masked,
        signed_at=consent.signed_at,
        mobile=consent.mobile,
        user_agent=consent.user_agent,
        method=consent.method,
        signature_sha256=consent.signature_sha256,
    )
    return digest(data) == consent.sha256
