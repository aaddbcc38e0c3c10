"""Satisfaction figures (满意度): per office, per item, per assistant and per township.

Each table is a handful of grouped queries over one table (ratings carry their office, item,
station, township and assistant), so the cost grows with the number of groups shown, not with
the number of ratings: bench/ratings.py measures 100,000 ratings.

- ratings: every rating not set aside on appeal;
- satisfied: 非常满意, 满意 and 基本满意 (the three upper levels), as a share of ratings;
- bad ratings rectified on time: rectifications answered by their due date, of those opened
  (cancelled ones, after a changed mind or a set-aside rating, do not count);
- ledger items closed on time: 销号 by the promised date, of the items closed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from portal.offices.models import Office, OfficeKind
from portal.people.jurisdiction import office_policy
from portal.people.models import User
from portal.people.roles import Action
from portal.places.models import Region

from .models import BAD_LEVELS, SATISFIED_LEVELS, Rating, Rectification


@dataclass
class Figures:
    key: int
    name: str
    ratings: int = 0
    satisfied: int = 0
    bad: int = 0
    rectifications: int = 0
    rectified_on_time: int = 0
    ledger_closed: int = 0
    ledger_closed_on_time: int = 0
    extra: dict = field(default_factory=dict)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def satisfied_share(self) -> float | None:
        return self._share(self.satisfied, self.ratings)

    @property
    def rectified_share(self) -> float | None:
        return self._share(self.rectified_on_time, self.rectifications)

    @property
    def ledger_share(self) -> float | None:
        return self._share(self.ledger_closed_on_time, self.ledger_closed)


def counted(ratings: QuerySet[Rating]) -> QuerySet[Rating]:
    return ratings.filter(set_aside_at__isnull=True)


def scope_offices(user: User) -> QuerySet[Office]:
    """Offices whose figures `user` sees: those they supervise or administer, and for county
    officers their department (which has no supervisor role)."""
    overseen = office_policy.instances_user_has_any_permission_for(user, [Action.SUPERVISE, Action.MANAGE])
    handled = office_policy.instances_user_has_permission_for(user, Action.HANDLE)
    return Office.objects.filter(Q(pk__in=overseen) | Q(pk__in=handled, kind=OfficeKind.DEPARTMENT))


def ratings_in_scope(user: User) -> QuerySet[Rating]:
    offices = scope_offices(user)
    return Rating.objects.filter(Q(office__in=offices) | Q(station__in=offices))


def _rating_counts(ratings: QuerySet[Rating], key: str, level: str = "level") -> dict[int, dict]:
    rows = (
        counted(ratings)
        .filter(**{f"{level}__isnull": False})
        .values(key)
        .annotate(
            ratings=Count("pk"),
            satisfied=Count("pk", filter=Q(**{f"{level}__in": list(SATISFIED_LEVELS)})),
            bad=Count("pk", filter=Q(**{f"{level}__in": list(BAD_LEVELS)})),
        )
        .order_by()
    )
    return {row[key]: row for row in rows}


def _rectification_counts(ratings: QuerySet[Rating], key: str) -> dict[int, dict]:
    rows = (
        Rectification.objects.filter(rating__in=counted(ratings).values("pk"))
        .exclude(state=Rectification.State.CANCELLED)
        .values(group=F(f"rating__{key}"))
        .annotate(opened=Count("pk"), on_time=Count("pk", filter=Q(answered_on_time=True)))
        .order_by()
    )
    return {row["group"]: row for row in rows}


def _ledger_counts(key: str, ids: Iterable[int]) -> dict[int, dict]:
    """Closed ledger items per office ('office') or per assistant ('registered_by')."""
    try:
        from ledger.selectors import closed_on_time_counts
    except ImportError:
        return {}
    return closed_on_time_counts(key, list(ids))


def _table(
    ratings: QuerySet[Rating],
    key: str,
    names: dict[int, str],
    *,
    level: str = "level",
    with_rectifications: bool = True,
    ledger_key: str | None = None,
) -> list[Figures]:
    rating_rows = _rating_counts(ratings, key, level)
    rectification_rows = _rectification_counts(ratings, key) if with_rectifications else {}
    keys = set(rating_rows) | set(rectification_rows)
    ledger_rows = _ledger_counts(ledger_key, names) if ledger_key else {}
    keys |= {k for k in ledger_rows if k in names}
    table = []
    for pk in keys:
        if pk is None:
            continue
        row = rating_rows.get(pk, {})
        rectified = rectification_rows.get(pk, {})
        ledger = ledger_rows.get(pk, {})
        table.append(
            Figures(
                key=pk,
                name=names.get(pk, "-"),
                ratings=row.get("ratings", 0),
                satisfied=row.get("satisfied", 0),
                bad=row.get("bad", 0),
                rectifications=rectified.get("opened", 0),
                rectified_on_time=rectified.get("on_time", 0),
                ledger_closed=ledger.get("closed", 0),
                ledger_closed_on_time=ledger.get("on_time", 0),
            )
        )
    return sorted(table, key=lambda figures: (-figures.ratings, figures.name))


def by_office(ratings: QuerySet[Rating], offices: Iterable[Office]) -> list[Figures]:
    names = {office.pk: office.short_name or office.name for office in offices}
    return _table(ratings.filter(office__in=list(names)), "office_id", names, ledger_key="office")


def by_item(ratings: QuerySet[Rating]) -> list[Figures]:
    from services_catalog.models import ServiceItemPage

    item_ids = counted(ratings).values("item_id").distinct()
    names = dict(ServiceItemPage.objects.filter(pk__in=item_ids).values_list("pk", "title"))
    return _table(ratings, "item_id", names)


def by_assistant(ratings: QuerySet[Rating]) -> list[Figures]:
    """The assistants' own help, as the villagers rated it, and their ledger items."""
    assistant_ids = counted(ratings).values("assistant_id").distinct()
    names = dict(User.objects.filter(pk__in=assistant_ids).values_list("pk", "name"))
    return _table(
        ratings,
        "assistant_id",
        names,
        level="assistant_level",
        with_rectifications=False,
        ledger_key="registered_by",
    )


def by_township(ratings: QuerySet[Rating], townships: Iterable[Region]) -> list[Figures]:
    """The public summary: counts and shares only, no person and no case."""
    names = {township.pk: township.name for township in townships}
    table = _table(ratings.filter(township__in=list(names)), "township_id", names)
    return sorted(table, key=lambda figures: figures.name)


def for_user(user: User) -> dict[str, list[Figures]]:
    """Everything the figures page shows for `user` (within their jurisdiction)."""
    ratings = ratings_in_scope(user)
    offices = list(
        scope_offices(user).filter(kind__in=["centre", "department"]).order_by("region__code", "name")
    )
    return {
        "offices": by_office(ratings, offices),
        "items": by_item(ratings),
        "assistants": by_assistant(ratings),
    }
