"""Encryption at rest and keyed lookup hashes, built on `cryptography` (Fernet, HMAC).

Fernet (AES-128-CBC with HMAC-SHA256) gives authenticated encryption; MultiFernet lets a
deployment add a new key first and keep old ones for decryption while rows are re-encrypted.
A Fernet token is randomised, so equal numbers encrypt differently: equality and uniqueness go
through `keyed_digest`, an HMAC-SHA256 under a separate key, which an attacker who steals the
database alone cannot reverse by hashing all 18-digit numbers.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _derive(purpose: bytes) -> bytes:
    """A 32-byte key derived from SECRET_KEY, for developer machines and tests only."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cunban", info=purpose).derive(
        settings.SECRET_KEY.encode()
    )


@lru_cache(maxsize=4)
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(b"field-encryption")))])


def _cipher() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEYS, settings.SECRET_KEY)


def encrypt_text(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 of `value` under ID_HASH_KEY (hex), stable for the life of the database."""
    key = settings.ID_HASH_KEY.encode() if settings.ID_HASH_KEY else _derive(b"id-lookup-hash")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token and read back as plain text.

    It cannot be filtered or ordered on: look rows up by their keyed digest instead.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)
