"""Every change to an application: one function per action, each in one transaction.

Each action runs through the workflow machine (`portal.workflow`, declared here as `WORKFLOW`):
it (1) locks the application row (`select_for_update`, a real row lock on PostgreSQL), (2) looks
its step up in `approvals.states.TABLE`, (3) checks the actor's object permission on the office
named by the step's `Who` (`may_act_as`), (4) applies the change, (5) writes one append-only event
with a new version and (6) queues the notifications, all or nothing. A second clerk acting on the same application
at the same moment waits for the lock, then finds the state or version changed and is told so.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import workflow
from portal.audit import services as audit_services
from portal.errors import DomainError, NotPermitted, required
from portal.files.uploads import check_upload, stored_name
from portal.offices.models import Office
from portal.people.models import IdNumberDisclosure, Resident, User
from portal.places.models import Region, RegionLevel
from portal.workdays.calendar import WorkCalendar
from services_catalog.item_forms.schema import Kind
from services_catalog.item_forms.values import Parsed, flatten
from services_catalog.models import Material, ServiceItemPage
from services_catalog.selectors import item_form_current, service_item_route

from . import deadlines, extensions, item_data, notifications
from .models import Application, ApplicationEvent, ApplicationFile, ApplicationSequence, Notice, NoticeItem
from .policies import REVEAL_ID_NUMBER, UNLOCK_TRACKING, application_policy, may_act_as, office_for
from .reuse import fact_source_value, material_key, reuse_sources_for
from .states import CLOCK_STATES, TABLE, Act, State, Transition, Who, holder_of
from .tracking import tracking_paused


class ApplicationChanged(DomainError):
    """The application moved on since the page was shown (someone else acted first)."""


@dataclass(frozen=True)
class MissingItem:
    """One line of a one-time notice or a 容缺 promise: which material and what is wrong."""

    material: Material | None
    reason: str
    due_on: datetime.date | None = None
    name: str = ""
    field_key: str = ""  # a field of the application form instead of a material

    @property
    def material_name(self) -> str:
        return self.material.name if self.material is not None else self.name


# -- who may act: `approvals.policies` ---------------------------------------------------------


def today() -> datetime.date:
    """Today in the county (the clock is an input: tests and demo stories set it)."""
    return timezone.localdate()


_today = today


def step_blocker(
    application: Application, step: Transition | workflow.Step, actor: User | None
) -> str | None:
    """Why a step the table allows in this state cannot be taken on this application now, or None.

    The conditions that depend on the item and the file rather than on the state: the services
    refuse with this message and the page hides the button, from the same function."""
    act, item, office = step.act, application.item, application.current_office
    at_centre = office is not None and office.kind == "centre"
    if act in (Act.SUBMIT, Act.WITHDRAW) and application.awaits_taking:
        return _take_first(application)
    if act == Act.ASSIGN and actor is not None and application.assignee_id == actor.pk:
        return _("You are already handling application %(ref)s.") % {"ref": application.reference}
    if act == Act.PAUSE:
        if application.paused_since is not None:
            return _("“%(name)s” is already under way.") % {"name": application.pause_name}
        if not item.special_procedures.exists():
            return _("“%(item)s” has no special procedures.") % {"item": item.title}
    if act == Act.RESUME and application.paused_since is None:
        return _("No special procedure is under way.")
    if act in (Act.RETURN, Act.AGREE_SECOND_RETURN, Act.SECOND_RETURN):
        blocker = _second_return_blocker(application, act, actor)
        if blocker:
            return blocker
    if act == Act.SUPPLY and not promised_materials(application).exists():
        return _("No promised material is owed.")
    if act == Act.ACCEPT_WITH_PROMISE and not item.materials.filter(may_be_missing=True).exists():
        return _("“%(item)s” does not allow acceptance with materials to follow (容缺受理).") % {
            "item": item.title
        }
    if act == Act.FORWARD and not at_centre:
        return _("Only a township centre forwards work to a county department.")
    if act == Act.REVIEW and not (item.needs_second_approval and at_centre):
        return _("“%(item)s” does not need the supervisor's approval: decide it yourself.") % {
            "item": item.title
        }
    # Acts that another app answers for (the hand-over: certificates), asked without importing it.
    blocker = extensions.first_answer(
        extensions.step_blockers_asked.send(sender=Application, application=application, act=act)
    )
    if blocker:
        return blocker
    if act in (Act.APPROVE, Act.REJECT):
        if step.source == State.ACCEPTED and item.needs_second_approval and at_centre:
            return _("“%(item)s” needs the supervisor's approval (审批): review it and send it on.") % {
                "item": application.item_title or item.title
            }
        if step.source == State.REVIEWED and actor is not None and _took_first_level(application, actor):
            return _(
                "You accepted or reviewed application %(ref)s. Its approval (审批) needs a second "
                "person: another supervisor of the centre approves or refuses it (审批与受理、审核分离)."
            ) % {"ref": application.reference}
        if application.paused_since is not None:
            return _("“%(name)s” is still under way: end it before deciding.") % {
                "name": application.pause_name
            }
        if act == Act.APPROVE and promised_materials(application).exists():
            return _("Materials promised at acceptance are still owed: they come before the decision.")
    return None


def _second_return_blocker(application: Application, act: str, actor: User | None) -> str | None:
    """一次性告知 (行政许可法 第三十二条) means one notice: an application already returned once
    goes back a second time only on the supervisor's written reason (同意再次退回), and the
    person who agrees is never the one who returns it (four eyes, as for 审批)."""
    returned_before = application.notices.filter(kind=Notice.Kind.SUPPLEMENT).exists()
    if act == Act.RETURN:
        if returned_before:
            return _(
                "Application %(ref)s was already returned once with a one-time notice (一次性告知). "
                "A second return needs the supervisor's written reason: ask the supervisor to agree "
                "(同意再次退回), then return it a second time (再次退回)."
            ) % {"ref": application.reference}
        return None
    if not returned_before:
        return _("Application %(ref)s was never returned: a first return needs no agreement (退回补正).") % {
            "ref": application.reference
        }
    agreement = second_return_agreement(application)
    if act == Act.AGREE_SECOND_RETURN:
        if agreement is not None:
            return _("The supervisor already agreed to return application %(ref)s a second time.") % {
                "ref": application.reference
            }
        return None
    if agreement is None:
        return _(
            "Application %(ref)s was already returned once. A second return (再次退回) needs the "
            "supervisor's written reason first (同意再次退回)."
        ) % {"ref": application.reference}
    if actor is not None and agreement.actor_id == actor.pk:
        return _(
            "You agreed to the second return of application %(ref)s yourself: another person of the "
            "centre returns it (the one who gives the reason is not the one who returns it)."
        ) % {"ref": application.reference}
    return None


def second_return_agreement(application: Application) -> ApplicationEvent | None:
    """The supervisor's agreement (同意再次退回) given since the application last came back, or
    None: an agreement is for one return, and the next resubmission uses it up."""
    events = application.events.filter(act__in=[Act.RESUBMIT, Act.AGREE_SECOND_RETURN, Act.SECOND_RETURN])
    latest = events.order_by("-at", "-pk").first()
    return latest if latest is not None and latest.act == Act.AGREE_SECOND_RETURN else None


def _took_first_level(application: Application, actor: User) -> bool:
    """Did `actor` accept or review this application? Four eyes on second-level approval: the
    supervisor who approves (审批) is never the one who accepted (受理) or reviewed (审核) it,
    even when one person holds both roles at a small centre."""
    return application.events.filter(
        actor=actor, act__in=[Act.ACCEPT, Act.ACCEPT_WITH_PROMISE, Act.REVIEW]
    ).exists()


def _check_assignee(locked: Application, actor: User) -> None:
    """Two clerks never work one file: the one who took it, or a supervisor, acts on it."""
    if locked.assignee_id in (None, actor.pk):
        return
    if may_act_as(actor, locked, Who.SUPERVISOR):
        return
    raise DomainError(
        _("%(name)s is handling application %(ref)s. Ask them, or the supervisor to reassign it.")
        % {"name": locked.assignee, "ref": locked.reference}
    )


# -- the workflow machine's declaration -----------------------------------------------------------


def _guard(locked: Application, step: workflow.Step, actor: User | None) -> None:
    """The application's conditions beyond the table: one clerk per file, and `step_blocker`."""
    if step.who is Who.HANDLER and step.act != Act.ASSIGN and actor is not None:
        _check_assignee(locked, actor)
    blocker = step_blocker(locked, step, actor)
    if blocker:
        raise DomainError(blocker)


