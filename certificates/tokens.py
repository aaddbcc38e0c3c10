"""The QR code's token and the check code printed under it: keyed digests of the serial.

Neither carries personal data. The token is an HMAC-SHA256 over the serial (26 base32
characters, 130 bits), so an invented or altered token matches no certificate; the check code
is 8 digits of another HMAC over the serial, short enough to type with the serial on a phone
keypad, and guessing it is limited on the verification page. The key is
`CUNBAN_CERTIFICATE_KEY` (required with DEBUG off; SECRET_KEY on a developer's machine); keys in
`CUNBAN_CERTIFICATE_KEY_FALLBACKS` still verify papers printed before a key change.
"""

import base64
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_TOKEN_LENGTH = 26
_TOKEN = re.compile(rf"[a-z2-7]{{{_TOKEN_LENGTH}}}")


def _keys() -> list[bytes]:
    current = getattr(settings, "CUNBAN_CERTIFICATE_KEY", "")
    if not current:
        # Only a developer's machine (DEBUG) and the suite fall back on SECRET_KEY; a deployment
        # must set its own key (portal/settings/keys.py), or anyone knowing SECRET_KEY (or its
        # published default) could compute the check code of every serial.
        if not getattr(settings, "CUNBAN_KEYS_FROM_SECRET_KEY", False):
            raise ImproperlyConfigured("CUNBAN_CERTIFICATE_KEY must be set (docs/settings.md).")
        current = settings.SECRET_KEY
    fallbacks = getattr(settings, "CUNBAN_CERTIFICATE_KEY_FALLBACKS", [])
    return [key.encode() for key in [current, *fallbacks] if key]


def signing_keys() -> list[bytes]:
    """The current key first, then the fallbacks (for `certificates.links`)."""
    return _keys()


def _digest(key: bytes, purpose: str, serial: str) -> bytes:
    return hmac.new(key, f"cunban.certificate.{purpose}:{serial}".encode(), hashlib.sha256).digest()


def _token_with(key: bytes, serial: str) -> str:
    return base64.b32encode(_digest(key, "token", serial)).decode().lower()[:_TOKEN_LENGTH]


def _code_with(key: bytes, serial: str) -> str:
    return f"{int.from_bytes(_digest(key, 'check', serial)[:8], 'big') % 10**8:08d}"


def certificate_token(serial: str) -> str:
    """The token the QR code carries, with the current key."""
    return _token_with(_keys()[0], serial)


def check_code(serial: str) -> str:
    """The 8-digit check code printed under the QR code, e.g. 40712385 (shown as 4071 2385)."""
    return _code_with(_keys()[0], serial)


def token_matches(serial: str, token: str) -> bool:
    return any(hmac.compare_digest(_token_with(key, serial), token) for key in _keys())


def code_matches(serial: str, code: str) -> bool:
    return any(hmac.compare_digest(_code_with(key, serial), code) for key in _keys())


def normalise_token(raw: str) -> str:
    """The token as it appears in a URL; anything else is returned empty (it cannot match)."""
    token = (raw or "").strip().lower()
    return token if _TOKEN.fullmatch(token) else ""


def normalise_code(raw: str) -> str:
    """Full-width digits to ASCII, spaces and dashes out."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw or ""))


_OPENING = "([{【〔［（"
_CLOSING = ")]}】〕］）"


def normalise_serial(raw: str) -> str:
    """A serial as a villager types it (郝各庄镇[2026]17, (2026)第017号 …) in its printed form,
    郝各庄镇〔2026〕17号: brackets of any kind, spaces, 第 and leading zeros do not matter."""
    text = "".join(unicodedata.normalize("NFKC", raw or "").split())
    text = text.translate(str.maketrans(_OPENING + _CLOSING, "〔" * len(_OPENING) + "〕" * len(_CLOSING)))
    match = re.fullmatch(r"(.*?)〔(\d{4})〕第?0*(\d+)号?", text)
    if match is None:
        return text[:60]
    prefix, year, number = match.groups()
    return f"{prefix}〔{year}〕{number}号"[:60]


def format_serial(short_name: str, year: int, number: int) -> str:
    return f"{short_name}〔{year}〕{number}号"
