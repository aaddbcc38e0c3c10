"""Writing tries to the attempts store, and checking them against a limit safely under
concurrency.

Why a lock: "count, then try, then record" lets simultaneous requests all pass the count before
any of them records (twenty guesses sent at once would all be let through a limit of five). On
PostgreSQL `attempt_guard` takes transaction-scoped advisory locks on the key's bucket and on
the client's bucket, in a fixed order (no deadlock between two requests), so tries on one number
or from one client are counted one after the other; other numbers and clients do not wait.
SQLite allows one writer at a time anyway. A caller records the try inside the guard and raises
its refusal only after the guard's transaction has committed, so a refused try stays counted.

Old rows go (`attempts_prune`, `manage.py prune_throttle_attempts`) once no limit can count them:
past the longest window of `limits.LIMITS`, except the rows a limit without a window counts,
which hold its lock until a staff unlock (or for good) whatever their age.
"""

import contextlib
import datetime
import functools
import hashlib
import operator
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from portal.batches import rows_delete_in_batches
from portal.errors import DomainError

from .client_address import client_address
from .limits import LIMITS, Limit, Per
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


# -- retention -------------------------------------------------------------------------------------

PRUNE_BATCH = 5000


def _counted_here(limits: Iterable[Limit]) -> list[Limit]:
    return [limit for limit in limits if limit.counted_by == "store"]


def attempts_retention(limits: Iterable[Limit] = LIMITS) -> datetime.timedelta:
    """How long a row may still count: the longest window of the limits counted by rows."""
    windows = [limit.window for limit in _counted_here(limits) if limit.window is not None]
    if not windows:
        raise ValueError("no limit counted by the attempts store has a window")
    return max(windows)


def attempts_held_by_locks(limits: Iterable[Limit] = LIMITS) -> Q | None:
    """The rows a limit without a window counts (`window=None`: every failure since the key's
    last staff unlock, or for good): each may be what holds a lock, or what brings it, so they
    stay whatever their age. None when no limit is unbounded."""
    held = []
    for limit in _counted_here(limits):
        if limit.window is not None:
            continue
        rows = Q(scope=limit.scope, outcome__in=limit.counts)
        if limit.per in (Per.KEY, Per.KEY_AND_CLIENT):
            rows &= ~Q(key="")  # a per-key limit counts no row without a key
        held.append(rows)
    return functools.reduce(operator.or_, held) if held else None


def attempts_prune(
    *,
    limits: Iterable[Limit] = LIMITS,
    dry_run: bool = False,
    batch_size: int = PRUNE_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete the rows no limit can count any more; returns how many (would) go.

    The cut-off comes from the limits table, not a number of our own: a row older than the
    longest window (`attempts_retention`) is outside every windowed limit's count for good, since
    windows only move forward. Rows an unbounded limit counts stay (`attempts_held_by_locks`).
    Housekeeping with no permission to check: it runs as the system. Deletes in batches of
    `batch_size`, each in its own short transaction (the API's calls add a row each, so the table
    can be large); `progress` is called with the running count after each batch."""
    limits = tuple(limits)
    old = Attempt.objects.filter(at__lt=timezone.now() - attempts_retention(limits))
    held = attempts_held_by_locks(limits)
    if held is not None:
        old = old.exclude(held)
    if dry_run:
        return old.count()
    return rows_delete_in_batches(old, batch_size=batch_size, progress=progress)
