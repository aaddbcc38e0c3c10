"""Write audit entries. The middleware puts the request's user, address and path into a
context variable, so service-layer callers need not pass the request along."""

import contextvars
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

MIN_RETENTION_DAYS = 184


@dataclass
class AuditContext:
    user: Any = None
    ip_address: str | None = None
    path: str = ""
    refusals: list[dict] = field(default_factory=list)


current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("cunban_audit", default=None)


def audit_record(
    *,
    event: str,
    outcome: str = AuditEntry.Outcome.OK,
    user: Any = None,
    username: str | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """One row; user, address and path come from the request context when not given.
    Never pass passwords or full ID numbers in `detail`."""
    context = current.get()
    if user is None and context is not None:
        user = context.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEntry.objects.create(
        user=user,
        username=(username if username is not None else (user.get_username() if user else ""))[:150],
        event=event,
        outcome=outcome,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        path=(context.path if context else "")[:500],
        ip_address=context.ip_address if context else None,
        detail=detail or {},
    )


def audit_refusal_note(message: str) -> None:
    """A service refused (NotPermitted). The refusal's transaction usually rolls back, so the
    row is written by the middleware after the response; outside a request, at once."""
    context = current.get()
    if context is None:
        audit_record(
            event=AuditEntry.Event.ACCESS_REFUSED,
            outcome=AuditEntry.Outcome.REFUSED,
            detail={"reason": str(message)[:500]},
        )
    else:
        context.refusals.append({"reason": str(message)[:500]})


def audit_prune(*, days: int, now: datetime.datetime | None = None, dry_run: bool = False) -> int:
    """Delete rows older than `days` (at least 184); returns how many (would) go."""
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"Audit entries are kept at least {MIN_RETENTION_DAYS} days.")
    limit = (now or timezone.now()) - datetime.timedelta(days=days)
    old = AuditEntry.objects.filter(at__lt=limit)
    if dry_run:
        return old.count()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cunban.audit_prune = 'on'")
        return old._prune()


def audit_change(*, obj: Any, act: str, before: dict, after: dict, model: str = "") -> AuditEntry | None:
    """One row for a change to an account, role, region, office, delegation or calendar: the
    fields that changed, before and after, already masked by the caller (`portal.audit.changes`).

    Written only for changes made in a request (the back office, staff pages); who and from
    which address come from the request context like every other row. Commands run by the
    operator (the demo loader, imports) leave no rows: there is no one to name but the operator.
    """
    if current.get() is None:
        return None
    return audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        obj=obj,
        object_type=model,
        detail={"act": act, "before": before, "after": after},
    )


def audit_permissions_changed(*, user: Any, added: int, removed: int) -> AuditEntry | None:
    """The object permissions a user's roles grant changed (a role granted or ended, an account
    disabled, an office moved): how many were added and removed, in the same transaction."""
    if current.get() is None:
        return None
    return audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        obj=user,
        detail={"act": "permissions", "added": added, "removed": removed},
    )
