"""Who sees which ledger items, and what the lists and the public promise lists show.

`ledger_items_visible_to(user)` is THE visibility rule: every staff page, download, export and
the back office start from it, so they all give the same answer:

- the village's assistant (view on its station) sees the village's items;
- the township centre's clerks and supervisor (view on the centre) see the township's items;
- administrators see the items of the offices in their region (they view every office in it);
- a staff member a promise names sees that item, wherever they work;
- county department officers, editors and everyone else see nothing.

The public promise lists (`public_promises`) need no login and show no personal data beyond a
masked name: no mobile, no staff member's name, not the villager's own words, no photo, and no
item number (with the number, only the mobile's last 4 digits would stand between a stranger
and the villager's confirmation page).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.offices.models import Office, OfficeKind
from portal.people.identity import mask_name
from portal.people.jurisdiction import office_policy
from portal.people.models import User
from portal.people.roles import Action
from portal.places.models import Region, RegionLevel

from .models import Helper, HotlineOrder, LedgerEvent, LedgerItem, LedgerPhoto
from .policies import TAKE_ON, VIEW, hotline_orders_visible_to, ledger_policy
from .states import OPEN_STATES, PROMISED_STATES, State, Transition


def ledger_items_visible_to(user: User) -> QuerySet[LedgerItem]:
    """The items `user` may see (a lazy queryset; the permission subqueries run with it): the
    ledger policy's VIEW."""
    return ledger_policy.instances_user_has_permission_for(user, VIEW)


def open_items(queryset: QuerySet[LedgerItem]) -> QuerySet[LedgerItem]:
    """Not closed and not cancelled: registered, in progress or done awaiting confirmation."""
    return queryset.filter(state__in=OPEN_STATES)


def overdue_items(
    queryset: QuerySet[LedgerItem], *, today: datetime.date | None = None
) -> QuerySet[LedgerItem]:
    """In progress past the promised date (逾期). See `LedgerItem.is_overdue`."""
    today = today or timezone.localdate()
    return queryset.filter(state=State.IN_PROGRESS, promised_on__lt=today)


# -- the staff list ------------------------------------------------------------------------------

ALL = "all"


@dataclass(frozen=True)
class LedgerFilter:
    state: str = ""  # "" = every open item, "all" = everything, else one state
    overdue: bool = False
    village_id: int | None = None
    mine: bool = False
    query: str = ""


def _list_columns(queryset: QuerySet[LedgerItem]) -> QuerySet[LedgerItem]:
    """What a list row shows, joined in the same query."""
    return queryset.select_related("village", "assignee", "assignee_office").only(
        "pk",
        "number",
        "kind",
        "villager_name",
        "need",
        "state",
        "version",
        "registered_at",
        "promise",
        "promised_on",
        "helper",
        "helper_name",
        "done_at",
        "closed_at",
        "village__name",
        "assignee__name",
        "assignee__username",
        "assignee_office__name",
        "assignee_office__short_name",
        "assignee_office__kind",
    )


