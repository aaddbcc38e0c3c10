"""API keys: how they look, how they are stored and how a presented key is recognised.

A key is `cbk_<prefix>_<secret>`: the prefix (10 hex digits) is stored plainly and finds the
row with one indexed lookup; the whole key is stored only as its SHA-256 digest and compared in
constant time. A fast hash is right here, a slow one (Django's password hashers) is not: the
secret is 256 random bits, not a password a person chose, so there is no dictionary to slow
down, while a slow hash would cost ~100 ms of CPU on every call of a partner's sync.
"""

import hashlib
import hmac
import secrets

from django.utils.crypto import salted_hmac

PREFIX = "cbk"
PREFIX_HEX = 10


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_new() -> tuple[str, str]:
    """A fresh (key, prefix)."""
    prefix = secrets.token_hex(PREFIX_HEX // 2)
    return f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_derived(label: str) -> tuple[str, str]:
    """A (key, prefix) derived from SECRET_KEY and `label`: the demo's printed key, the same on
    every load of the demo (never used outside demo mode)."""
    material = salted_hmac("cunban.api.demo_key", label, algorithm="sha256").hexdigest()
    prefix = material[:PREFIX_HEX]
    return f"{PREFIX}_{prefix}_{material[PREFIX_HEX:]}", prefix


def key_prefix(presented: str) -> str | None:
    """The prefix of a presented key, or None when it is not shaped like one of ours."""
    parts = (presented or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != PREFIX_HEX or not parts[2]:
        return None
    if any(char not in "0123456789abcdef" for char in parts[1]):
        return None
    return parts[1]


def key_matches(presented: str, digest: str) -> bool:
    return hmac.compare_digest(key_digest(presented.strip()).encode(), digest.encode())
