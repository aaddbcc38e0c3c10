"""Ratings (好差评) for a provincial platform (scope ratings:read): the ratings of the
applications the client sees, a page at a time in the order they changed (`since` for an
incremental sync), and one rating by its id. Unknown ids and ratings outside the client's
jurisdiction get the same 404.

A rating says how the service of an office was rated, not who rated it nor what they said: the
application's number, the item, the office, the level, the channel, the dates, and what followed
(each rectification's state and dates, the appeal's state). Never the villager's name, ID number
or mobile, the comment or the reasons they gave, the rectification's answer or the appeal's
reason (the office's and the county's words about the villager), nor a staff member's name."""

import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Path, Query, Router

from ratings.models import Level, Rating
from ratings.selectors import appeal_of

from .. import schemas
from ..auth import ClientAuth
from ..cursors import cursor_make, cursor_read
from ..errors import both, not_found
from ..scopes import Scope
from ..selectors import rating_for_client, ratings_changed

router = Router(tags=["ratings"])

LISTING = "ratings"


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value) if value is not None else None


def represent(rating: Rating) -> dict:
    """One rating as a partner reads it. Reads only what `ratings_seen_from` joined and
    prefetched: no query of its own."""
    level_label, level_label_en = both(Level(rating.level).label)
    office = rating.office
    appeal = appeal_of(rating)
    return {
        "id": rating.pk,
        "application_number": rating.application.number,
        "item_code": rating.item.item_code,
        "item_title": rating.application.item_title,
        "office": {
            "name": office.name,
            "short_name": office.short_name,
            "kind": office.kind,
            "region_code": office.region.code,
            "phone": office.phone,
        },
        "level": rating.level,
        "level_label": level_label,
        "level_label_en": level_label_en,
        "bad": rating.is_bad,
        "channel": rating.channel,
        "rated_at": _local(rating.rated_at),
        "first_rated_at": _local(rating.first_rated_at),
        "changed_at": _local(rating.changed_at),
        "rectifications": [
            {
                "state": rectification.state,
                "opened_at": _local(rectification.opened_at),
                "answer_due_on": rectification.due_on,
                "answered_at": _local(rectification.answered_at),
                "answered_on_time": rectification.answered_on_time,
                "revisited_at": _local(rectification.revisited_at),
                "satisfied_on_revisit": rectification.revisit_satisfied,
            }
            for rectification in rating.rectifications.all()
        ],
        "appeal": (
            {
                "state": appeal.outcome,
                "filed_at": _local(appeal.filed_at),
                "decided_at": _local(appeal.decided_at),
            }
            if appeal is not None
            else None
        ),
        "url": reverse("api-v1:rating", args=[rating.pk]),
    }


@router.get(
    "",
    response={200: schemas.RatingPage, **schemas.ERRORS},
    auth=ClientAuth(Scope.RATINGS_READ),
    url_name="ratings",
)
def ratings(request, query: Query[schemas.ChangesQuery]):
    """Ratings (好差评) of the applications within the client's jurisdiction, in the order they
    changed (oldest change first, then by id), at or after `since` when given. A rating comes
    again whenever it changes (the villager changed the level, a rectification moved, an appeal
    was filed or decided): keep the last `changed_at` you read and ask again from a little
    before it (scope ratings:read)."""
    limit = query.limit
    after = cursor_read(LISTING, query.cursor)
    position = (datetime.datetime.fromisoformat(after[0]), after[1]) if after else None
    rows = ratings_changed(request.auth, since=query.since, after=position, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "ratings": [represent(rating) for rating in rows],
        "next_cursor": cursor_make(LISTING, rows[-1].changed_at.isoformat(), rows[-1].pk) if more else None,
    }


@router.get(
    "/{rating_id}",
    response={200: schemas.RatingOut, **schemas.ERRORS},
    auth=ClientAuth(Scope.RATINGS_READ),
    url_name="rating",
)
def rating(request, rating_id: int = Path(..., ge=1, le=2**63 - 1)):
    """One rating within the client's jurisdiction, by its id (scope ratings:read). Unknown ids
    and ratings outside the jurisdiction get the same 404."""
    found = rating_for_client(request.auth, rating_id)
    if found is None:
        raise not_found()
    return represent(found)
