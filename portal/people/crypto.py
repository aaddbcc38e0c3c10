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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Cast

from portal.audit.services import audit_record


def _derive(purpose: bytes) -> bytes:
    """A 32-byte key derived from SECRET_KEY, for developer machines and tests only: a
    deployment sets its own keys (portal/settings/keys.py), and derivation is refused there, so
    that knowing SECRET_KEY (or its published default) never opens an ID number."""
    if not getattr(settings, "CUNBAN_KEYS_FROM_SECRET_KEY", False):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS and ID_HASH_KEY must be set: keys derived from SECRET_KEY "
            "serve developer machines (DEBUG) and the test suite only."
        )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cunban", info=purpose).derive(
        settings.SECRET_KEY.encode()
    )


def _fernet_keys(keys: str) -> list[Fernet]:
    """The configured keys, newest first; the derived development key when none is set."""
    if keys.strip():
        return [Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()]
    return [Fernet(base64.urlsafe_b64encode(_derive(b"field-encryption")))]


@lru_cache(maxsize=4)
def _fernet(keys: str, secret_key: str, derived: bool) -> MultiFernet:
    return MultiFernet(_fernet_keys(keys))


@lru_cache(maxsize=4)
def _newest(keys: str, secret_key: str, derived: bool) -> Fernet:
    return _fernet_keys(keys)[0]


def _cipher_args() -> tuple[str, str, bool]:
    return (
        settings.FIELD_ENCRYPTION_KEYS,
        settings.SECRET_KEY,
        bool(getattr(settings, "CUNBAN_KEYS_FROM_SECRET_KEY", False)),
    )


def _cipher() -> MultiFernet:
    return _fernet(*_cipher_args())


def is_under_newest_key(token: str) -> bool:
    """Whether `token` was encrypted with the newest key (the first of FIELD_ENCRYPTION_KEYS)."""
    try:
        _newest(*_cipher_args()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt_token(token: str) -> str:
    """`token` encrypted again under the newest key (MultiFernet.rotate: any listed key opens it)."""
    return _cipher().rotate(token.encode()).decode()


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


@dataclass
class RotationCount:
    """One encrypted column's rows after `field_keys_rotate`."""

    label: str
    rows: int = 0
    reencrypted: int = 0
    already_newest: int = 0


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every concrete model column stored with EncryptedTextField, in app order."""
    return [
        (model, field)
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def field_keys_rotate(
    *, batch_size: int = 500, progress: Callable[[str, int, int], None] | None = None
) -> list[RotationCount]:
    """Re-encrypt every stored encrypted value under the newest of FIELD_ENCRYPTION_KEYS.

    Why: MultiFernet decrypts with any listed key, so after a new key is put first the old one
    can only be removed once no row needs it any more. Rows are read as raw tokens in primary-key
    batches (one transaction each, so a long run holds no lock for long); a token already under
    the newest key is left alone, so running it again changes nothing and an interrupted run
    simply continues. `progress(label, done, total)` is called after each batch. It is run by an
    operator on the server (`manage.py rotate_field_keys`); it changes no decrypted value, so it
    writes one audit entry for the run, not one per row.
    """
    counts = []
    for model, field in encrypted_fields():
        label = f"{model._meta.label}.{field.name}"
        count = RotationCount(label=label)
        raw = Cast(F(field.attname), output_field=models.TextField())
        rows = model._base_manager.exclude(**{f"{field.attname}__isnull": True}).exclude(
            **{field.attname: ""}
        )
        total = rows.count()
        last_pk = None
        while True:
            batch_rows = rows.order_by("pk")
            if last_pk is not None:
                batch_rows = batch_rows.filter(pk__gt=last_pk)
            batch = list(batch_rows.annotate(raw_token=raw).values_list("pk", "raw_token")[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for pk, token in batch:
                    count.rows += 1
                    if is_under_newest_key(token):
                        count.already_newest += 1
                        continue
                    fresh = Value(reencrypt_token(token), output_field=models.TextField())
                    model._base_manager.filter(pk=pk).update(**{field.attname: fresh})
                    count.reencrypted += 1
            last_pk = batch[-1][0]
            if progress is not None:
                progress(label, count.rows, total)
        counts.append(count)
    audit_record(
        event="state_change",
        detail={
            "what": "field_keys_rotate",
            **{c.label: {"rows": c.rows, "reencrypted": c.reencrypted} for c in counts},
        },
    )
    return counts
