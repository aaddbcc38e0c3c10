"""Reading the outbox."""

from django.db.models import QuerySet

from .models import OutboxMessage


def outbox_messages_list() -> QuerySet[OutboxMessage]:
    """Every message, newest first, with its staff account joined (lists show it)."""
    return OutboxMessage.objects.select_related("to_user").order_by("-created_at", "-pk")


def outbox_messages_for_reference(*, reference: str) -> QuerySet[OutboxMessage]:
    """The messages about one thing (an application number), oldest first: its SMS history."""
    return (
        OutboxMessage.objects.filter(reference=reference)
        .select_related("to_user")
        .order_by("created_at", "pk")
    )
