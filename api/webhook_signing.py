"""Standard Webhooks signatures (standardwebhooks.com): what a receiver checks to know a
delivery is ours and fresh.

A delivery carries `webhook-id` (the message id, the same on every retry, so a receiver drops
repeats), `webhook-timestamp` (seconds since the epoch, when this attempt was signed) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several space-separated when
a secret is being rotated. The secret is `whsec_` + base64 of 32 random bytes, shown once.

Pure functions, no Django and no clock: the time is the caller's (`at`, `now`), so tests and the
task queue decide it. Checked against the `standardwebhooks` library (tests/api).
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import math
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32
TOLERANCE = datetime.timedelta(minutes=5)
"""How far a receiver lets a timestamp be from its clock: older is a replay, newer is forged."""


class SignatureError(ValueError):
    """The headers are missing, malformed, stale or do not match."""


def new_secret() -> str:
    """A fresh secret, `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureError("the secret is not base64") from error
    if not key:
        raise SignatureError("the secret is empty")
    return key


def _timestamp(at: datetime.datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("the time must be timezone-aware")
    return math.floor(at.timestamp())


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "msg_id.timestamp.body">`."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def sign(*, secrets_: list[str] | str, msg_id: str, at: datetime.datetime, body: bytes) -> dict[str, str]:
    """The three headers of a delivery signed at `at` with each secret (several while one is
    being rotated: the receiver accepts any one that matches)."""
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    if not keys:
        raise ValueError("no secret to sign with")
    timestamp = _timestamp(at)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(key, msg_id, timestamp, body) for key in keys),
    }


def verify(*, secret: str, headers: dict[str, str], body: bytes, now: datetime.datetime) -> None:
    """Raise SignatureError unless the headers sign `body` with `secret` within TOLERANCE of
    `now`. For our own tests and for a receiver written in Python."""
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    given = lowered.get("webhook-signature")
    if not (msg_id and stamp and given):
        raise SignatureError("missing headers")
    try:
        timestamp = int(stamp)
    except ValueError as error:
        raise SignatureError("the timestamp is not a number") from error
    if abs(timestamp - _timestamp(now)) > TOLERANCE.total_seconds():
        raise SignatureError("the timestamp is too old or too new")
    expected = signature(secret, msg_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in given.split(" ")):
        raise SignatureError("no signature matches")
