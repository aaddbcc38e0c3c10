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
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DateField, F, Prefetch, Q, QuerySet, When
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import workflow
from portal.offices.models import Office, OfficeKind
from portal.people.models import User
from portal.places.models import Region
from services_catalog.item_forms.display import field_text
from services_catalog.item_forms.schema import EMPTY, FieldSpec, FormSpec, Kind
from services_catalog.models import Delegation, Material, ServiceItemPage
from services_catalog.selectors import item_form_current

from . import deadlines, extensions, item_data, policies
from .models import Application, ApplicationEvent, ApplicationFile, Notice, NoticeItem
from .policies import application_policy, may_act_as
from .reuse import fact_source_value, material_key, reuse_sources_for
from .services import step_blocker
from .states import CLOCK_STATES, FINAL_STATES, OPEN_STATES, Act, State, Transition, Who, acts_from


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
        "origin",
        "filed_by",
        "handed_in_at",
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
    """Everything the user's stations filed, drafts first among the newest. A villager's online
    draft joins it once an assistant took it (before, it is in `villager_drafts_waiting_for`)."""
    filters = filters or InboxFilter()
    queryset = application_policy.instances_user_has_permission_for(user, policies.FILE).exclude(
        origin=Application.Origin.VILLAGER_ONLINE, filed_by__isnull=True
    )
    return _apply(queryset, filters, user, timezone.localdate(), ordered=False).order_by("-created_at", "-pk")