def _not_permitted(locked: Application, act: str) -> str:
    """The refusal for someone who holds none of the step's capacities: it names whose step it is
    (this state's row, else the act's first row a person takes), never the state."""
    row = TABLE.transition_for(locked.state, act) or next(
        (r for r in TABLE if r.act == act and r.who is not Who.SYSTEM), None
    )
    if row is None:
        return _("You may not do “%(act)s” on application %(ref)s.") % {
            "act": Act(act).label,
            "ref": locked.reference,
        }
    office = office_for(locked, row.who) if row.who is not Who.SYSTEM else None
    holder = holder_of(row.who, office.kind if office is not None else None) % {
        "office": office.name if office is not None else ""
    }
    return _("“%(act)s” on application %(ref)s is done by %(holder)s, not by you.") % {
        "act": Act(act).label,
        "ref": locked.reference,
        "holder": holder,
    }


WORKFLOW = workflow.Workflow(
    model=Application,
    table=TABLE,
    event_model=ApplicationEvent,
    subject=lambda locked: {"application": locked},
    capacity=lambda actor, locked, row: row.who if may_act_as(actor, locked, row.who) else None,
    refusals=workflow.Refusals(
        moved_on=lambda locked: (
            _(
                "Application %(ref)s has changed since you opened it: it is now “%(state)s”. "
                "Nothing was done; look at it again. (已被处理)"
            )
            % {"ref": locked.reference, "state": locked.get_state_display()}
        ),
        not_possible=lambda locked, act: (
            _("Application %(ref)s is “%(state)s”: “%(act)s” is not possible now. (已被处理)")
            % {"ref": locked.reference, "state": locked.get_state_display(), "act": Act(act).label}
        ),
        not_permitted=lambda locked, act: _not_permitted(locked, act),
        stale=lambda locked: (
            _(
                "Application %(ref)s has changed since you opened it (someone else acted on it). "
                "Nothing was done; look at it again. (已被处理)"
            )
            % {"ref": locked.reference}
        ),
    ),
    changed_error=ApplicationChanged,
    office_for=lambda locked, who: office_for(locked, who) if who is not Who.SYSTEM else None,
    guard=_guard,
    queue_messages=notifications.queue_for,
    related=("item", "station", "current_office", "village__parent", "resident"),
    on_state_change={"alert": ""},
)
"""Applications in the workflow machine: `workflow.lock`, `check` and `record` act on them."""


# -- drafts --------------------------------------------------------------------------------------


def _station_of(village: Region) -> Office:
    station = Office.objects.filter(region=village, kind="station", is_active=True).first()
    if station is None:
        raise DomainError(_("%(village)s has no active service station.") % {"village": village})
    return station


def _require_proxy_item(item: ServiceItemPage) -> None:
    if not item.live or not item.village_proxy:
        raise DomainError(
            _("“%(item)s” cannot be filed by a village assistant (not 村级代办).") % {"item": item.title}
        )


@transaction.atomic
def draft_start(
    *, actor: User, item: ServiceItemPage, village: Region, client_token=None, request_note: str = ""
) -> Application:
    """Start a draft for a villager of `village`. The same `client_token` (a hidden field of the
    start form) returns the same draft, so a double-clicked start makes one."""
    if client_token is not None:
        existing = Application.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.filed_by_id != actor.pk:
                raise NotPermitted(_("This form was already used by someone else."))
            return existing
    if village.level != RegionLevel.VILLAGE:
        raise DomainError(_("Choose a village (村/社区)."))
    _require_proxy_item(item)
    station = _station_of(village)
    if not application_policy.user_may_file_at(actor, station):
        raise NotPermitted(_("You may not file applications for %(village)s.") % {"village": village})
    fields = {
        "item": item,
        "item_title": item.title,
        "station": station,
        "village": village,
        "filed_by": actor,
        "form_version": item_form_current(item.pk),
    }
    try:
        with transaction.atomic():
            application = (
                Application.objects.create(client_token=client_token, request_note=request_note, **fields)
                if client_token
                else Application.objects.create(request_note=request_note, **fields)
            )
    except IntegrityError:  # the same token, a concurrent request: theirs is ours
        return Application.objects.get(client_token=client_token)
    workflow.record(application, None, actor, act=Act.CREATE, who=Who.FILER)
    return application


# -- a villager's own online application (网上申请) --------------------------------------------


def _take_first(application: Application) -> str:
    return _(
        "Take application %(ref)s first (接手): the villager started it online, and you answer for "
        "what is submitted."
    ) % {"ref": application.reference}


