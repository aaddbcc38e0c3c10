"""Who sees which applications, and the lists pages show. Every page, download, export and admin
view of applications starts from `applications_visible_to`, so they all give the same answer;
the rule itself is `approvals.policies.application_policy` (VIEW):

- an assistant sees their station's applications, drafts included;
- a clerk or supervisor sees what was routed to their centre or now sits there;
- a county officer sees what was routed or forwarded to their department;
- an administrator sees the submitted work of the offices they administer;
- nobody else sees anything.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, F, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.offices.models import OfficeKind
from portal.people.models import User
from services_catalog.models import ServiceItemPage

from . import deadlines, policies
from .models import Application, ApplicationEvent, ApplicationFile, Notice, NoticeItem
from .policies import application_policy, may_act_as
from .services import step_blocker
from .states import CLOCK_STATES, OPEN_STATES, Act, State, Transition, Who, acts_from


def applications_visible_to(user: User) -> QuerySet[Application]:
    return application_policy.instances_user_has_permission_for(user, policies.VIEW)


def _list_columns(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """What a list row shows, joined in the same query."""
    return queryset.select_related("current_office", "assignee", "village__parent", "station").only(
        "pk",
        "number",
        "item_title",
        "applicant_name",
        "state",
        "version",
        "created_at",
        "submitted_at",
        "received_on",
        "accept_by",
        "accepted_on",
        "due_on",
        "paused_since",
        "pause_name",
        "alert",
        "current_office__name",
        "current_office__short_name",
        "assignee__name",
        "assignee__username",
        "village__name",
        "village__parent__name",
        "station__name",
    )


def _with_deadline(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Each row's deadline that matters now, as `deadline`: the acceptance window before
    acceptance, the due date after (`deadlines.deadline_dates` in SQL)."""
    return queryset.annotate(
        deadline=Case(
            When(state=State.SUBMITTED, then=F("accept_by")),
            When(state__in=CLOCK_STATES, then=F("due_on")),
            default=None,
            output_field=DateField(),
        )
    )


