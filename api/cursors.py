"""Opaque cursors for pagination: the (sort key, pk) of the last row given, signed so that a
client can neither forge one nor read more than its own query gives (a cursor only says where
to continue; the jurisdiction is applied again on every page)."""

from typing import Any

from django.core import signing

from .errors import BAD_CURSOR, ApiError

SALT = "cunban.api.cursor"


def cursor_make(listing: str, key: Any, pk: int) -> str:
    return signing.dumps([key, pk], salt=f"{SALT}.{listing}", compress=True)


def cursor_read(listing: str, cursor: str | None) -> tuple[Any, int] | None:
    """(key, pk) of a cursor this listing gave out, None for no cursor; ApiError 400 otherwise."""
    if not cursor:
        return None
    try:
        key, pk = signing.loads(cursor, salt=f"{SALT}.{listing}")
        return key, int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise ApiError(400, "bad_cursor", BAD_CURSOR) from None