@transaction.atomic
def draft_start_by_villager(
    *,
    item: ServiceItemPage,
    village: Region,
    mobile: str,
    name: str,
    client_token=None,
    request_note: str = "",
) -> Application:
    """Start a draft for the villager themselves, from the item's 网上申请 button.

    There is no user: the caller proved that the villager holds `mobile` (a texted code). The
    draft belongs to the station of `village`, whose assistants take it once the villager hands
    it in (`draft_hand_in_by_villager`, `application_take`): an assistant answers for everything
    submitted, so nothing reaches the township centre without one. The same `client_token`
    returns the same draft for the same number (a resent form), never someone else's."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Enter your name."))
    if len(name) > (Application._meta.get_field("applicant_name").max_length or 50):
        raise DomainError(_("The name is too long."))
    if client_token is not None:
        existing = Application.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.origin != Application.Origin.VILLAGER_ONLINE or existing.applicant_mobile != mobile:
                raise NotPermitted(_("This form was already used by someone else."))
            return existing
    if village.level != RegionLevel.VILLAGE:
        raise DomainError(_("Choose a village (村/社区)."))
    if not item.accepts_online_filing:
        raise DomainError(_("“%(item)s” cannot be applied for online.") % {"item": item.title})
    if not Region.objects.within(item.department.region).filter(pk=village.pk).exists():
        raise DomainError(_("Choose a village of this county."))
    fields = {
        "item": item,
        "item_title": item.title,
        "station": _station_of(village),
        "village": village,
        "filed_by": None,
        "origin": Application.Origin.VILLAGER_ONLINE,
        "applicant_name": name,
        "applicant_mobile": mobile,
        "request_note": request_note,
        "form_version": item_form_current(item.pk),
    }
    try:
        with transaction.atomic():
            application = Application.objects.create(
                **fields, **({"client_token": client_token} if client_token else {})
            )
    except IntegrityError:  # the same token, a concurrent request
        return Application.objects.get(client_token=client_token, applicant_mobile=mobile)
    workflow.record(application, None, None, act=Act.START_ONLINE, who=Who.VILLAGER)
    return application


@transaction.atomic
def draft_hand_in_by_villager(*, application: Application) -> Application:
    """The villager hands their online draft to the station's assistants for a check. The caller
    proved it is theirs (the browser bound to the link). Handing in again changes nothing; the
    draft stays theirs to add to until an assistant takes it."""
    locked = workflow.lock(application)
    if not locked.awaits_taking or locked.state != State.DRAFT:
        raise DomainError(
            _("Application %(ref)s is already with the village assistant.") % {"ref": locked.reference}
        )
    if locked.handed_in_at is None:
        locked.handed_in_at = timezone.now()
        event = workflow.record(
            locked,
            None,
            None,
            act=Act.HAND_IN,
            who=Who.VILLAGER,
            fields=["handed_in_at"],
        )
        notifications.queue_handed_in(locked, event)
    return locked


@transaction.atomic
def application_take(*, actor: User, application: Application) -> Application:
    """An assistant of the station takes a villager's handed-in online draft (接手): from now on
    it is theirs, like a draft they started, and they answer for what they submit. Someone who
    may not take it learns nothing about it (NotPermitted, which the pages answer with 404)."""
    locked = workflow.lock(application)
    if not application_policy.user_may_take(actor, locked):
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    if not locked.awaits_taking or locked.state != State.DRAFT:
        raise DomainError(
            _("Application %(ref)s has already been taken by an assistant.") % {"ref": locked.reference}
        )
    if locked.handed_in_at is None:
        raise DomainError(
            _("The villager has not handed in application %(ref)s yet.") % {"ref": locked.reference}
        )
    locked.filed_by = actor
    workflow.record(locked, None, actor, act=Act.TAKE, who=Who.FILER, fields=["filed_by"])
    return locked


def _require_editable_by_filer(
    locked: Application, actor: User, *, states=(State.DRAFT, State.RETURNED)
) -> None:
    if not may_act_as(actor, locked, Who.FILER):
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    if locked.awaits_taking:
        raise DomainError(_take_first(locked))
    if locked.state not in states:
        raise DomainError(
            _("Application %(ref)s is “%(state)s” and can no longer be changed.")
            % {"ref": locked.reference, "state": locked.get_state_display()}
        )


@transaction.atomic
def draft_update(
    *,
    actor: User,
    application: Application,
    resident: Resident | None = None,
    request_note: str | None = None,
    typed_name: str | None = None,
    typed_mobile: str | None = None,
) -> Application:
    """Change who the draft is for or what they ask. No event: drafts are private work in progress.

    `typed_name` and `typed_mobile` say that the assistant typed the villager (the resident was
    found by the typed ID number). A resident registered in another village is then taken as it
    is, with the typed name and mobile on the application, so that the form answers exactly as for
    a new number and tells the assistant nothing about another village's register (issue 16,
    finding 14). The township clerk sees the difference on the application and resolves it
    before accepting (the detail page says where the villager is registered)."""
    locked = workflow.lock(application)
    _require_editable_by_filer(locked, actor, states=(State.DRAFT,))
    fields = []
    if resident is not None:
        elsewhere = resident.village_id != locked.village_id
        if elsewhere and typed_name is None:
            raise DomainError(_("The villager must live in %(village)s.") % {"village": locked.village})
        locked.resident = resident
        locked.applicant_name = (typed_name or "") if elsewhere else resident.name
        locked.applicant_mobile = (typed_mobile or "") if elsewhere else resident.mobile
        fields += ["resident", "applicant_name", "applicant_mobile"]
    if request_note is not None:
        locked.request_note = request_note
        fields.append("request_note")
    if fields:
        locked.save(update_fields=fields)
    return locked


@transaction.atomic
def file_attach(
    *,
    actor: User,
    application: Application,
    kind: str,
    uploaded,
    material: Material | None = None,
    notice_item: NoticeItem | None = None,
) -> ApplicationFile:
    """Check and store an uploaded file (its type read from its content). A material holds
    several files (每人一份: the ID card of each household member), so a new one is added; a new
    consent supersedes the old one, which is kept. Taking a file off is `file_remove`.

    `notice_item`: the line of the open one-time notice whose slot the file was uploaded in
    (its material, if it names one, is the file's material).

    Raises django's ValidationError with a message for the field when the file is refused."""
    locked = workflow.lock(application)
    if notice_item is not None:
        kind, material = ApplicationFile.Kind.MATERIAL, notice_item.material
    if kind == ApplicationFile.Kind.PROMISE:
        if not may_act_as(actor, locked, Who.HANDLER):
            raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    elif locked.state in CLOCK_STATES:
        _require_editable_by_filer(locked, actor, states=tuple(CLOCK_STATES))
        if material is None or not promised_materials(locked).filter(material=material).exists():
            raise DomainError(_("Only the materials promised at acceptance can be handed in now."))
    else:
        _require_editable_by_filer(locked, actor)
    if notice_item is not None and notice_item not in open_notice_lines(locked, settled=True):
        raise DomainError(_("That line of the one-time notice is not open (any more)."))
    if material is not None and material.page_id != locked.item_id:
        raise DomainError(_("That material is not on this item's checklist."))
    return _file_store(
        locked, kind=kind, material=material, notice_item=notice_item, uploaded=uploaded, by=actor
    )


def _file_store(
    locked: Application,
    *,
    kind: str,
    material: Material | None,
    notice_item: NoticeItem | None,
    uploaded,
    by: User | None,
    origin: str = ApplicationFile.Origin.STAFF,
    from_phone: bool = False,
) -> ApplicationFile:
    """Check and store one file on the locked application (the callers asked who may).

    `from_phone`: taken on a phone's camera (the villager's link): a photo too small or too dark
    to read is refused with a message saying what to do, since no assistant looks at it first."""
    checked = check_upload(uploaded, phone=from_phone)
    if kind == ApplicationFile.Kind.CONSENT:
        locked.files.filter(kind=kind, superseded_at__isnull=True).update(superseded_at=timezone.now())
    record = ApplicationFile(
        application=locked,
        kind=kind,
        material=material,
        material_name=material.name if material else (notice_item.material_name if notice_item else ""),
        notice_item=notice_item,
        display_name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
        origin=origin,
    )
    record.file.save(stored_name(checked), checked.content(uploaded), save=False)  # photos without EXIF
    record.save()
    return record


VILLAGER_EDITABLE = (State.DRAFT, State.RETURNED)
"""The states in which the villager's own phone may add to an application (网办)."""


def _require_villager_editable(locked: Application) -> None:
    if locked.state not in VILLAGER_EDITABLE:
        raise DomainError(
            _(
                "Application %(ref)s was already handed in: nothing more can be added here. Ask your village assistant."
            )
            % {"ref": locked.reference}
        )


@transaction.atomic
def villager_file_attach(
    *,
    application: Application,
    kind: str,
    uploaded,
    material: Material | None = None,
    from_phone: bool = True,
    event_data: dict | None = None,
) -> ApplicationFile:
    """A file the villager handed in on their own phone, through the link their assistant sent
    (the app `online` asked whether the link lets them): no account, so no `uploaded_by`; marked
    as from the villager's phone and written in the history as the villager's (actor None, in
    the capacity VILLAGER). A material goes beside the files before; a consent supersedes the old one.

    Raises django's ValidationError with a message for the field when the file is refused."""
    locked = workflow.lock(application)
    _require_villager_editable(locked)
    if kind == ApplicationFile.Kind.PROMISE:
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    if material is not None and material.page_id != locked.item_id:
        raise DomainError(_("That material is not on this item's checklist."))
    record = _file_store(
        locked,
        kind=kind,
        material=material,
        notice_item=None,
        uploaded=uploaded,
        by=None,
        origin=ApplicationFile.Origin.VILLAGER_PHONE,
        from_phone=from_phone,
    )
    workflow.record(
        locked,
        None,
        None,
        act=Act.VILLAGER_CONSENTED if kind == ApplicationFile.Kind.CONSENT else Act.VILLAGER_UPLOADED,
        who=Who.VILLAGER,
        data={
            "file": record.display_name,
            "material": record.material_name or record.get_kind_display(),
            **(event_data or {}),
        },
        comment=(event_data or {}).get("summary", ""),
    )
    return record


@transaction.atomic
def file_remove(*, actor: User, application: Application, file: ApplicationFile) -> None:
    """Take a file off a draft or a returned application: an explicit act, recorded in the
    history (FILE_REMOVED); the file is kept, marked superseded."""
    locked = workflow.lock(application)
    _require_editable_by_filer(locked, actor)
    taken = ApplicationFile.objects.filter(pk=file.pk, application=locked, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )
    if taken:
        workflow.record(
            locked,
            None,
            actor,
            act=Act.FILE_REMOVED,
            who=Who.FILER,
            data={"file": file.display_name, "material": file.material_name or file.get_kind_display()},
        )


def current_files(application: Application):
    return application.files.filter(superseded_at__isnull=True)


def latest_supplement_notice(application: Application) -> Notice | None:
    """The one-time notice the application is returned under (while it is returned), or None."""
    if application.state != State.RETURNED:
        return None
    return application.notices.filter(kind=Notice.Kind.SUPPLEMENT).order_by("-issued_at", "-pk").first()


def notice_lines_supplied(notice: Notice) -> dict[int, list]:
    """For each line of `notice`: what was handed in for it since the notice. For a material, the
    files (in its slot, or for the material it names), still current; for a form field, the
    events that changed that field (补正申请信息). Three queries."""
    lines = list(notice.items.all())
    files = list(
        ApplicationFile.objects.filter(
            application_id=notice.application_id,
            kind=ApplicationFile.Kind.MATERIAL,
            superseded_at__isnull=True,
        ).filter(Q(notice_item__in=lines) | Q(uploaded_at__gte=notice.issued_at))
    )
    changes = (
        list(
            ApplicationEvent.objects.filter(
                application_id=notice.application_id, act=Act.DATA_SUPPLEMENTED, at__gte=notice.issued_at
            )
        )
        if any(line.field_key for line in lines)
        else []
    )
    return {
        line.pk: (
            [event for event in changes if line.field_key in event.data.get("keys", [])]
            if line.field_key
            else [
                f
                for f in files
                if f.notice_item_id == line.pk
                or (
                    line.material_id is not None
                    and f.material_id == line.material_id
                    and f.uploaded_at >= notice.issued_at
                )
            ]
        )
        for line in lines
    }


def open_notice_lines(application: Application, *, settled: bool = False) -> list[NoticeItem]:
    """The lines of the open one-time notice that have neither a new file nor a written answer
    (all its lines with `settled`). Empty when the application is not returned."""
    notice = latest_supplement_notice(application)
    if notice is None:
        return []
    lines = list(notice.items.all())
    if settled:
        return lines
    supplied = notice_lines_supplied(notice)
    return [line for line in lines if not supplied[line.pk] and not line.answer.strip()]


@transaction.atomic
def notice_item_answer(
    *, actor: User, application: Application, notice_item: NoticeItem, answer: str
) -> NoticeItem:
    """The filing assistant's written answer to a line of the one-time notice, where no file can
    be handed in (e.g. "该户只有一人" against 每位家庭成员的身份证). The clerk reads it before
    accepting or returning again; an empty answer takes it back."""
    locked = workflow.lock(application)
    _require_editable_by_filer(locked, actor, states=(State.RETURNED,))
    if notice_item not in open_notice_lines(locked, settled=True):
        raise DomainError(_("That line of the one-time notice is not open (any more)."))
    answer = " ".join(answer.split())
    if len(answer) > 300:
        raise DomainError(_("Keep the answer under 300 characters."))
    notice_item.answer = answer
    notice_item.answered_by = actor if answer else None
    notice_item.answered_at = timezone.now() if answer else None
    notice_item.save(update_fields=["answer", "answered_by", "answered_at"])
    return notice_item


def missing_for_submission(application: Application) -> list[str]:
    """What still stops the assistant from submitting, in the words the form shows."""
    problems = []
    if application.resident_id is None:
        problems.append(_("Enter the villager's name, ID number and mobile."))
    files = list(current_files(application).values_list("kind", "material_id"))
    if (ApplicationFile.Kind.CONSENT, None) not in files:
        problems.append(_("Upload the villager's signed authorisation (授权委托书) or a photo of it."))
    uploaded = {material_id for kind, material_id in files if kind == ApplicationFile.Kind.MATERIAL}
    problems.extend(
        _("Upload “%(material)s”.") % {"material": material.name}
        for material in application.item.materials.all()
        if material.required and not material.may_be_missing and material.pk not in uploaded
    )
    problems.extend(item_data.problems(application, today=_today()))
    return problems


def resubmission_problems(application: Application) -> list[str]:
    """What stops the supplement from going back: what stops any submission, and every line of
    the one-time notice with neither a new file nor a written answer, named (issue 18, gap 4)."""
    problems = missing_for_submission(application)
    still_open = open_notice_lines(application)
    if still_open:
        problems.append(
            _(
                "Still open on the one-time notice: %(lines)s. Upload a new file for each, or write "
                "why none is needed; then send it back."
            )
            % {"lines": "、".join(f"“{line.material_name}”" for line in still_open)}
        )
    return problems


# -- submission and routing ----------------------------------------------------------------------


def _next_number(township: Region, day: datetime.date) -> str:
    """Township code, date and the day's sequence: 120115121-261122-007, read out in three groups.

    The per-township, per-day row is locked while the next value is taken, so concurrent
    submissions in one township queue for a moment and never share a number."""
    number = ApplicationSequence.take_next(township=township, day=day)
    return f"{township.code[:9]}-{day:%y%m%d}-{number:03d}"


@transaction.atomic
def application_submit(
    *, actor: User, application: Application, expected_version: int | None = None, comment: str = ""
) -> tuple[Application, bool]:
    """Submit a draft: route it as of now, number it, start the acceptance window, notify the villager.

    Returns (application, submitted). A second submission of the same draft (a double click, a
    resent form) finds it already submitted and changes nothing: (application, False). `comment`
    goes on the event (the assistant's confirmation of a duplicate, `selectors.application_duplicates`)."""
    locked = workflow.lock(application)
    if locked.state != State.DRAFT and locked.number and may_act_as(actor, locked, Who.FILER):
        return locked, False
    step = workflow.check(locked, Act.SUBMIT, actor, None)
    _require_proxy_item(locked.item)
    # The form it is filed under from now on: the item's newest (a draft follows it until here).
    version = item_data.version_for_draft(locked)
    if version != locked.form_version:
        locked.form_version = version
        locked.save(update_fields=["form_version"])
    problems = missing_for_submission(locked)
    if problems:
        raise DomainError(" ".join(problems))
    today = _today()
    township = required(locked.village.parent, "village.parent")
    route = service_item_route(item=locked.item, township=township, on=today)
    calendar = deadlines.calendar_around(today)
    locked.number = _next_number(township, today)
    locked.handling_office = route.office
    locked.current_office = route.office
    locked.delegation = route.delegation
    locked.mode = route.mode or ""
    locked.item_title = locked.item.title
    locked.submitted_at = timezone.now()
    locked.received_on = today
    locked.accept_by = deadlines.acceptance_deadline(today, calendar)
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={
            "office": route.office.name,
            "mode": locked.mode,
            "delegation": route.delegation.document_number if route.delegation else "",
            "accept_by": locked.accept_by.isoformat(),
        },
        fields=[
            "number",
            "handling_office",
            "current_office",
            "delegation",
            "mode",
            "item_title",
            "submitted_at",
            "received_on",
            "accept_by",
        ],
    )
    return locked, True