def with_deadline_order(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Oldest deadline first: the acceptance window before acceptance, the due date after."""
    return _with_deadline(queryset).order_by(F("deadline").asc(nulls_last=True), "submitted_at", "pk")


DUE_SOON = "soon"
"""即将超期: the rows an inbox shows amber (`deadlines.Deadline.colour` "soon")."""
DUE_OVERDUE = "overdue"
"""已超期: the rows an inbox shows red (`deadlines.Deadline.colour` "overdue")."""


def due_soon_before(today: datetime.date) -> datetime.date:
    """The first day that is no longer "soon": a deadline before it is at most
    `deadlines.DUE_SOON_DAYS` working days away (one query, the calendar around today)."""
    days = deadlines.DUE_SOON_DAYS + 1
    return deadlines.calendar_around(today, working_days=days).add_working_days(today, days)


def due_condition(due: str, today: datetime.date, soon_before: datetime.date | None = None) -> Q:
    """The rows whose deadline (annotated by `_with_deadline`) is soon or past, as the inbox
    colours them: a paused clock (公示, 勘查 …) is neither, it shows as paused."""
    if due == DUE_OVERDUE:
        return Q(deadline__lt=today, paused_since__isnull=True)
    if due == DUE_SOON:
        soon_before = soon_before or due_soon_before(today)
        return Q(deadline__gte=today, deadline__lt=soon_before, paused_since__isnull=True)
    raise ValueError(f"unknown deadline filter {due!r}")


@dataclass(frozen=True)
class InboxFilter:
    state: str = ""
    item_id: int | None = None
    mine: bool = False
    overdue: bool = False
    query: str = ""
    due: str = ""  # DUE_SOON or DUE_OVERDUE: the staff home's counts link here


def inbox_for(
    user: User, filters: InboxFilter | None = None, *, today: datetime.date | None = None
) -> QuerySet[Application]:
    """Open work sitting at an office the user handles (centre clerks, supervisors, officers)."""
    filters = filters or InboxFilter()
    today = today or timezone.localdate()
    queryset = application_policy.instances_user_has_permission_for(user, policies.HANDLE).filter(
        state__in=OPEN_STATES
    )
    return _apply(queryset, filters, user, today)


def station_applications_for(user: User, filters: InboxFilter | None = None) -> QuerySet[Application]:
    """Everything the user's stations filed, drafts first among the newest."""
    filters = filters or InboxFilter()
    queryset = application_policy.instances_user_has_permission_for(user, policies.FILE)
    return _apply(queryset, filters, user, timezone.localdate(), ordered=False).order_by("-created_at", "-pk")


def _apply(queryset, filters: InboxFilter, user, today, *, ordered: bool = True):
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.item_id:
        queryset = queryset.filter(item_id=filters.item_id)
    if filters.mine:
        queryset = queryset.filter(assignee=user)
    if filters.query:
        text = filters.query.strip()
        queryset = queryset.filter(Q(number__icontains=text) | Q(applicant_name__icontains=text))
    queryset = _list_columns(queryset)
    if ordered or filters.overdue or filters.due:
        queryset = with_deadline_order(queryset)
    if filters.overdue:
        queryset = queryset.filter(deadline__lt=today)
    if filters.due:
        queryset = queryset.filter(due_condition(filters.due, today))
    return queryset


@dataclass(frozen=True)
class InboxCounts:
    """The staff home's numbers for the work at the offices a user handles. Each is exactly the
    inbox filtered by `state` or `due` (`InboxFilter`), which the home links to."""

    submitted: int  # 待受理: waiting to be accepted or returned
    due_soon: int  # 即将超期
    overdue: int  # 已超期
    returned: int  # 待补正: returned to the assistant with a one-time notice


def inbox_counts_for(user: User, *, today: datetime.date | None = None) -> InboxCounts:
    """Counts of `inbox_for(user)`: two queries (the calendar around today, one aggregate),
    whatever the amount of work; scoped by `application_policy` (HANDLE) like the inbox."""
    today = today or timezone.localdate()
    soon_before = due_soon_before(today)
    queryset = application_policy.instances_user_has_permission_for(user, policies.HANDLE).filter(
        state__in=OPEN_STATES
    )
    counts = _with_deadline(queryset).aggregate(
        submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
        due_soon=Count("pk", filter=due_condition(DUE_SOON, today, soon_before)),
        overdue=Count("pk", filter=due_condition(DUE_OVERDUE, today)),
        returned=Count("pk", filter=Q(state=State.RETURNED)),
    )
    return InboxCounts(**counts)


@dataclass(frozen=True)
class StationCounts:
    """The staff home's numbers for the applications a user's stations filed (assistants); each
    is exactly the station list filtered by that state, which the home links to."""

    drafts: int  # 草稿: not yet submitted
    returned: int  # 待补正: the centre asks for more (the assistant's move)
    submitted: int  # 待受理: with the centre, not yet accepted


def station_counts_for(user: User) -> StationCounts:
    """Counts of `station_applications_for(user)`: one aggregate query, scoped by
    `application_policy` (FILE) like the station list."""
    counts = application_policy.instances_user_has_permission_for(user, policies.FILE).aggregate(
        drafts=Count("pk", filter=Q(state=State.DRAFT)),
        returned=Count("pk", filter=Q(state=State.RETURNED)),
        submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
    )
    return StationCounts(**counts)


def overdue_for(user: User, *, today: datetime.date | None = None) -> QuerySet[Application]:
    """The supervisor's overdue list: open work past its deadline at offices they supervise."""
    today = today or timezone.localdate()
    queryset = application_policy.instances_user_has_permission_for(user, policies.SUPERVISE).filter(
        state__in=OPEN_STATES
    )
    return _apply(queryset, InboxFilter(overdue=True), user, today)


@dataclass(frozen=True)
class Row:
    application: Application
    deadline: deadlines.Deadline | None


def rows_with_deadlines(applications, *, today: datetime.date | None = None) -> list[Row]:
    """Attach each row's deadline (days left, colour) from one in-memory calendar: one query."""
    applications = list(applications)
    today = today or timezone.localdate()
    dates = [d for a in applications for d in (a.accept_by, a.due_on, a.received_on, a.accepted_on) if d]
    calendar = deadlines.calendar_around(today, *dates, working_days=10)
    return [Row(a, deadlines.deadline_of(a, today, calendar)) for a in applications]


def application_detail_for(user: User, pk: int) -> Application:
    """One application the user may see, with what its page shows; DoesNotExist otherwise."""
    return (
        applications_visible_to(user)
        .select_related(
            "item__department",
            "station__region",
            "village__parent",
            "resident",
            "filed_by",
            "handling_office",
            "current_office",
            "delegation__department",
            "assignee",
        )
        .get(pk=pk)
    )


def timeline(application: Application, *, with_people: bool = True) -> list[ApplicationEvent]:
    """The history, oldest first. Public pages pass with_people=False: they name offices, never
    staff, so staff rows are not even loaded."""
    events = application.events.order_by("at", "pk")
    if with_people:
        return list(events.select_related("actor", "actor_office"))
    return list(events.select_related("actor_office").defer("actor_id"))


def files_of(application: Application) -> list[ApplicationFile]:
    return list(application.files.filter(superseded_at__isnull=True).select_related("material"))


def notices_of(application: Application, *, with_people: bool = True) -> list[Notice]:
    related = ("issued_by", "office") if with_people else ("office",)
    return list(
        application.notices.select_related(*related).prefetch_related(
            Prefetch("items", queryset=NoticeItem.objects.order_by("pk"))
        )
    )


def file_for_download(user: User, file_pk: int) -> ApplicationFile:
    """An uploaded file whose application the user may see; DoesNotExist otherwise."""
    return ApplicationFile.objects.select_related("application").get(
        pk=file_pk, application__in=applications_visible_to(user)
    )


def steps_for(user: User, application: Application) -> list[Transition]:
    """The steps this user may take now, for the buttons on the page: the table's steps from this
    state that the user's capacities allow, less those the services would refuse
    (`services.step_blocker`) and, for clerks, files another clerk has taken."""
    capacities = {who: may_act_as(user, application, who) for who in (Who.FILER, Who.HANDLER, Who.SUPERVISOR)}
    taken_by_other = application.assignee_id not in (None, user.pk) and not capacities[Who.SUPERVISOR]
    steps = []
    for step in acts_from(application.state):
        if step.who is Who.SYSTEM or not capacities.get(step.who):
            continue
        if step.who is Who.HANDLER and taken_by_other:
            continue
        if step_blocker(application, step, user):
            continue
        steps.append(step)
    return steps


def items_for_filing() -> QuerySet[ServiceItemPage]:
    """Published items a village assistant may file (村级代办)."""
    return (
        ServiceItemPage.objects.live()
        .filter(village_proxy=True)
        .select_related("department")
        .order_by("title")
    )


def clerks_of(application: Application) -> QuerySet[User]:
    """Staff who may handle the work where it now sits, for the supervisor's reassign form."""
    return application_policy.assignees_for(application)


# -- the materials checklist and second returns (issue 18, gaps 4-6) -------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    """One material of the item's checklist (or a file handed in under 其他材料) and its current
    files: what the clerk's return form and the receipt's 收件清单 show."""

    name: str
    files: tuple[ApplicationFile, ...]
    material_pk: int | None = None
    required: bool = False

    @property
    def count(self) -> int:
        return len(self.files)


def material_checklist(application: Application) -> list[ChecklistRow]:
    """The item's materials in checklist order, each with its current files, then files handed
    in for lines of a notice under 其他材料 (no catalogue material). Two queries."""
    files = [f for f in files_of(application) if f.kind == ApplicationFile.Kind.MATERIAL]
    rows = [
        ChecklistRow(
            name=material.name,
            files=tuple(f for f in files if f.material_id == material.pk),
            material_pk=material.pk,
            required=material.required and not material.may_be_missing,
        )
        for material in application.item.materials.all()
    ]
    others: dict[str, list[ApplicationFile]] = {}
    for f in files:
        if f.material_id is None:
            others.setdefault(f.material_name or str(_("Other material")), []).append(f)
    rows.extend(ChecklistRow(name=name, files=tuple(group)) for name, group in others.items())
    return rows


def second_returns_by_office(office_ids: Iterable[int]) -> dict[int, int]:
    """How many times each office returned an application a second time (再次退回), broken
    一次性告知 measured per centre. One grouped query, whatever the number of offices."""
    rows = (
        ApplicationEvent.objects.filter(act=Act.SECOND_RETURN, actor_office_id__in=list(office_ids))
        .values("actor_office_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["actor_office_id"]: row["count"] for row in rows}


def second_returns_by_township(township_ids: Iterable[int]) -> dict[int, int]:
    """Second returns made by the service centres of each township (the public summary's rows).
    One grouped query."""
    rows = (
        ApplicationEvent.objects.filter(
            act=Act.SECOND_RETURN,
            actor_office__kind=OfficeKind.CENTRE,
            actor_office__region_id__in=list(township_ids),
        )
        .values("actor_office__region_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["actor_office__region_id"]: row["count"] for row in rows}
