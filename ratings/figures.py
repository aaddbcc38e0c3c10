"""Satisfaction figures (满意度): per office, per item, per assistant and per township.

What is counted:
- ratings: every rating not set aside on appeal;
- satisfied: 非常满意, 满意 and 基本满意 (the three upper levels), as a share of ratings;
- bad ratings rectified on time: rectifications answered by their due date, of those opened
  (cancelled ones, after a changed mind or a set-aside rating, do not count);
- ledger items closed on time: 销号 by the promised date, of the items closed;
- second returns (再次退回): applications a centre returned a second time, on its
  supervisor's reason, where the one-time notice (一次性告知) should have listed everything at
  once (one grouped query of the applications' events, `approvals.selectors`).

How: the ratings table carries its office, item, station, township and assistant, so the
three staff tables come from one grouped scan of the ratings (grouped by office, item and
assistant together, then folded in Python) and one of the rectifications, whatever the
number of ratings; the scope is a list of office ids read first, not a subquery per row.
bench/ratings.py measures 100,000 ratings on PostgreSQL.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q

from approvals.selectors import second_returns_by_office, second_returns_by_township
from portal.offices.models import Office, OfficeKind
from portal.people.models import User
from portal.places.models import Region
from services_catalog.models import ServiceItemPage

from .models import BAD_LEVELS, SATISFIED_LEVELS, Rating, Rectification
from .policies import rating_policy

Where = Callable[[str], Q]
"""Builds the rows' condition for a field prefix: "" on ratings, "rating__" on rectifications."""


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
    second_returns: int = 0
    link: str = ""

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


# -- scope ----------------------------------------------------------------------------------------


def scope_offices(user: User):
    """Offices whose figures `user` sees: those they supervise or administer, and for county
    officers their department (which has no supervisor role)."""
    return rating_policy.offices_with_figures_for(user)


def _by_offices(ids: list[int]) -> Where:
    """Ratings handled by one of the offices, or filed at one of them (a township
    administrator's village stations)."""
    return lambda prefix: Q(**{f"{prefix}office_id__in": ids}) | Q(**{f"{prefix}station_id__in": ids})


def _by_townships(ids: list[int]) -> Where:
    return lambda prefix: Q(**{f"{prefix}township_id__in": ids})


# -- the two scans --------------------------------------------------------------------------------


def _levels(field: str) -> dict:
    return {
        "satisfied": Count("pk", filter=Q(**{f"{field}__in": list(SATISFIED_LEVELS)})),
        "bad": Count("pk", filter=Q(**{f"{field}__in": list(BAD_LEVELS)})),
    }


def _rating_rows(where: Where, keys: tuple[str, ...]) -> list[dict]:
    levels, assisted = _levels("level"), _levels("assistant_level")
    return list(
        Rating.objects.filter(where(""), set_aside_at__isnull=True)
        .values(*keys)
        .annotate(
            ratings=Count("pk"),
            satisfied=levels["satisfied"],
            bad=levels["bad"],
            assisted=Count("assistant_level"),
            assisted_satisfied=assisted["satisfied"],
        )
        .order_by()
    )


def _rectification_rows(where: Where, keys: tuple[str, ...]) -> list[dict]:
    """Grouped like the ratings (the rating's keys, read through the join, under aliases that
    cannot clash with the rectification's own columns)."""
    rows = (
        Rectification.objects.filter(where("rating__"), rating__set_aside_at__isnull=True)
        .exclude(state=Rectification.State.CANCELLED)
        .values(**{f"rated_{key}": F(f"rating__{key}") for key in keys})
        .annotate(opened=Count("pk"), on_time=Count("pk", filter=Q(answered_on_time=True)))
        .order_by()
    )
    return [{key.removeprefix("rated_"): value for key, value in row.items()} for row in rows]


def _fold(rows: list[dict], key: str, fields: dict[str, str]) -> dict[int, dict[str, int]]:
    """Sum the rows' `fields` (source name → figure name) per value of `key`."""
    folded: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        target = folded[row[key]]
        for source, name in fields.items():
            target[name] += row[source]
    return folded