def villager_drafts_waiting_for(user: User) -> QuerySet[Application]:
    """Villagers' online drafts (网上申请) handed in to the user's stations and not taken yet, the
    longest waiting first: the assistant's queue. Drafts a villager is still filling in are not
    in it. One query, whatever the length (the row's columns are joined)."""
    return (
        _list_columns(application_policy.instances_user_has_permission_for(user, policies.FILE))
        .filter(
            origin=Application.Origin.VILLAGER_ONLINE,
            state=State.DRAFT,
            filed_by__isnull=True,
            handed_in_at__isnull=False,
        )
        .order_by("handed_in_at", "pk")
    )


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
    """One application the user may see, with what its page shows; DoesNotExist otherwise.

    The item, the delegation, the station and the village (each with what it leads to) come
    in small queries of their own. Why not one join: PostgreSQL's planner spent 6 to 17 ms
    choosing the order of a thirteen-table join, far more than four primary-key lookups cost
    (under 1 ms together; bench/province.py)."""
    return (
        applications_visible_to(user)
        .select_related("resident", "filed_by", "handling_office", "current_office", "assignee")
        .prefetch_related(
            Prefetch("item", queryset=ServiceItemPage.objects.select_related("department")),
            Prefetch("delegation", queryset=Delegation.objects.select_related("department")),
            Prefetch("station", queryset=Office.objects.select_related("region")),
            Prefetch("village", queryset=Region.objects.select_related("parent")),
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
    """The current files; a reused one (免提交) with the file and application it came from."""
    return list(
        application.files.filter(superseded_at__isnull=True).select_related(
            "material", "reused_from__application"
        )
    )


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


def step_refusal(user: User, application: Application, act: str) -> str | None:
    """Why `user` may not take `act` on `application` now, or None: the services' own check
    (`portal.workflow.refusal`), so a page that explains a missing button gives the reason that
    fails (whose step it is, the item's condition, or the state) and never blames the state for
    the role. Reads without a lock; the step asks again."""
    return workflow.refusal(application, act, user)


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


# -- duplicates (issue 18, gap 11) ---------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """Another application of the same villager for the same item, still open or in force."""

    application: Application

    @property
    def in_force(self) -> bool:
        return self.application.state == State.APPROVED

    @property
    def since(self) -> datetime.date:
        """The date worth naming: the decision for one in force, else its submission (or start)."""
        a = self.application
        moment = (a.decided_at if self.in_force else a.submitted_at) or a.created_at
        return timezone.localdate(moment)


def application_duplicates(
    viewer: User, applications: Iterable[Application], *, today: datetime.date | None = None
) -> dict[int, list[Duplicate]]:
    """For each application (by pk), the viewer-visible applications of the same villager for the
    same item that are still open (any state but a final one, drafts included) or in force
    (approved, with a result the apps above say still holds: certificates answers "a certificate
    neither revoked nor expired", `extensions.in_force_asked`). One query for any number of
    applications, so a list may ask it for all its rows at once.

    What the viewer may see bounds what is named: the duplicates come from
    `applications_visible_to(viewer)`, the VIEW rule of the policy, so a warning never reveals an
    application the viewer could not open. An assistant is warned about their own station's work
    for the villager (drafts included); a clerk about what was routed to their centre. A duplicate
    elsewhere (filed in another village before a move, or at the county) is for whoever sees both.

    Approved applications without a paper that says how long it holds (no certificate) are not
    counted as in force: many benefits are applied for again and again (临时救助), and nothing
    here knows when such a decision ends."""
    wanted = [a for a in applications if a.resident_id and a.item_id]
    if not wanted:
        return {}
    today = today or timezone.localdate()
    same = Q(pk__in=[])
    for application in wanted:
        same |= Q(resident_id=application.resident_id, item_id=application.item_id)
    in_force = Q(pk__in=[])
    for _receiver, condition in extensions.in_force_asked.send(sender=Application, today=today):
        if condition is not None:
            in_force |= Q(condition)
    alive = ~Q(state__in=FINAL_STATES) | (Q(state=State.APPROVED) & in_force)
    rows = list(
        applications_visible_to(viewer)
        .filter(same)
        .filter(alive)
        .only("pk", "number", "state", "resident_id", "item_id", "created_at", "submitted_at", "decided_at")
        .order_by("created_at", "pk")
    )
    found: dict[int, list[Duplicate]] = {}
    for application in wanted:
        others = [
            Duplicate(row)
            for row in rows
            if row.pk != application.pk
            and row.resident_id == application.resident_id
            and row.item_id == application.item_id
        ]
        if others:
            found[application.pk] = others
    return found


# -- reuse with consent (免提交, issue 19) ---------------------------------------------------------


@dataclass(frozen=True)
class FileOffer:
    """An earlier file the draft may reuse for one of its item's materials."""

    source: ApplicationFile  # with its application
    material: Material  # of the draft's item

    @property
    def given_on(self) -> datetime.date:
        return timezone.localdate(self.source.uploaded_at)


@dataclass(frozen=True)
class FactOffer:
    """An earlier answer to a field of the draft's form, shown masked (ID and account numbers)."""

    source: Application
    key: str
    label: str
    text: str

    @property
    def token(self) -> str:
        """The checkbox's value on the reuse page."""
        return f"{self.source.pk}:{self.key}"

    @property
    def given_on(self) -> datetime.date:
        return timezone.localdate(self.source.submitted_at or self.source.created_at)


@dataclass(frozen=True)
class ReuseOffers:
    files: list[FileOffer]
    facts: list[FactOffer]

    def __bool__(self) -> bool:
        return bool(self.files or self.facts)


def reuse_offers(user: User, application: Application, *, facts: bool = True) -> ReuseOffers:
    """What `application` could reuse (免提交), newest first: earlier current material files of
    the villager matched to its item's materials by name (`material_key`), and earlier answers
    to fields of its form with the same key and kind (a bank account, a person, any other). A
    file or answer the draft already has is not offered again, nor the same one twice.

    Sources are `reuse_sources_for(user, application)`. A fixed number of queries, whatever
    the number of sources: the sources' files, the item's materials, the draft's files, the
    sources with their form versions, the draft's form and the county's villages (addresses)."""
    sources = reuse_sources_for(user, application)
    materials: dict[str, Material] = {}
    for material in application.item.materials.all():
        materials.setdefault(material_key(material.name), material)
    present = {
        (f.material_id, f.sha256)
        for f in application.files.filter(kind=ApplicationFile.Kind.MATERIAL, superseded_at__isnull=True)
    }
    file_offers: list[FileOffer] = []
    candidates = (
        ApplicationFile.objects.filter(
            application__in=sources, kind=ApplicationFile.Kind.MATERIAL, superseded_at__isnull=True
        )
        .select_related("application", "material")
        .order_by("-uploaded_at", "-pk")
    )
    for candidate in candidates:
        name = candidate.material.name if candidate.material is not None else candidate.material_name
        material = materials.get(material_key(name))
        if material is None or (material.pk, candidate.sha256) in present:
            continue
        present.add((material.pk, candidate.sha256))
        file_offers.append(FileOffer(source=candidate, material=material))
    fact_offers: list[FactOffer] = []
    form = item_data.version_for_draft(application) if facts and application.state == State.DRAFT else None
    spec_form = form.spec if form is not None else None
    if spec_form is not None and not spec_form.is_empty:
        mine = item_data.full_data(application)
        wanted = [spec for spec in spec_form.fields() if not spec.office_only]
        earlier = list(
            sources.filter(form_version__isnull=False)
            .select_related("form_version")
            .order_by("-created_at", "-pk")
        )
        full = {source.pk: item_data.full_data(source) for source in earlier}
        places = item_data.regions() if any(spec.kind == Kind.ADDRESS for spec in wanted) else {}
        for spec in wanted:
            seen = [mine.get(spec.key)]
            for source in earlier:
                value = fact_source_value(source, spec, full[source.pk])
                if value is None or value in seen:
                    continue
                seen.append(value)
                text = item_data.value_text(item_data.form_of(source), spec.key, source.item_data, places)
                fact_offers.append(FactOffer(source=source, key=spec.key, label=spec.label, text=text))
    return ReuseOffers(files=file_offers, facts=fact_offers)


# -- lists by the application form's data (issue 19, part 3) -------------------------------------


class DataOp:
    EXACT = "exact"  # a choice, yes/no, or a text typed in full
    CONTAINS = "contains"  # part of a text
    AT_LEAST = "gte"  # a number, an amount (fen) or a date from
    AT_MOST = "lte"  # ... up to


@dataclass(frozen=True)
class DataFilter:
    """One condition on a top-level scalar field of the item's form, its value already typed as
    the data stores it (money in fen, a date as ISO text, yes/no as a boolean)."""

    key: str
    op: str
    value: Any


_RANGE_KINDS = (Kind.NUMBER, Kind.MONEY, Kind.DATE)


def item_list_form(item_id: int | None) -> FormSpec:
    """The form a list filtered to one item offers fields of: the item's current (published)
    version, the one new filings answer. One query; EMPTY without an item or a form."""
    if not item_id:
        return EMPTY
    version = item_form_current(item_id)
    return version.spec if version is not None else EMPTY


def filter_by_item_data(
    queryset: QuerySet[Application], form: FormSpec, filters: Iterable[DataFilter]
) -> QuerySet[Application]:
    """Narrow a list by the values of the form's scalar fields. Only narrows: the queryset
    is already what the user may see.

    A field the form does not have as a scalar, or an operation that makes no sense for its
    kind, is ignored rather than refused: the query string is typed by people and old
    bookmarks, and a list must never fail on it. Exact matches on PostgreSQL are containment
    (`item_data @> {"key": value}`), which the GIN index `app_item_data_gin` (jsonb_path_ops)
    answers; SQLite (the embedded demo) has no containment on JSON, so it compares the key."""
    kinds = {spec.key: spec.kind for spec in form.scalar_fields()}
    exact: dict[str, Any] = {}
    conditions = Q()
    for condition in filters:
        kind = kinds.get(condition.key)
        if kind is None or condition.value in (None, ""):
            continue
        if condition.op == DataOp.EXACT and kind in (Kind.TEXT, Kind.CHOICE, Kind.YESNO):
            exact[condition.key] = condition.value
        elif condition.op == DataOp.CONTAINS and kind == Kind.TEXT:
            conditions &= Q(**{f"item_data__{condition.key}__icontains": condition.value})
        elif condition.op in (DataOp.AT_LEAST, DataOp.AT_MOST) and kind in _RANGE_KINDS:
            conditions &= Q(**{f"item_data__{condition.key}__{condition.op}": condition.value})
    if exact:
        if connection.vendor == "postgresql":
            conditions &= Q(item_data__contains=exact)
        else:
            for key, value in exact.items():
                conditions &= Q(**{f"item_data__{key}": value})
    return queryset.filter(conditions) if conditions else queryset


def _column_name(key: str) -> str:
    return f"item_column_{key}"


def with_item_columns(queryset: QuerySet[Application], keys: Iterable[str]) -> QuerySet[Application]:
    """Add the chosen fields' values to each row of a list, in the same query: only those keys
    are read from the JSON, never the whole data (a household of eight is many times a row)."""
    return queryset.annotate(**{_column_name(key): KeyTransform(key, "item_data") for key in keys})


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    text: str


@dataclass(frozen=True)
class DataRow(Row):
    """A list row with the chosen fields of the form, as the list shows them."""

    cells: tuple[Cell, ...] = ()


def item_column_value(application: Application, key: str) -> Any:
    """The stored value of a column added by `with_item_columns`, None when the row has none."""
    return getattr(application, _column_name(key), None)


def _cell_text(spec: FieldSpec, value: Any) -> str:
    return field_text(spec, value, regions={})  # scalar kinds name no place


def rows_with_item_columns(rows: Iterable[Row], form: FormSpec, keys: Iterable[str]) -> list[Row]:
    """`rows_with_deadlines` rows with the cells of the chosen fields (money in yuan, yes/no as
    a word); no query. Without chosen fields the rows are returned as they are."""
    specs = [spec for key in keys if (spec := form.field(key)) is not None and spec.is_scalar]
    rows = list(rows)
    if not specs:
        return rows
    return [
        DataRow(
            row.application,
            row.deadline,
            tuple(
                Cell(spec.key, spec.label, _cell_text(spec, item_column_value(row.application, spec.key)))
                for spec in specs
            ),
        )
        for row in rows
    ]