# -- the item's own facts (申请表 data) ----------------------------------------------------------


def _sealed_save(locked: Application, form, data: dict) -> None:
    locked.item_data, locked.item_secrets = item_data.seal(form, data)
    locked.save(update_fields=["item_data", "item_secrets", "form_version"])


def _changes(form, keys, before: dict, after: dict) -> list[dict[str, str]]:
    """The history's record of what changed, masked: [{key, field, before, after}], in the
    county's language whatever the clerk's screen is in (it is read as written, like a comment)."""
    places = item_data.regions()
    with translation.override(settings.LANGUAGE_CODE):
        return _change_rows(form, keys, before, after, places)


def _change_rows(form, keys, before: dict, after: dict, places) -> list[dict[str, str]]:
    return [
        {
            "key": key,
            "field": form.field(key).label,
            "before": item_data.value_text(form, key, before, places),
            "after": item_data.value_text(form, key, after, places),
        }
        for key in keys
        if before.get(key) != after.get(key)
    ]


@transaction.atomic
def item_data_save(*, actor: User, application: Application, raw) -> Parsed:
    """The filer's answers to the item's form: on a draft, every field the villager answers,
    checked as far as typed (a draft may be incomplete, never wrong); after a return, only the
    fields the one-time notice names, checked in full, each change recorded (补正申请信息).

    A field whose input was refused keeps its earlier value; the page shows what was typed next
    to the refusal. Office fields (核定) are never taken from the filer, whatever was sent."""
    locked = workflow.lock(application)
    _require_editable_by_filer(locked, actor)
    before = item_data.full_data(locked)
    if locked.state == State.DRAFT:
        locked.form_version = item_data.version_for_draft(locked)
    keys = _answerable_keys(locked)
    form = item_data.form_of(locked)
    if keys is not None and not keys:
        return Parsed(data=before)
    if form.is_empty:
        return Parsed(data=before)
    parsed, data = _keep_refused(locked, form, raw, keys=keys, before=before)
    _sealed_save(locked, form, data)
    if locked.state == State.RETURNED:
        changes = _changes(form, sorted(keys or ()), before, data)
        if changes:
            workflow.record(
                locked,
                None,
                actor,
                act=Act.DATA_SUPPLEMENTED,
                who=Who.FILER,
                data={"keys": [change["key"] for change in changes], "changes": changes},
            )
    return parsed


