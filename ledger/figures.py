"""Ledger figures for the satisfaction tables: items closed (销号), and closed by the promise.

An item is closed on time when the villager's confirmation came on or before the promised
date; one closed without a promised date (never promised) does not count as on time."""

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from .models import LedgerItem
from .states import State

GROUPS = {"office": "office_id", "registered_by": "registered_by_id", "township": "village__parent_id"}


def closed_on_time_counts(key: str, ids: list[int]) -> dict[int, dict[str, int]]:
    """{id: {"closed": n, "on_time": m}} per office, per registering assistant or per township
    (`key`: "office", "registered_by" or "township"), for the given ids: one grouped query."""
    field = GROUPS[key]
    if not ids:
        return {}
    rows = (
        LedgerItem.objects.filter(state=State.CLOSED, **{f"{field}__in": ids})
        .values(group=F(field))
        .annotate(
            closed=Count("pk"),
            on_time=Count("pk", filter=Q(promised_on__isnull=False, promised_on__gte=TruncDate("closed_at"))),
        )
        .order_by()
    )
    return {row["group"]: {"closed": row["closed"], "on_time": row["on_time"]} for row in rows}
