"""Counting tries against the limits of `limits.py`: one indexed count per limit checked."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .limits import Limit, Per
from .models import Attempt


@dataclass(frozen=True)
class Reached:
    """A limit that a bucket has reached, and how many tries it counted."""

    limit: Limit
    count: int

    @property
    def message(self) -> str:
        return self.limit.refusal(self.count)


def attempts_counted(
    limit: Limit, *, key: str = "", client: str | None = None, since: datetime.datetime | None = None
) -> QuerySet[Attempt] | None:
    """The tries `limit` counts for this key and client, or None when it does not apply: no key
    for a per-key limit (a check by QR code), or no client address for a per-client limit that
    does not share one bucket among unknown clients.

    `since` (the last staff unlock of the key) bounds only the per-key buckets: an unlock forgives
    the number's failures, not a client's guessing at other numbers."""
    if limit.counted_by != "store":
        raise ValueError(f"{limit.name} is counted by {limit.counted_by}, not by the attempts store")
    rows = Attempt.objects.filter(scope=limit.scope, outcome__in=limit.counts)
    if limit.per in (Per.KEY, Per.KEY_AND_CLIENT):
        if not key:
            return None
        rows = rows.filter(key=key[:64])
        if since is not None:
            rows = rows.filter(at__gt=since)
    if limit.per in (Per.CLIENT, Per.KEY_AND_CLIENT):
        if client:
            rows = rows.filter(client=client)
        elif limit.unknown_client_shared or limit.per is Per.KEY_AND_CLIENT:
            rows = rows.filter(client__isnull=True)
        else:
            return None
    if limit.window is not None:
        rows = rows.filter(at__gte=timezone.now() - limit.window)
    return rows


def attempt_count(
    limit: Limit, *, key: str = "", client: str | None = None, since: datetime.datetime | None = None
) -> int:
    """How many tries `limit` counts now for this key and client (0 where it does not apply)."""
    rows = attempts_counted(limit, key=key, client=client, since=since)
    return 0 if rows is None else rows.count()


def limit_reached(
    limits: Iterable[Limit],
    *,
    key: str = "",
    client: str | None = None,
    since: datetime.datetime | None = None,
) -> Reached | None:
    """The first of `limits` that this key and client have reached, or None. Counted the same
    whether or not anything has the key, so the answer tells nobody which keys exist."""
    for limit in limits:
        count = attempt_count(limit, key=key, client=client, since=since)
        if count >= limit.maximum:
            return Reached(limit=limit, count=count)
    return None


def seconds_until_below(limit: Limit, *, key: str = "", client: str | None = None) -> int:
    """How long until this bucket of `limit` counts fewer tries than its maximum (the
    Retry-After of a refusal): when enough of the oldest tries leave the window. At least 1."""
    rows = attempts_counted(limit, key=key, client=client)
    if rows is None or limit.window is None:
        return 1
    over = rows.count() - limit.maximum
    if over < 0:
        return 1
    oldest = rows.order_by("at").values_list("at", flat=True)[over : over + 1].first()
    if oldest is None:
        return 1
    return max(1, int((oldest + limit.window - timezone.now()).total_seconds()) + 1)
