"""What one request may remember about its user's jurisdiction, and nothing longer.

A staff page asks "may this person act on this office's work?" many times: the inbox for its
list and count, an application's page for every button, panel and link. Each answer is a few
guardian rows, the same rows every time within one request. Reading them once per request (one
query) instead of once per question saves a query and, more, the compiling and planning of the
permission subqueries (bench/province.py measured most of a page's own time there).

Why only within a request: the rows change when a membership does (`jurisdiction_sync`), maybe
in another process. A request is short and reads its own writes (`jurisdiction_sync` and any
change of a permission row or a group membership forget what was remembered), whereas a
worker, a management command or a test calling the services directly asks the database each
time, as before. Nothing is shared between requests, users or threads (a context variable)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from guardian.models import GroupObjectPermission, UserObjectPermission

_memo: ContextVar[dict | None] = ContextVar("cunban_jurisdiction_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within this block, a user's office permissions are read at most once (per change)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memo() -> dict | None:
    """The current request's memo, or None outside a request (nothing is remembered)."""
    return _memo.get()


def forget(*args, **kwargs) -> None:
    """Drop everything remembered in this request: a permission row or a group changed.
    (A signal receiver too, hence the loose signature.)"""
    current = _memo.get()
    if current is not None:
        current.clear()


def connect_forgetting() -> None:
    """Forget on every write of an office permission or a group membership, whoever makes it
    (`jurisdiction_sync` forgets by itself too: its bulk insert sends no signal)."""
    for model in (UserObjectPermission, GroupObjectPermission):
        post_save.connect(forget, sender=model, dispatch_uid=f"cunban_memo_save_{model.__name__}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"cunban_memo_delete_{model.__name__}")
    m2m_changed.connect(forget, sender=get_user_model().groups.through, dispatch_uid="cunban_memo_groups")


class JurisdictionMemoMiddleware:
    """Each request remembers its user's office permissions for its own duration only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with remembering():
            return self.get_response(request)