def _answerable_keys(locked: Application) -> set[str] | None:
    """The fields the filer's side may answer now: on a draft every one (None), after a return
    only those the one-time notice names."""
    if locked.state == State.DRAFT:
        return None
    return {line.field_key for line in open_notice_lines(locked, settled=True) if line.field_key}


def _keep_refused(
    locked: Application, form, raw, *, keys: set[str] | None, before: dict
) -> tuple[Parsed, dict]:
    """Check the input; a field whose input was refused keeps its earlier value (a draft keeps
    the entries of a group that passed). Returns the check and the data to save."""
    partial = locked.state == State.DRAFT
    parsed = item_data.check(locked, form, raw, partial=partial, keys=keys, today=_today())
    data = dict(parsed.data)
    for path in parsed.errors:
        key = path.split(".", 1)[0]
        spec = form.field(key)
        if partial and spec is not None and spec.kind == Kind.GROUP and key in data:
            continue  # a draft keeps the entries' answers that passed
        if key in before:
            data[key] = before[key]
        else:
            data.pop(key, None)
    return parsed, data


@transaction.atomic
def villager_item_data_save(*, application: Application, raw, keys: set[str]) -> Parsed:
    """The villager's own answers on their phone (网办), to the fields their assistant asked
    for (`keys`): the same checks as the filer's (`item_data_save`), never an office field
    (核定), and after a return only the fields the one-time notice names. Every change is
    recorded, masked, as the villager's (VILLAGER_ANSWERED), so the assistant sees what arrived."""
    locked = workflow.lock(application)
    _require_villager_editable(locked)
    before = item_data.full_data(locked)
    if locked.state == State.DRAFT:
        locked.form_version = item_data.version_for_draft(locked)
    form = item_data.form_of(locked)
    answerable = _answerable_keys(locked)
    allowed = {
        key
        for key in keys
        if (spec := form.field(key)) is not None
        and not spec.office_only
        and (answerable is None or key in answerable)
    }
    if form.is_empty or not allowed:
        return Parsed(data=before)
    # The phone shows ID and account numbers masked: whoever holds the link never reads them.
    raw = item_data.unmask_sent(form, locked, raw)
    parsed, data = _keep_refused(locked, form, raw, keys=allowed, before=before)
    changes = _changes(form, sorted(allowed), before, data)
    if not changes:
        return parsed
    _sealed_save(locked, form, data)
    workflow.record(
        locked,
        None,
        None,
        act=Act.VILLAGER_ANSWERED if locked.state == State.DRAFT else Act.DATA_SUPPLEMENTED,
        who=Who.VILLAGER,
        data={"keys": [change["key"] for change in changes], "changes": changes},
    )
    return parsed


ITEM_DATA_CORRECTABLE = frozenset({State.SUBMITTED, State.ACCEPTED, State.REVIEWED})
"""While the work is at the office and not yet decided, its clerk may correct or enter a field."""


def item_data_correctable_by(actor: User | None, application: Application) -> bool:
    """May `actor` correct this application's form now? The page's links and the service's
    refusal ask the same question."""
    return application.state in ITEM_DATA_CORRECTABLE and may_act_as(actor, application, Who.HANDLER)


@transaction.atomic
def item_data_correct(
    *, actor: User, application: Application, key: str, raw, reason: str, expected_version: int | None = None
) -> Parsed:
    """The handling clerk corrects one field (更正, with a written reason) or enters an office
    field (核定, e.g. 月保障金额). Both are recorded with the value before and after; nothing is
    saved if the new value is refused. Only the office where the work sits may do it, while it is
    there and not yet decided."""
    locked = workflow.lock(application)
    if not may_act_as(actor, locked, Who.HANDLER):
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    if expected_version is not None and locked.version != expected_version:
        raise ApplicationChanged(
            _(
                "Application %(ref)s has changed since you opened it (someone else acted on it). "
                "Nothing was done; look at it again. (已被处理)"
            )
            % {"ref": locked.reference}
        )
    if locked.state not in ITEM_DATA_CORRECTABLE:
        raise DomainError(
            _("Application %(ref)s is “%(state)s”: its form can no longer be changed.")
            % {"ref": locked.reference, "state": locked.get_state_display()}
        )
    form = item_data.form_of(locked)
    spec = form.field(key)
    if spec is None:
        raise DomainError(_("That field is not on this application's form."))
    before = item_data.full_data(locked)
    reason = " ".join((reason or "").split())
    if not reason and not (spec.office_only and before.get(key) in (None, "", [])):
        raise DomainError(
            _("Write why the villager's answer is changed (更正理由); it is kept in the history.")
        )
    if len(reason) > 300:
        raise DomainError(_("Keep the reason under 300 characters."))
    parsed = item_data.check(locked, form, raw, partial=False, keys={key}, today=_today())
    if parsed.errors:
        return parsed
    if before.get(key) == parsed.data.get(key):
        raise DomainError(_("The new value is the same as the old one: nothing was changed."))
    _sealed_save(locked, form, parsed.data)
    workflow.record(
        locked,
        None,
        actor,
        act=Act.DATA_ASSESSED if spec.office_only else Act.DATA_CORRECTED,
        who=Who.HANDLER,
        comment=reason,
        data={"keys": [key], "changes": _changes(form, [key], before, parsed.data)},
    )
    return parsed


# -- township work -------------------------------------------------------------------------------


@transaction.atomic
def application_assign(
    *, actor: User, application: Application, expected_version: int | None = None
) -> Application:
    """Take an application (认领) so that no other clerk works the same file."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.ASSIGN, actor, expected_version)
    if locked.assignee_id == actor.pk:
        return locked
    if locked.assignee_id is not None and not may_act_as(actor, locked, Who.SUPERVISOR):
        _check_assignee(locked, actor)
    locked.assignee = actor
    workflow.record(locked, step, actor, fields=["assignee"])
    return locked


@transaction.atomic
def application_reassign(
    *, actor: User, application: Application, to: User, expected_version: int | None = None, comment: str = ""
) -> Application:
    """A supervisor moves work to another clerk of the same office (改派)."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.REASSIGN, actor, expected_version)
    if not application_policy.user_may_set(actor, "assignee", to, locked):
        raise DomainError(
            _("%(name)s does not handle work of %(office)s.") % {"name": to, "office": locked.current_office}
        )
    previous = locked.assignee
    locked.assignee = to
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={"from": str(previous) if previous else "", "to": str(to)},
        fields=["assignee"],
    )
    return locked


def _take_if_free(locked: Application, actor: User | None) -> list[str]:
    if actor is not None and locked.assignee_id is None:
        locked.assignee = actor
        return ["assignee"]
    return []


def _start_clock(locked: Application, accepted_on: datetime.date) -> list[str]:
    calendar = deadlines.calendar_around(accepted_on, working_days=locked.item.promised_limit_days)
    locked.accepted_on = accepted_on
    locked.limit_days = locked.item.promised_limit_days
    locked.paused_days = 0
    locked.due_on = deadlines.due_date(accepted_on, locked.limit_days, 0, calendar)
    return ["accepted_on", "limit_days", "paused_days", "due_on"]