def ledger_list_for(
    user: User, filters: LedgerFilter | None = None, *, today: datetime.date | None = None
) -> QuerySet[LedgerItem]:
    """The staff list: visible items, filtered, open ones first (soonest promise first, those
    waiting to be taken on before them), then the rest newest first. One query per page."""
    filters = filters or LedgerFilter()
    today = today or timezone.localdate()
    queryset = ledger_items_visible_to(user)
    if filters.state == ALL:
        pass
    elif filters.state:
        queryset = queryset.filter(state=filters.state)
    else:
        queryset = open_items(queryset)
    if filters.overdue:
        queryset = overdue_items(queryset, today=today)
    if filters.village_id:
        queryset = queryset.filter(village_id=filters.village_id)
    if filters.mine:
        queryset = queryset.filter(assignee=user)
    if filters.query:
        text = filters.query.strip()
        queryset = queryset.filter(Q(number__icontains=text) | Q(villager_name__icontains=text))
    return (
        _list_columns(queryset)
        .annotate(
            open_first=Case(
                When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("open_first", F("promised_on").asc(nulls_first=True), "-registered_at", "-pk")
    )


def villages_for_list(user: User) -> QuerySet[Region]:
    """The villages of the items the user may see, for the list's filter (one query)."""
    visible = ledger_items_visible_to(user)
    return Region.objects.filter(pk__in=visible.values("village")).select_related("parent").order_by("code")


def villages_for_registering(user: User) -> QuerySet[Region]:
    """Villages whose active station the user may register requests for (its assistant)."""
    return ledger_policy.villages_user_may_register_for(user)


def ledger_item_detail_for(user: User, pk: int) -> LedgerItem:
    """One item the user may see, with what its page shows; DoesNotExist otherwise."""
    return (
        ledger_items_visible_to(user)
        .select_related(
            "village__parent", "office", "station", "registered_by", "assignee", "assignee_office"
        )
        .get(pk=pk)
    )


def timeline(item: LedgerItem, *, with_people: bool = True) -> list[LedgerEvent]:
    """The history, oldest first. Public pages pass with_people=False: they name offices and
    roles, never staff, so staff rows are not even loaded."""
    events = item.events.order_by("at", "pk")
    if with_people:
        return list(events.select_related("actor", "actor_office").prefetch_related("photos"))
    return list(events.select_related("actor_office").defer("actor_id"))


def photos_of(item: LedgerItem) -> list[LedgerPhoto]:
    return list(item.photos.order_by("uploaded_at", "pk"))


def photo_for_download(user: User, item_pk: int, photo_pk: int) -> LedgerPhoto:
    """A photo of an item the user may see; DoesNotExist otherwise."""
    return LedgerPhoto.objects.get(pk=photo_pk, item_id=item_pk, item__in=ledger_items_visible_to(user))


def steps_for(user: User, item: LedgerItem) -> list[Transition]:
    """The steps this user may take now, for the buttons on the page: the table's steps from
    this state that one of the user's capacities allows (the villager's answers are never a
    staff member's)."""
    return ledger_policy.steps_for(user, item)


def staff_of_township(item: LedgerItem) -> QuerySet[User]:
    """Who the supervisor may give the item to: the active staff of its township's centre
    (clerks, supervisors) and village stations (assistants)."""
    return ledger_policy.users_with_permission_for_instance(TAKE_ON, item)


# -- what the public sees ------------------------------------------------------------------------


def responsible_label(item: LedgerItem) -> str:
    """Who promised, as the public list says it: an office or a role, never a staff member's
    name or phone; a private volunteer's name masked, an organisation's whole. Reads
    `assignee_office`: load it with the row (select_related) or this queries."""
    if item.helper == Helper.ORGANISATION:
        return item.helper_name
    if item.helper == Helper.VOLUNTEER:
        return _("Volunteer %(name)s (志愿者)") % {"name": mask_name(item.helper_name)}
    office = item.assignee_office
    if office is None:
        return _("Township service centre")
    if office.kind == OfficeKind.STATION:
        return _("%(village)s village assistant (村级事务助理)") % {
            "village": office.short_name or office.name
        }
    return office.name


def promise_region(code: str) -> Region | None:
    """The village or township a public list is for, with its parent (one query)."""
    if len(code) != 12 or not code.isdigit():
        return None
    return (
        Region.objects.select_related("parent")
        .filter(code=code, level__in=[RegionLevel.VILLAGE, RegionLevel.TOWNSHIP])
        .first()
    )


def _in_region(region: Region) -> Q:
    if region.level == RegionLevel.VILLAGE:
        return Q(village=region)
    return Q(village__parent=region)


def public_promises(
    region: Region, *, today: datetime.date | None = None, most_recent: bool = False
) -> QuerySet[LedgerItem]:
    """The promises of a village or a township for the public list, in one query per page:
    overdue first (oldest promise first), then the rest still open by promised date, then the
    closed ones, most recently closed first; or, with `most_recent` (the printed page), the
    most recently made promises first. Items not yet taken on carry no promise and cancelled
    ones none any more: neither is listed. Only the public columns are loaded."""
    today = today or timezone.localdate()
    queryset = (
        LedgerItem.objects.filter(_in_region(region), state__in=PROMISED_STATES)
        .select_related("village", "assignee_office")
        .only(
            "pk",
            "kind",
            "villager_name",
            "state",
            "promise",
            "promised_on",
            "helper",
            "helper_name",
            "done_at",
            "closed_at",
            "village__name",
            "assignee_office__name",
            "assignee_office__short_name",
            "assignee_office__kind",
        )
    )
    if most_recent:
        return queryset.order_by(F("promised_at").desc(nulls_last=True), "-pk")
    return queryset.annotate(
        board_group=Case(
            When(state=State.IN_PROGRESS, promised_on__lt=today, then=Value(0)),
            When(state=State.CLOSED, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("board_group", F("closed_at").desc(nulls_last=True), "promised_on", "pk")


@dataclass(frozen=True)
class PublicRow:
    """One line of the public list, already in public words."""

    kind: str
    village: str
    villager: str
    promise: str
    who: str
    promised_on: datetime.date | None
    closed: bool
    done: bool
    overdue: bool
    late: bool
    closed_on: datetime.date | None


def public_rows(items, *, today: datetime.date | None = None) -> list[PublicRow]:
    """The page's items as public lines (no query: everything was loaded with the rows)."""
    today = today or timezone.localdate()
    return [
        PublicRow(
            kind=item.get_kind_display(),
            village=item.village.name,
            villager=mask_name(item.villager_name),
            promise=item.promise,
            who=responsible_label(item),
            promised_on=item.promised_on,
            closed=item.state == State.CLOSED,
            done=item.state == State.DONE,
            overdue=item.is_overdue(today),
            late=item.finished_late,
            closed_on=timezone.localdate(item.closed_at) if item.closed_at else None,
        )
        for item in items
    ]


@dataclass(frozen=True)
class PublicSummary:
    promised: int
    closed: int
    open: int
    overdue: int
    waiting: int  # registered, not yet taken on


def public_summary(region: Region, *, today: datetime.date | None = None) -> PublicSummary:
    """The counts above the list, in one query."""
    today = today or timezone.localdate()
    counts = LedgerItem.objects.filter(_in_region(region)).aggregate(
        promised=Count("pk", filter=Q(state__in=PROMISED_STATES)),
        closed=Count("pk", filter=Q(state=State.CLOSED)),
        open=Count("pk", filter=Q(state__in=[State.IN_PROGRESS, State.DONE])),
        overdue=Count("pk", filter=Q(state=State.IN_PROGRESS, promised_on__lt=today)),
        waiting=Count("pk", filter=Q(state=State.REGISTERED)),
    )
    return PublicSummary(**counts)


def public_villages(township: Region) -> QuerySet[Region]:
    """The township's villages that have an active station, for the township page's links and
    the wish form's choice."""
    return (
        Region.objects.filter(
            parent=township,
            level=RegionLevel.VILLAGE,
            offices__kind=OfficeKind.STATION,
            offices__is_active=True,
        )
        .order_by("code")
        .distinct()
    )


def villages_for_wishes() -> QuerySet[Region]:
    """Every village with an active station (and a centre above it), for the public wish form."""
    centres = Office.objects.active().filter(kind=OfficeKind.CENTRE).values("region")
    return (
        Region.objects.filter(
            level=RegionLevel.VILLAGE,
            offices__kind=OfficeKind.STATION,
            offices__is_active=True,
            parent__in=centres,
        )
        .select_related("parent")
        .order_by("code")
        .distinct()
    )


def villager_item(number: str, allowed_pks: list[int]) -> LedgerItem | None:
    """The item with this number, if this browser proved who it is for; else None."""
    if not allowed_pks:
        return None
    return (
        LedgerItem.objects.filter(number=number, pk__in=allowed_pks)
        .select_related("village__parent", "station", "office", "assignee_office")
        .first()
    )


# -- hotline work orders, as the hotline sees them (Open311 GeoReport v2) ---------------------------

OPEN311_OPEN = "open"
OPEN311_CLOSED = "closed"
_CLOSED_STATES = frozenset({State.CLOSED, State.CANCELLED})


def hotline_orders_of(
    sender: str,
    *,
    kind: str = "",
    status: str = "",
    received_from: datetime.datetime | None = None,
    received_to: datetime.datetime | None = None,
) -> QuerySet[HotlineOrder]:
    """The orders one hotline sender posted, newest first, with what `hotline_status` reads
    joined or annotated in the same query (a list costs one query, whatever its length)."""
    orders = (
        HotlineOrder.objects.filter(sender=sender)
        .select_related("region", "item__office", "item__village")
        .annotate(last_event_at=Max("item__events__at"))
    )
    if kind:
        orders = orders.filter(kind=kind)
    if status == OPEN311_CLOSED:
        orders = orders.filter(item__state__in=_CLOSED_STATES)
    elif status == OPEN311_OPEN:
        orders = orders.exclude(item__state__in=_CLOSED_STATES)
    if received_from is not None:
        orders = orders.filter(received_at__gte=received_from)
    if received_to is not None:
        orders = orders.filter(received_at__lte=received_to)
    return orders.order_by("-received_at", "-pk")


@dataclass(frozen=True)
class HotlineStatus:
    """What the hotline is told of its order: open or closed (closed only once the villager
    confirmed, or the item was cancelled), a note in words, who answers for it, the promise's
    date as the expected time, and when it last changed. No staff member's name."""

    status: str
    status_notes: str
    agency_responsible: str
    service_notice: str
    updated_at: datetime.datetime
    expected_at: datetime.datetime | None
    number: str


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def hotline_status(order: HotlineOrder) -> HotlineStatus:
    """The order's state for the hotline (`hotline_orders_of` joins what this reads)."""
    item = order.item
    if item is None:
        return HotlineStatus(
            status=OPEN311_OPEN,
            status_notes=_("Received; waiting to be placed in a village by %(region)s.")
            % {"region": order.region.name},
            agency_responsible=order.region.name,
            service_notice=_("Staff will place it in the right village's ledger."),
            updated_at=order.received_at,
            expected_at=None,
            number="",
        )
    notes = {
        State.REGISTERED: _("Registered in %(village)s's ledger, waiting to be taken on."),
        State.IN_PROGRESS: _("In progress: %(promise)s"),
        State.DONE: _("Done; waiting for the villager's confirmation."),
        State.CLOSED: _("Closed: the villager confirmed it is done."),
        State.CANCELLED: _("Cancelled: %(reason)s"),
    }
    status_notes = notes[State(item.state)] % {
        "village": item.village.name,
        "promise": item.promise,
        "reason": item.cancel_reason,
    }
    notice = ""
    if item.state == State.DONE:
        notice = _("The villager confirms it is done (销号) online or through the village assistant.")
    last = getattr(order, "last_event_at", None)
    if last is None:
        last = item.events.aggregate(last=Max("at"))["last"]
    promised = item.promised_on if item.state in PROMISED_STATES else None
    return HotlineStatus(
        status=OPEN311_CLOSED if item.state in _CLOSED_STATES else OPEN311_OPEN,
        status_notes=status_notes,
        agency_responsible=item.office.name,
        service_notice=notice,
        updated_at=max(filter(None, [last, item.state_changed_at, order.received_at])),
        expected_at=_end_of(promised) if promised else None,
        number=item.number,
    )


def hotline_orders_waiting_for(user: User) -> QuerySet[HotlineOrder]:
    """The waiting hotline orders `user` may place (the ledger list's "to place" box)."""
    return (
        hotline_orders_visible_to(user)
        .filter(item__isnull=True)
        .select_related("region")
        .order_by("received_at", "pk")
    )


def villages_user_may_place_in(user: User) -> QuerySet[Region]:
    """Villages of the townships whose active centre `user` supervises or administers: where
    they may place a waiting hotline order (each order's own region narrows it further)."""
    centres = office_policy.instances_user_has_any_permission_for(
        user, [Action.SUPERVISE, Action.MANAGE]
    ).filter(kind=OfficeKind.CENTRE, is_active=True)
    return (
        Region.objects.filter(level=RegionLevel.VILLAGE, parent__offices__in=centres)
        .select_related("parent")
        .distinct()
        .order_by("parent__code", "code")
    )
