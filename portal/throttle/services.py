"""Writing tries to the attempts store, and checking them against a limit safely under
concurrency.

Why a lock: "count, then try, then record" lets simultaneous requests all pass the count before
any of them records (twenty guesses sent at once would all be let through a limit of five). On
PostgreSQL `attempt_guard` takes transaction-scoped advisory locks on the key's bucket and on
the client's bucket, in a fixed order (no deadlock between two requests), so tries on one number
or from one client are counted one after the other; other numbers and clients do not wait.
SQLite allows one writer at a time anyway. A caller records the try inside the guard and raises
its refusal only after the guard's transaction has committed, so a refused try stays counted.
"""

import contextlib
import datetime
import hashlib
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.utils import timezone

from portal.errors import DomainError

from .client_address import client_address
from .limits import Limit
from .models import Attempt
from .selectors import Reached, limit_reached


class LimitReached(DomainError):
    """A limit of `limits.py` refuses the try; `str()` is its message, `.reached` says which."""

    def __init__(self, reached: Reached):
        super().__init__(reached.message)
        self.reached = reached


def _lock_id(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def attempts_lock(*, scope: str, key: str = "", client: str | None = None) -> None:
    """Inside a transaction: wait for, then hold until commit, the locks on this key's and this
    client's buckets of `scope` (PostgreSQL; nothing to do on SQLite, whose writes are serial).
    Taken together in one fixed order; a caller that locks again in the same transaction locks
    its client first, then keys in sorted order, so two requests never wait on each other."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("attempts_lock needs a transaction: use attempt_guard")
    ids = set()
    if key:
        ids.add(_lock_id(scope, "key", key[:64]))
    if client or not key:  # unknown clients share one bucket only where nothing else is keyed
        ids.add(_lock_id(scope, "client", client or ""))
    with connection.cursor() as cursor:
        for lock_id in sorted(ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


@contextlib.contextmanager
def attempt_guard(*, scope: str, key: str = "", client: str | None = None) -> Iterator[None]:
    """A transaction in which tries of `scope` on this key and from this client are counted and
    recorded one at a time. Raise refusals after leaving it, or the try is rolled back too."""
    with transaction.atomic():
        attempts_lock(scope=scope, key=key, client=client)
        yield


def attempt_record(
    *,
    scope: str,
    key: str = "",
    client: str | None = None,
    outcome: str,
    at: datetime.datetime | None = None,
) -> Attempt:
    """Count one try. `key` is stored as typed (normalised), also when nothing has it."""
    return Attempt.objects.create(
        scope=scope, key=(key or "")[:64], client=client or None, outcome=outcome, at=at or timezone.now()
    )


def check(
    limits: Limit | Iterable[Limit],
    *,
    key: str = "",
    client: str | None = None,
    request=None,
    since: datetime.datetime | None = None,
) -> None:
    """Raise LimitReached for the first of `limits` reached by this key and client (the client
    read from `request` behind the proxies when not given). Use it inside `attempt_guard`
    when the try is recorded after it, so that concurrent tries are counted in turn."""
    if client is None and request is not None:
        client = client_address(request)
    reached = limit_reached(
        [limits] if isinstance(limits, Limit) else limits, key=key, client=client, since=since
    )
    if reached is not None:
        raise LimitReached(reached)


def attempt_allowed(
    limits: Limit | Iterable[Limit],
    *,
    key: str = "",
    client: str | None = None,
    since: datetime.datetime | None = None,
) -> bool:
    """Would a try on this key from this client pass every one of `limits` now?"""
    return (
        limit_reached([limits] if isinstance(limits, Limit) else limits, key=key, client=client, since=since)
        is None
    )