@transaction.atomic
def application_accept(
    *, actor: User, application: Application, expected_version: int | None = None, comment: str = ""
) -> Application:
    """Accept (受理): the promised time limit starts today."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.ACCEPT, actor, expected_version)
    fields = _take_if_free(locked, actor) + _start_clock(locked, _today())
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={"due_on": required(locked.due_on, "due_on").isoformat()},
        fields=fields,
    )
    return locked


def _notice_items(locked: Application, items: list[MissingItem], *, with_dates: bool) -> None:
    if not items:
        raise DomainError(_("List at least one material and what is wrong with it."))
    form = item_data.form_of(locked)
    for item in items:
        if item.material is not None and item.material.page_id != locked.item_id:
            raise DomainError(_("That material is not on this item's checklist."))
        if item.field_key:
            spec = form.field(item.field_key)
            if spec is None or spec.office_only or item.material is not None:
                raise DomainError(_("That field is not on this application's form."))
        if not item.reason.strip():
            raise DomainError(_("Say what is wrong with “%(material)s”.") % {"material": item.material_name})
        if not item.material_name.strip():
            raise DomainError(_("Name the material."))
        if with_dates and item.due_on is None:
            raise DomainError(
                _("Give the date by which “%(material)s” must be handed in.")
                % {"material": item.material_name}
            )


def _write_notice(locked: Application, kind: str, actor: User, items: list[MissingItem], note: str) -> Notice:
    notice = Notice.objects.create(
        application=locked,
        kind=kind,
        issued_by=actor,
        office=required(locked.current_office, "current_office"),
        note=note,
    )
    NoticeItem.objects.bulk_create(
        [
            NoticeItem(
                notice=notice,
                material=item.material,
                material_name=item.material_name.strip(),
                field_key=item.field_key,
                reason=item.reason.strip(),
                due_on=item.due_on,
            )
            for item in items
        ]
    )
    return notice


@transaction.atomic
def application_accept_with_promise(
    *,
    actor: User,
    application: Application,
    items: list[MissingItem],
    promise_file,
    expected_version: int | None = None,
    comment: str = "",
) -> Application:
    """容缺受理: accept with minor materials to follow on the villager's signed promise.

    Only materials the item marks as allowed to be missing; each with a date no later than the
    promised time limit's end. A promise not kept by its date terminates the case
    (`approvals.reminders`)."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.ACCEPT_WITH_PROMISE, actor, expected_version)
    _notice_items(locked, items, with_dates=True)
    for item in items:
        if item.material is None or not item.material.may_be_missing:
            raise DomainError(
                _("“%(material)s” may not be missing at acceptance (the item does not allow 容缺 for it).")
                % {"material": item.material_name}
            )
    if promise_file is None:
        raise DomainError(_("Upload the villager's signed promise (容缺受理承诺书)."))
    fields = _take_if_free(locked, actor) + _start_clock(locked, _today())
    due_on = required(locked.due_on, "due_on")
    for item in items:
        item_due = required(item.due_on, "item.due_on")  # _notice_items(with_dates=True) checked it
        if item_due < _today() or item_due > due_on:
            raise DomainError(
                _("The date for “%(material)s” must be between today and the due date %(due)s.")
                % {"material": item.material_name, "due": locked.due_on}
            )
    locked.save(update_fields=fields)
    file_attach(actor=actor, application=locked, kind=ApplicationFile.Kind.PROMISE, uploaded=promise_file)
    notice = _write_notice(locked, Notice.Kind.PROMISE, actor, items, comment)
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={"notice": notice.pk, "due_on": due_on.isoformat()},
    )
    return locked


def promised_materials(locked: Application):
    return NoticeItem.objects.filter(
        notice__application=locked, notice__kind=Notice.Kind.PROMISE, supplied_at__isnull=True
    )


@transaction.atomic
def application_supply(
    *,
    actor: User,
    application: Application,
    notice_item: NoticeItem,
    uploaded,
    expected_version: int | None = None,
) -> Application:
    """The assistant hands in a material promised at a 容缺 acceptance."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.SUPPLY, actor, expected_version)
    item = promised_materials(locked).filter(pk=notice_item.pk).first()
    if item is None:
        raise DomainError(_("That material is not owed (any more)."))
    file_attach(
        actor=actor,
        application=locked,
        kind=ApplicationFile.Kind.MATERIAL,
        uploaded=uploaded,
        material=item.material,
    )
    item.supplied_at = timezone.now()
    item.save(update_fields=["supplied_at"])
    if not promised_materials(locked).exists():
        Notice.objects.filter(pk=item.notice_id).update(answered_at=timezone.now())
    workflow.record(locked, step, actor, data={"material": item.material_name})
    return locked


@transaction.atomic
def application_return(
    *,
    actor: User,
    application: Application,
    items: list[MissingItem],
    expected_version: int | None = None,
    note: str = "",
) -> Notice:
    """Return for supplement with a one-time notice (一次性告知, 行政许可法 第三十二条): every missing
    or wrong material at once. The acceptance window stops until the assistant resubmits."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.RETURN, actor, expected_version)
    return _return_with_notice(locked, step, actor, items, note)


def _return_with_notice(
    locked: Application, step: workflow.Step, actor: User, items: list[MissingItem], note: str, **data: str
) -> Notice:
    """What a first and a second return share: the notice, its lines, the recorded step."""
    _notice_items(locked, items, with_dates=False)
    fields = _take_if_free(locked, actor)
    notice = _write_notice(locked, Notice.Kind.SUPPLEMENT, actor, items, note)
    workflow.record(
        locked,
        step,
        actor,
        comment=note,
        data={"notice": notice.pk, "items": [item.material_name for item in items], **data},
        fields=fields,
    )
    return notice


@transaction.atomic
def application_agree_second_return(
    *, actor: User, application: Application, reason: str, expected_version: int | None = None
) -> Application:
    """同意再次退回: the supervisor's written reason for returning an application a second time.
    A clerk of the centre (someone else) then returns it (`application_return_again`)."""
    return _step_with_reason(
        application,
        Act.AGREE_SECOND_RETURN,
        actor,
        reason,
        expected_version,
        missing=_("Write why the application must be returned a second time."),
    )


def _step_with_reason(
    application: Application, act: str, actor: User, text: str, expected_version: int | None, *, missing: str
) -> Application:
    """A step whose one input is the written reason the history keeps; refused without one."""
    locked = workflow.lock(application)
    step = workflow.check(locked, act, actor, expected_version)
    if not text.strip():
        raise DomainError(missing)
    workflow.record(locked, step, actor, comment=text.strip())
    return locked


@transaction.atomic
def application_return_again(
    *,
    actor: User,
    application: Application,
    items: list[MissingItem],
    expected_version: int | None = None,
    note: str = "",
) -> Notice:
    """再次退回: a second one-time notice, on the supervisor's agreement given by someone else.
    Recorded as its own act (SECOND_RETURN) so broken one-time notices can be counted per
    centre (`selectors.second_returns_by_office`)."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.SECOND_RETURN, actor, expected_version)
    agreement = required(second_return_agreement(locked), "agreement")  # the step's blocker checked it
    return _return_with_notice(
        locked,
        step,
        actor,
        items,
        note,
        agreed_by=str(agreement.actor) if agreement.actor else "",
        reason=agreement.comment,
    )


@transaction.atomic
def application_resubmit(
    *, actor: User, application: Application, expected_version: int | None = None, comment: str = ""
) -> Application:
    """Send back the supplemented application; the 5-day acceptance window starts again today."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.RESUBMIT, actor, expected_version)
    problems = resubmission_problems(locked)
    if problems:
        raise DomainError(" ".join(problems))
    # resubmission_problems refused any line with neither a new file nor a written answer.
    notice = latest_supplement_notice(locked)
    supplied: dict[int, list] = notice_lines_supplied(notice) if notice else {}
    lines = list(notice.items.all()) if notice else []
    now = timezone.now()
    for line in lines:
        if supplied[line.pk] and line.supplied_at is None:
            line.supplied_at = now
            line.save(update_fields=["supplied_at"])
    today = _today()
    locked.received_on = today
    locked.accept_by = deadlines.acceptance_deadline(today, deadlines.calendar_around(today))
    locked.notices.filter(kind=Notice.Kind.SUPPLEMENT, answered_at__isnull=True).update(
        answered_at=timezone.now()
    )
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={
            "accept_by": locked.accept_by.isoformat(),
            "supplied": [line.material_name for line in lines if supplied[line.pk]],
            "answered": [line.material_name for line in lines if not supplied[line.pk]],
        },
        fields=["received_on", "accept_by"],
    )
    return locked


