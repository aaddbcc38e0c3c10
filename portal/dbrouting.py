"""Reads of the public read-only pages go to a streaming replica; everything else to default.

A city or province deployment runs PostgreSQL with a hot standby (docs/deploy.md). Villagers
read the service guide, its search, the promise lists and the certificate check far more than
anyone writes, and those pages tolerate a replica that lags by a second. Nothing else does: a
staff member who just saved a step must see it on the next page, and a check-then-write inside
a transaction must read what it locks. So the router is conservative:

- reads go to the replica only while `replica_reads()` is active, which `ReplicaReadMiddleware`
  turns on for GET/HEAD requests under `REPLICA_READ_PATH_PREFIXES` and `read_from_replica`
  turns on for one view;
- inside a transaction on default (`atomic`, `select_for_update`, the task worker's claim) reads
  stay on default, as do sessions (a fresh login must not look logged out on a lagging standby);
- every write goes to default, and migrations run only on default.

Without `DATABASE_REPLICA_URL` there is no replica alias (`CUNBAN_READ_REPLICA` is empty) and
every query goes to default, exactly as if the router were absent.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_replica_reads: ContextVar[bool] = ContextVar("cunban_replica_reads", default=False)

# Models whose reads must never lag what this very visitor just wrote.
NEVER_FROM_REPLICA = frozenset({"sessions", "django_tasks_db", "axes"})


def replica_alias() -> str:
    """The replica's alias when one is configured (settings.CUNBAN_READ_REPLICA), else ""."""
    alias = getattr(settings, "CUNBAN_READ_REPLICA", "")
    return alias if alias and alias in settings.DATABASES else ""


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let reads in this block (this thread or task only) go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_from_replica(view: Callable) -> Callable:
    """A view decorator for a public page that only reads (safe methods only)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaReadMiddleware:
    """Turns replica reads on for GET/HEAD under settings.REPLICA_READ_PATH_PREFIXES.

    The user is looked up first, on default, so that the session and the account are never
    read from a standby that has not caught up with a login."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "REPLICA_READ_PATH_PREFIXES", ()))

    def __call__(self, request):
        if not (
            replica_alias()
            and request.method in ("GET", "HEAD")
            and self.prefixes
            and request.path.startswith(self.prefixes)
        ):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 — resolve the lazy user on default now
        with replica_reads():
            return self.get_response(request)


class ReplicaRouter:
    """Routes reads to the replica only inside `replica_reads()` and outside any transaction."""

    def db_for_read(self, model, **hints) -> str | None:
        alias = replica_alias()
        if not alias or not _replica_reads.get():
            return None
        if model._meta.app_label in NEVER_FROM_REPLICA:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows: objects read from either may be related.
        aliases = {DEFAULT_DB_ALIAS, replica_alias()} - {""}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        if db == DEFAULT_DB_ALIAS:
            return None
        return False