RATING_FIELDS = {"ratings": "ratings", "satisfied": "satisfied", "bad": "bad"}
ASSISTANT_FIELDS = {"assisted": "ratings", "assisted_satisfied": "satisfied"}
RECTIFICATION_FIELDS = {"opened": "rectifications", "on_time": "rectified_on_time"}


def _ledger_counts(key: str, ids: Iterable[int]) -> dict[int, dict]:
    """Closed ledger items per office ('office') or per assistant ('registered_by')."""
    # why: a report above the ledger kept in ratings (see pyproject ignore_imports)
    from ledger.figures import closed_on_time_counts

    return closed_on_time_counts(key, list(ids))


def _table(
    names: dict[int, str], *parts: dict[int, dict[str, int]], keep_empty: bool = False
) -> list[Figures]:
    table = []
    for pk, name in names.items():
        values: dict[str, int] = {}
        for part in parts:
            values.update(part.get(pk, {}))
        if values or keep_empty:
            table.append(Figures(key=pk, name=name, **values))
    return sorted(table, key=lambda figures: (-figures.ratings, figures.name))


def _ledger_part(key: str, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    return {
        pk: {"ledger_closed": row.get("closed", 0), "ledger_closed_on_time": row.get("on_time", 0)}
        for pk, row in _ledger_counts(key, ids).items()
    }


def _second_return_part(counts: dict[int, int]) -> dict[int, dict[str, int]]:
    return {pk: {"second_returns": count} for pk, count in counts.items()}


# -- the tables -----------------------------------------------------------------------------------


def for_offices(offices: list[Office]) -> dict[str, list[Figures]]:
    """By office, by item and by village assistant, for the ratings of these offices."""
    where = _by_offices([office.pk for office in offices])
    keys = ("office_id", "item_id", "assistant_id")
    ratings = _rating_rows(where, keys)
    rectifications = _rectification_rows(where, keys)
    item_ids = {row["item_id"] for row in ratings}
    assistant_ids = {row["assistant_id"] for row in ratings}
    office_names = {
        office.pk: office.short_name or office.name
        for office in offices
        if office.kind in (OfficeKind.CENTRE, OfficeKind.DEPARTMENT)
    }
    item_names = dict(ServiceItemPage.objects.filter(pk__in=item_ids).values_list("pk", "title"))
    assistant_names = dict(User.objects.filter(pk__in=assistant_ids).values_list("pk", "name"))
    return {
        "offices": _table(
            office_names,
            _fold(ratings, "office_id", RATING_FIELDS),
            _fold(rectifications, "office_id", RECTIFICATION_FIELDS),
            _ledger_part("office", office_names),
            _second_return_part(second_returns_by_office(office_names)),
        ),
        "items": _table(
            item_names,
            _fold(ratings, "item_id", RATING_FIELDS),
            _fold(rectifications, "item_id", RECTIFICATION_FIELDS),
        ),
        "assistants": _table(
            assistant_names,
            _fold(ratings, "assistant_id", ASSISTANT_FIELDS),
            _ledger_part("registered_by", assistant_names),
        ),
    }


def for_user(user: User) -> dict[str, list[Figures]]:
    """Everything the figures page shows for `user`, within their jurisdiction."""
    return for_offices(list(scope_offices(user).order_by("region__code", "name")))


def by_township(townships: Iterable[Region]) -> list[Figures]:
    """The public summary: counts and shares per township, no person and no case."""
    names = {township.pk: township.name for township in townships}
    where = _by_townships(list(names))
    keys = ("township_id",)
    table = _table(
        names,
        _fold(_rating_rows(where, keys), "township_id", RATING_FIELDS),
        _fold(_rectification_rows(where, keys), "township_id", RECTIFICATION_FIELDS),
        _ledger_part("township", names),
        _second_return_part(second_returns_by_township(names)),
        keep_empty=True,
    )
    return sorted(table, key=lambda figures: figures.name)