@transaction.atomic
def application_pause(
    *,
    actor: User,
    application: Application,
    procedure: str,
    expected_version: int | None = None,
    comment: str = "",
) -> Application:
    """A special procedure (公示, 现场勘查 …) starts: the promised limit stops counting."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.PAUSE, actor, expected_version)
    names = set(locked.item.special_procedures.values_list("name", flat=True))
    if procedure not in names:
        raise DomainError(_("Choose one of the item's special procedures."))
    locked.paused_since = _today()
    locked.pause_name = procedure
    fields = _take_if_free(locked, actor) + ["paused_since", "pause_name"]
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={"procedure": procedure},
        fields=fields,
    )
    return locked


@transaction.atomic
def application_resume(
    *, actor: User, application: Application, expected_version: int | None = None, comment: str = ""
) -> Application:
    """The special procedure ends: its working days are added to the due date."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.RESUME, actor, expected_version)
    today = _today()
    accepted_on = required(locked.accepted_on, "accepted_on")
    calendar = deadlines.calendar_around(accepted_on, today, working_days=locked.limit_days or 0)
    paused = calendar.working_days_between(required(locked.paused_since, "paused_since"), today)
    name = locked.pause_name
    locked.paused_days += paused
    locked.paused_since = None
    locked.pause_name = ""
    locked.due_on = deadlines.due_date(
        accepted_on, required(locked.limit_days, "limit_days"), locked.paused_days, calendar
    )
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={"procedure": name, "paused_days": paused, "due_on": locked.due_on.isoformat()},
        fields=["paused_days", "paused_since", "pause_name", "due_on"],
    )
    return locked


@transaction.atomic
def application_review(
    *, actor: User, application: Application, comment: str, expected_version: int | None = None
) -> Application:
    """审核: the clerk's opinion, passed to the supervisor for approval (审批)."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.REVIEW, actor, expected_version)
    if not comment.strip():
        raise DomainError(_("Write your review opinion for the supervisor."))
    fields = _take_if_free(locked, actor)
    workflow.record(locked, step, actor, comment=comment.strip(), fields=fields)
    return locked


@transaction.atomic
def application_send_back(
    *, actor: User, application: Application, comment: str, expected_version: int | None = None
) -> Application:
    """The supervisor sends the file back to the clerk with what to look at again."""
    return _step_with_reason(
        application,
        Act.SEND_BACK,
        actor,
        comment,
        expected_version,
        missing=_("Say what the clerk should look at again."),
    )


@transaction.atomic
def application_forward(
    *, actor: User, application: Application, comment: str, expected_version: int | None = None
) -> Application:
    """上报: a township centre passes the file to the item's holding county department, which
    decides it; the clock keeps running."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.FORWARD, actor, expected_version)
    if not comment.strip():
        raise DomainError(_("Say why the township may not decide it."))
    department = locked.item.department
    _take_if_free(locked, actor)
    origin = locked.current_office
    locked.current_office = department
    locked.assignee = None
    workflow.record(
        locked,
        step,
        actor,
        comment=comment.strip(),
        data={"from": required(origin, "current_office").name, "to": department.name},
        fields=["current_office", "assignee"],
    )
    return locked


@transaction.atomic
def application_approve(
    *, actor: User, application: Application, expected_version: int | None = None, comment: str = ""
) -> Application:
    """准予. Where the item needs the supervisor's approval, a clerk's approval is refused: review instead."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.APPROVE, actor, expected_version)
    _decide(locked, step, Act.APPROVE, actor, reason=comment, basis="")
    return locked


@transaction.atomic
def application_reject(
    *,
    actor: User,
    application: Application,
    reason: str,
    basis: str,
    expected_version: int | None = None,
) -> Application:
    """不予: the reason and the legal basis are required (行政许可法 第三十八条)."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.REJECT, actor, expected_version)
    if not reason.strip() or not basis.strip():
        raise DomainError(_("Give the reason and the legal basis for refusing."))
    _decide(locked, step, Act.REJECT, actor, reason=reason.strip(), basis=basis.strip())
    return locked


def _decide(
    locked: Application, step: workflow.Step, act: str, actor: User, *, reason: str, basis: str
) -> None:
    """Record the decision; an approval of an item that results in a certificate issues it in
    the same transaction (出证), so there is never an approval without its paper."""
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.decision_basis = basis
    fields = _take_if_free(locked, actor) + ["decided_at", "decision_reason", "decision_basis"]
    workflow.record(locked, step, actor, comment=reason, data={"basis": basis}, fields=fields)
    if act == Act.APPROVE:
        extensions.application_approved.send(
            sender=Application, application=locked, actor=actor, who=step.who
        )


@transaction.atomic
def application_withdraw(
    *, actor: User, application: Application, reason: str = "", expected_version: int | None = None
) -> Application:
    """撤回 at the villager's wish, by their assistant, any time before a decision."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.WITHDRAW, actor, expected_version)
    if locked.state != State.DRAFT and not reason.strip():
        raise DomainError(_("Say why the villager withdraws the application."))
    workflow.record(locked, step, actor, comment=reason.strip())
    return locked


# -- the system's steps (called by approvals.reminders) ------------------------------------------


@transaction.atomic
def application_deem_accepted(*, application: Application) -> Application | None:
    """行政许可法 第三十二条: no acceptance or notice within 5 working days means the application
    counts as accepted from the day the materials were received; the clock runs from that day.

    A window counted through a year without a confirmed calendar is given
    `PROVISIONAL_ACCEPTANCE_MARGIN_DAYS` more before this legal effect is applied (see there)."""
    locked = workflow.lock(application)
    today = _today()
    if locked.state != State.SUBMITTED or locked.accept_by is None or locked.accept_by >= today:
        return None
    received_on = required(locked.received_on, "received_on")
    calendar = deadlines.calendar_around(received_on, today, working_days=0)
    provisional = calendar.unconfirmed_years(received_on, locked.accept_by)
    if provisional and calendar.working_days_between(locked.accept_by, today) <= (
        deadlines.PROVISIONAL_ACCEPTANCE_MARGIN_DAYS
    ):
        return None
    step = workflow.check(locked, Act.DEEM_ACCEPTED, None, None)
    fields = _start_clock(locked, received_on)
    workflow.record(
        locked,
        step,
        None,
        comment=_("Not accepted or returned within %(days)s working days: counted as accepted from %(day)s.")
        % {"days": deadlines.ACCEPTANCE_WINDOW_DAYS, "day": locked.received_on},
        data={"due_on": required(locked.due_on, "due_on").isoformat(), "provisional_years": provisional},
        fields=fields,
    )
    return locked


@transaction.atomic
def application_deadline_recount(
    *, application: Application, calendar: WorkCalendar, actor: User | None = None
) -> Application | None:
    """Count the open deadline again on the calendar as it now is, after an administrator
    confirmed a year or changed a confirmed one: the acceptance window of submitted work, the
    promised limit (with its paused days) of accepted work.

    When the date moved: a DEADLINE_MOVED event with both dates, a new version (a clerk's form
    opened before sees the change), the due-soon/overdue mark cleared for the sweep to set again,
    and the villager's text message; None when nothing moved, and nobody is told."""
    locked = workflow.lock(application)
    changes: dict[str, tuple[datetime.date | None, datetime.date]] = {}
    if locked.state == State.SUBMITTED and locked.received_on:
        new = deadlines.acceptance_deadline(locked.received_on, calendar)
        if new != locked.accept_by:
            changes["accept_by"] = (locked.accept_by, new)
    if locked.state in CLOCK_STATES and locked.accepted_on and locked.limit_days is not None:
        new = deadlines.due_date(locked.accepted_on, locked.limit_days, locked.paused_days, calendar)
        if new != locked.due_on:
            changes["due_on"] = (locked.due_on, new)
    if not changes:
        return None
    for field, (_old, new) in changes.items():
        setattr(locked, field, new)
    locked.alert = ""
    workflow.record(
        locked,
        None,
        actor,
        act=Act.DEADLINE_MOVED,
        who=Who.SYSTEM,
        data={
            field: {"from": old.isoformat() if old else None, "to": new.isoformat()}
            for field, (old, new) in changes.items()
        },
        fields=[*changes, "alert"],
    )
    return locked


