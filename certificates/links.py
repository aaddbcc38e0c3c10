"""The link texted to the villager when their certificate is issued: it downloads the PDF the
staff download gives, without a login (凭短信链接下载证照).

Why a signed token (django.core.signing.TimestampSigner over the certificate's id) and not a
hashed token row: the link has to say only "this certificate, texted not long ago", and the
signature says it with nothing stored, so there is no table of bearer secrets to clean up, back up
or leak; the expiry is inside the token (`CUNBAN_CERTIFICATE_LINK_DAYS`); and what can end a
certificate's life early (revocation) is read from the certificate on every download, so a
revoked certificate's link stops working at once. What a row would add, voiding one link alone,
the certificate does not need: a wrong paper is revoked, and its reissue texts its own link.
The key is the certificates' own (`CUNBAN_CERTIFICATE_KEY`, with its fallbacks), never
SECRET_KEY, and the salt keeps these tokens apart from every other signature of the site.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from portal.web.site import site_url

from . import tokens

_SALT = "cunban.certificate.sms-link"


def _signer() -> signing.TimestampSigner:
    current, *fallbacks = tokens.signing_keys()
    return signing.TimestampSigner(key=current, fallback_keys=fallbacks, salt=_SALT, sep=".")


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=int(settings.CUNBAN_CERTIFICATE_LINK_DAYS))


def link_token(certificate_pk: int) -> str:
    """The token of a new link to the certificate's PDF (valid for `link_lifetime`)."""
    return _signer().sign(str(certificate_pk))


def certificate_pk_of(token: str) -> int | None:
    """The certificate a token opens, or None: altered, invented, expired or not a token at all
    (one answer for all, so the page cannot tell which)."""
    if not token or len(token) > 200:
        return None
    try:
        value = _signer().unsign(token, max_age=link_lifetime())
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return int(value) if value.isdigit() else None


def link_url(certificate_pk: int) -> str:
    return site_url(reverse("verify:pdf", args=[link_token(certificate_pk)]))
