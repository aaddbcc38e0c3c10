"""What the API reads: a presented key's client, the applications and ratings a client reaches,
the catalogue's items and its change log. Every answer is narrowed by `api.policies`."""

import datetime
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from approvals.models import Application
from approvals.policies import submitted_visibility_condition
from approvals.tracking import normalise_number
from ratings.models import Rating
from ratings.selectors import ratings_seen_from
from services_catalog.selectors import service_items_live

from . import keys
from .models import ApiClient, ApiKey, CatalogueChange
from .policies import offices_client_reaches

Row = TypeVar("Row", bound=Model)


def _changed_page(
    rows: QuerySet[Row],
    tie: str,
    *,
    since: datetime.datetime | None,
    after: tuple[datetime.datetime, int] | None,
    limit: int,
) -> list[Row]:
    """One page of a sync listing: `rows` changed at or after `since`, in (changed_at, `tie`)
    order, from after the cursor's position `after` (the last row given: its time and `tie`).
    The tie-break makes the order total, so rows changed in the same instant are neither given
    twice nor skipped where a page ends between them. One query, and the prefetches of `rows`."""
    rows = rows.order_by("changed_at", tie)
    if since is not None:
        rows = rows.filter(changed_at__gte=since)
    if after is not None:
        at, last = after
        rows = rows.filter(Q(changed_at__gt=at) | Q(changed_at=at, **{f"{tie}__gt": last}))
    return list(rows[:limit])


def key_lookup(presented: str, *, at: datetime.datetime | None = None) -> ApiKey | None:
    """The valid key `presented` is, with its client and the client's office, or None (wrong,
    revoked, expired, or its client inactive). One query."""
    prefix = keys.key_prefix(presented)
    if prefix is None:
        return None
    key = ApiKey.objects.select_related("client__office__region").filter(prefix=prefix).first()
    if key is None or not keys.key_matches(presented, key.digest):
        return None
    if not key.is_valid_at(at or timezone.now()) or not key.client.is_active:
        return None
    return key


def applications_client_sees(client: ApiClient) -> QuerySet[Application]:
    """Submitted applications filed at, routed to, sitting at or handled by an office within
    the client's office's region (never drafts)."""
    offices = list(offices_client_reaches(client).values_list("pk", flat=True))
    return Application.objects.filter(submitted_visibility_condition(offices))


def application_for_client(client: ApiClient, number: str) -> Application | None:
    """The application with `number` if the client reaches it; None alike for unknown ones."""
    return (
        applications_client_sees(client)
        .select_related("current_office", "handling_office", "item")
        .filter(number=normalise_number(number))
        .first()
    )


def ratings_client_sees(client: ApiClient) -> QuerySet[Rating]:
    """The ratings of the applications the client sees (`applications_client_sees`' offices):
    `ratings.selectors.ratings_seen_from`, joined for the API's answer."""
    offices = list(offices_client_reaches(client).values_list("pk", flat=True))
    return ratings_seen_from(offices)


def ratings_changed(
    client: ApiClient,
    *,
    since: datetime.datetime | None,
    after: tuple[datetime.datetime, int] | None,
    limit: int,
) -> list[Rating]:
    """The client's ratings changed at or after `since`, ordered by (changed_at, id), from after
    the cursor's position: one page of the ratings list. The order is the sync's: a platform that
    keeps the last `changed_at` it read asks again from there (`ratings.receivers` moves
    `changed_at` on every event of a rating). Three queries: the offices, the ratings, their
    rectifications."""
    return _changed_page(ratings_client_sees(client), "pk", since=since, after=after, limit=limit)


def rating_for_client(client: ApiClient, pk: int) -> Rating | None:
    """The rating `pk` if the client reaches it; None alike for unknown ones."""
    return ratings_client_sees(client).filter(pk=pk).first()


def catalogue_items(after_pk: int | None, limit: int):
    """Published items by id, from after `after_pk`: one page of the catalogue's list."""
    items = service_items_live().order_by("pk")
    if after_pk is not None:
        items = items.filter(pk__gt=after_pk)
    return list(items[:limit])


def catalogue_changes(
    since: datetime.datetime | None, after: tuple[datetime.datetime, int] | None, limit: int
) -> list[CatalogueChange]:
    """Changes at or after `since`, ordered by (time, item), from after the cursor's position."""
    return _changed_page(CatalogueChange.objects.all(), "item_id", since=since, after=after, limit=limit)
