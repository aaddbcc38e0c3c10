"""Audit sources that come to us as signals: sign-in, sign-out, workflow state changes, and
changes to accounts, roles, regions, offices, delegations and calendars (`changes`)."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.history import AppendOnlyEvent

from .changes import connect_change_receivers
from .models import AuditEntry
from .services import audit_record

__all__ = ["connect_change_receivers", "connect_history_receivers"]


@receiver(user_logged_in, dispatch_uid="audit_login_ok")
def on_login(sender, request, user, **kwargs):
    audit_record(event=AuditEntry.Event.LOGIN_OK, user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    audit_record(event=AuditEntry.Event.LOGOUT, user=user, username=user.get_username() if user else "")


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    """Only the name typed, truncated; never the password (Django masks it anyway)."""
    typed = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    audit_record(event=AuditEntry.Event.LOGIN_FAILED, outcome=AuditEntry.Outcome.FAILED, username=typed[:64])


def on_history_event(sender, instance, created, raw=False, **kwargs):
    """One compact row per workflow event (ApplicationEvent, LedgerEvent, RatingEvent, ApiClientEvent)."""
    if not created or raw:
        return
    subject = next(
        (
            f
            for f in sender._meta.concrete_fields
            if f.is_relation and f.name not in ("actor", "actor_office")
        ),
        None,
    )
    audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        user=instance.actor,
        object_type=subject.related_model._meta.label_lower if subject else sender._meta.label_lower,
        object_id=str(getattr(instance, subject.attname)) if subject else str(instance.pk),
        detail={
            "act": instance.act,
            # Histories without states (API clients') have neither.
            "from": getattr(instance, "from_state", ""),
            "to": getattr(instance, "to_state", ""),
            "event": instance.pk,
        },
    )


def connect_history_receivers() -> None:
    for model in apps.get_models():
        if issubclass(model, AppendOnlyEvent):
            post_save.connect(on_history_event, sender=model, dispatch_uid=f"audit_{model._meta.label_lower}")
