"""Who sees which ratings, rectifications and appeals.

A rating belongs to its application: whoever may see the application (`applications_visible_to`)
may see its rating and what followed, and nobody else, on every page, list, export and admin
view. Acting is a separate question, answered in `ratings.services`.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from approvals.models import Application
from approvals.policies import answering_policy, submitted_visibility_condition
from portal.offices.models import Office
from portal.people.models import User
from portal.places.models import Region, RegionLevel
from portal.workdays.provisional import provisional_note
from portal.workdays.selectors import unconfirmed_years_between

from . import policies
from .models import Rating, RatingAppeal, RatingEvent, Rectification
from .policies import appeal_policy, rating_policy, rectification_policy

OPEN_RECTIFICATION_STATES = (Rectification.State.OPEN, Rectification.State.ANSWERED)


def ratings_visible_to(user: User) -> QuerySet[Rating]:
    return rating_policy.instances_user_has_permission_for(user, policies.VIEW)


def rectifications_visible_to(user: User) -> QuerySet[Rectification]:
    return rectification_policy.instances_user_has_permission_for(user, policies.VIEW)


def ratings_seen_from(offices: QuerySet[Office] | list[int]) -> QuerySet[Rating]:
    """The ratings of the work `offices` see, for a partner system bound to them (an API client:
    `api.selectors.ratings_client_sees`). A rating is seen where its application is: the
    submitted applications filed at, routed to, sitting at or handled by one of `offices`
    (`submitted_visibility_condition`, the rule `api.selectors.applications_client_sees` asks),
    so a rating of a case the county decided for a village of the township is the township's too.

    Joined with what the partner reads (the application's number, the item, the rated office, the
    appeal); the rectifications, oldest first, come in one more query for the whole page."""
    return (
        Rating.objects.filter(submitted_visibility_condition(offices, "application__"))
        .select_related("application", "item", "office__region", "appeal")
        .prefetch_related(
            Prefetch("rectifications", queryset=Rectification.objects.order_by("opened_at", "pk"))
        )
    )


def rating_of(application: Application) -> Rating | None:
    """The application's rating with its appeal, or None (one query)."""
    return Rating.objects.filter(application=application).select_related("recorded_by", "appeal").first()


def appeal_of(rating: Rating) -> RatingAppeal | None:
    """The rating's appeal or None; no query when `rating_of` fetched the rating."""
    try:
        return rating.appeal
    except RatingAppeal.DoesNotExist:
        return None


def rectification_list_for(
    user: User, *, state: str = "", overdue: bool = False, today: datetime.date | None = None
) -> QuerySet[Rectification]:
    """The rectification list: open ones first by due date (one query per page)."""
    today = today or timezone.localdate()
    queryset = rectifications_visible_to(user)
    queryset = queryset.filter(state=state) if state else queryset.filter(state__in=OPEN_RECTIFICATION_STATES)
    if overdue:
        queryset = queryset.filter(state=Rectification.State.OPEN, due_on__lt=today)
    return queryset.select_related("office", "rating__application", "rating__station").order_by(
        "due_on", "pk"
    )


def overdue_rectifications_for(user: User, *, today: datetime.date | None = None) -> QuerySet[Rectification]:
    """The supervisor's overdue list: open rectifications past their date at offices they answer for."""
    answered = answering_policy.instances_user_has_permission_for(user)
    return rectification_list_for(user, overdue=True, today=today).filter(office__in=answered)


def with_provisional_notes(rectifications: Iterable[Rectification]) -> list[Rectification]:
    """The rectifications, each with `provisional_note` set when its answer date was counted
    through a year without a confirmed calendar ("" otherwise). One query for the whole list."""
    rows = list(rectifications)
    if not rows:
        return rows
    opened = [timezone.localdate(row.opened_at) for row in rows]
    unconfirmed = set(unconfirmed_years_between(min(opened), max(row.due_on for row in rows)))
    for row, opened_on in zip(rows, opened, strict=True):
        years = [year for year in range(opened_on.year, row.due_on.year + 1) if year in unconfirmed]
        row.provisional_note = provisional_note(years) if row.due_on > opened_on else ""
    return rows


def rectification_detail_for(user: User, pk: int) -> Rectification:
    """Raises Rectification.DoesNotExist outside the user's jurisdiction (a 404, like applications)."""
    return (
        rectifications_visible_to(user)
        .select_related(
            "office", "rating__application__village", "rating__station", "answered_by", "revisited_by"
        )
        .get(pk=pk)
    )


def events_of(rating: Rating) -> list[RatingEvent]:
    return list(rating.events.select_related("actor", "actor_office", "rectification").order_by("at", "pk"))


def appeals_for(user: User, *, pending_only: bool = True) -> QuerySet[RatingAppeal]:
    """Appeals a county administrator decides (every office they administer); nobody else's list."""
    queryset = appeal_policy.instances_user_has_permission_for(user, policies.DECIDE)
    if pending_only:
        queryset = queryset.filter(outcome=RatingAppeal.Outcome.PENDING)
    return queryset.select_related("office", "filed_by", "rating__application").order_by("filed_at", "pk")


def appeal_detail_for(user: User, pk: int) -> RatingAppeal:
    """The appeal, for the county administrator deciding it or anyone who may see the rating."""
    appeal = (
        appeal_policy.instances_user_has_permission_for(user, policies.VIEW)
        .filter(pk=pk)
        .select_related("office", "filed_by", "rating__application", "decided_by")
        .first()
    )
    if appeal is None:
        raise RatingAppeal.DoesNotExist
    return appeal


def townships() -> list[Region]:
    """Every township, in code order: the rows of the public satisfaction summary."""
    return list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