@transaction.atomic
def application_terminate(*, application: Application, reason: str) -> Application | None:
    """终止: a material promised at a 容缺 acceptance was not handed in by its date."""
    locked = workflow.lock(application)
    if locked.state not in CLOCK_STATES:
        return None
    step = workflow.check(locked, Act.TERMINATE, None, None)
    workflow.record(locked, step, None, comment=reason)
    return locked


# -- tracking locks and ID numbers ---------------------------------------------------------------


@transaction.atomic
def tracking_unlock(*, actor: User, application: Application) -> Application:
    """The assistant or the centre lets the villager look the application up online again: lifts
    the lock after too many failures in all, and the day's pause too (failures before the unlock
    no longer count, approvals.tracking)."""
    locked = workflow.lock(application)
    who = application_policy.capacity_for(actor, UNLOCK_TRACKING, locked)
    if who is None:
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    # An application without a number was never tracked, so nothing pauses it.
    if locked.tracking_locked_at is None and not (locked.number and tracking_paused(locked.number)):
        return locked
    locked.tracking_locked_at = None
    workflow.record(locked, None, actor, act=Act.UNLOCK_TRACKING, who=who, fields=["tracking_locked_at"])
    return locked


def id_number_reveal(*, actor: User, application: Application) -> str:
    """The villager's full ID number, for staff who handle the application; every reveal is logged
    (个人信息保护法 第五十一条). Others get the masked number, and nothing is logged."""
    resident = application.resident
    if resident is None:
        return ""
    if not application_policy.user_has_permission_for_instance(actor, REVEAL_ID_NUMBER, application):
        return resident.id_number_masked
    IdNumberDisclosure.objects.create(
        viewer=actor, resident=resident, context=f"application {application.reference}"
    )
    audit_services.audit_record(
        event="id_number_view", user=actor, obj=application, detail={"masked": resident.id_number_masked}
    )
    return resident.id_number


# -- reuse with consent (免提交) --------------------------------------------------------------


def _consent(note: str) -> str:
    """The villager's consent as the history keeps it; none, nothing is reused."""
    note = " ".join((note or "").split())
    if not note:
        raise DomainError(
            _(
                "The villager must agree to using what they handed in before (村民同意使用以前提交的材料/信息)."
            )
        )
    if len(note) > 200:
        raise DomainError(_("Keep the note on the villager's consent under 200 characters."))
    return note


def _reuse_comment(what: str, source: Application, day: datetime.date, consent: str) -> str:
    """The history's line for the clerk: what came from where and when, and how the villager agreed."""
    return _("%(what)s from %(ref)s (%(date)s); the villager's consent: %(consent)s") % {
        "what": what,
        "ref": source.reference,
        "date": f"{day:%Y-%m-%d}",
        "consent": consent,
    }


def _reuse_source(actor: User, locked: Application, source_pk: int) -> Application:
    """The source application, if `locked` may reuse from it (`reuse.reuse_sources_for`);
    else the same refusal whether it exists or not, so nothing about it is told."""
    source = reuse_sources_for(actor, locked).filter(pk=source_pk).first()
    if source is None:
        raise NotPermitted(_("That earlier material or answer cannot be used for this application."))
    return source


@transaction.atomic
def material_reuse(
    *, actor: User, application: Application, source_file: ApplicationFile, consent_note: str
) -> ApplicationFile:
    """With the villager's consent, take a material they handed in for an earlier application
    (the ID card scan, the 户口簿) instead of scanning it again: a new file on the draft (or the
    returned application) for the matching material, pointing at the SAME stored file, with
    `reused_from` saying where it came from. Recorded as REUSED with the source and the consent."""
    locked = workflow.lock(application)
    _require_editable_by_filer(locked, actor)
    note = _consent(consent_note)
    source = _reuse_source(actor, locked, source_file.application_id)
    file = source.files.filter(
        pk=source_file.pk, kind=ApplicationFile.Kind.MATERIAL, superseded_at__isnull=True
    ).first()
    if file is None:
        raise NotPermitted(_("That earlier material or answer cannot be used for this application."))
    name = material_key(file.material.name if file.material is not None else file.material_name)
    material = next((m for m in locked.item.materials.all() if material_key(m.name) == name), None)
    if material is None:
        raise DomainError(_("That material is not on this item's checklist."))
    if current_files(locked).filter(material=material, sha256=file.sha256).exists():
        raise DomainError(_("This file is already on the application."))
    record = ApplicationFile.objects.create(
        application=locked,
        kind=ApplicationFile.Kind.MATERIAL,
        material=material,
        material_name=material.name,
        file=file.file.name,
        display_name=file.display_name,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        thumbnail=file.thumbnail.name or "",
        uploaded_by=actor,
        reused_from=file,
    )
    workflow.record(
        locked,
        None,
        actor,
        act=Act.REUSED,
        who=Who.FILER,
        comment=_reuse_comment(material.name, source, timezone.localdate(file.uploaded_at), note),
        data={
            "source": source.reference,
            "file": file.display_name,
            "material": material.name,
            "source_date": timezone.localdate(file.uploaded_at).isoformat(),
            "consent": note,
        },
    )
    return record


@transaction.atomic
def fact_reuse(
    *, actor: User, application: Application, source_application: Application, key: str, consent_note: str
) -> Application:
    """With the villager's consent, copy one answer of an earlier application (a bank account, a
    person, any field of the same key and kind) into the draft's form, checked by the draft's own
    rules. The full numbers are copied (`item_data.full_data`) and sealed again; the history
    shows them masked. Recorded as REUSED with the source and the consent."""
    locked = workflow.lock(application)
    _require_editable_by_filer(locked, actor, states=(State.DRAFT,))
    note = _consent(consent_note)
    source = _reuse_source(actor, locked, source_application.pk)
    locked.form_version = item_data.version_for_draft(locked)
    form = item_data.form_of(locked)
    spec = form.field(key)
    if spec is None or spec.office_only:
        raise DomainError(_("This application's form has no such field to fill from an earlier one."))
    value = fact_source_value(source, spec)
    if value is None:
        raise DomainError(_("The earlier application has no answer for “%(field)s”.") % {"field": spec.label})
    flat = flatten(form, {key: value})
    parsed = item_data.check(locked, form, flat, partial=True, keys={key}, today=_today())
    if parsed.errors:
        raise DomainError(
            _("The earlier answer for “%(field)s” does not fit this form: %(error)s")
            % {"field": spec.label, "error": " ".join(e for errors in parsed.errors.values() for e in errors)}
        )
    before = item_data.full_data(locked)
    if before.get(key) == parsed.data.get(key):
        raise DomainError(
            _("The application already has this answer for “%(field)s”.") % {"field": spec.label}
        )
    _sealed_save(locked, form, parsed.data)
    given_on = timezone.localdate(source.submitted_at or source.created_at)
    workflow.record(
        locked,
        None,
        actor,
        act=Act.REUSED,
        who=Who.FILER,
        comment=_reuse_comment(spec.label, source, given_on, note),
        data={
            "source": source.reference,
            "field": spec.label,
            "key": key,
            "source_date": given_on.isoformat(),
            "consent": note,
            "changes": _changes(form, [key], before, parsed.data),
        },
    )
    return locked
