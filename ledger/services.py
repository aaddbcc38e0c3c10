"""Every change to a ledger item: one function per action, each in one transaction.

Each action runs through the workflow machine (`portal.workflow`, declared here as `WORKFLOW`):
it (1) locks the item's row (`select_for_update`, a real row lock on PostgreSQL), (2) looks its
step up in `ledger.states.TABLE`, (3) checks that the actor holds one of the
step's capacities (object permissions on the village's station or the township centre, or being
the item's assignee), (4) applies the change, (5) writes one append-only `LedgerEvent` and
(6) queues the text messages, all or nothing. Two people acting on one item at once: the second
waits for the lock, then finds the state or version changed and is told so.

Closing (销号) has two doors only, both the villager's word: `ledger_item_villager_answer` after
the public proof (number and the mobile's last 4 digits), or the assistant recording it with
`ledger_item_record_confirmation`. Nothing else reaches `State.CLOSED`.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import workflow
from portal.errors import DomainError, NotPermitted, required
from portal.files.uploads import check_upload, stored_name
from portal.offices.models import Office, OfficeKind
from portal.people.identity import normalise_mobile, validate_mobile
from portal.people.models import User
from portal.places.models import Region, RegionLevel

from . import notifications, public
from .models import ClosedVia, Helper, Kind, LedgerEvent, LedgerItem, LedgerPhoto, LedgerSequence, Source
from .policies import REGISTER, ledger_policy
from .states import TABLE, Act, Who

NEED_MAX_LENGTH = 1000
PROMISE_MAX_LENGTH = 300
PROMISE_HORIZON_DAYS = 366
"""A promise further ahead than a year is not a promise a notice board can hold anyone to."""
PHOTO_TYPES = ("image/jpeg", "image/png")


class LedgerItemChanged(DomainError):
    """The item moved on since the page was shown (someone else acted first)."""


# -- who may act: `ledger.policies.ledger_policy` -------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _capacity(actor: User | None, locked: LedgerItem, row: workflow.Transition) -> Who | None:
    """The capacity in which `actor` takes the step: the villager's steps are nobody's login;
    a person holding several of the step's capacities acts in the first of `policies.PREFERENCE`."""
    if Who.VILLAGER in row.who:
        if actor is not None:
            raise NotPermitted(_("Only the villager gives this answer."))
        return Who.VILLAGER
    return ledger_policy.capacity_for_step(actor, locked, row.act)


WORKFLOW = workflow.Workflow(
    model=LedgerItem,
    table=TABLE,
    event_model=LedgerEvent,
    subject=lambda locked: {"item": locked},
    capacity=_capacity,
    refusals=workflow.Refusals(
        moved_on=lambda locked: (
            _(
                "%(number)s has changed since you opened it: it is now “%(state)s”. Nothing was done; look at it again."
            )
            % {"number": locked.number, "state": locked.get_state_display()}
        ),
        not_possible=lambda locked, act: (
            _("%(number)s is “%(state)s”: “%(act)s” is not possible now.")
            % {"number": locked.number, "state": locked.get_state_display(), "act": Act(act).label}
        ),
        not_permitted=lambda locked, act: (
            _("You may not do “%(act)s” on %(number)s.") % {"act": Act(act).label, "number": locked.number}
        ),
        stale=lambda locked: (
            _(
                "%(number)s has changed since you opened it (someone else acted on it). Nothing was done; look at it again."
            )
            % {"number": locked.number}
        ),
    ),
    changed_error=LedgerItemChanged,
    office_for=ledger_policy.office_for,
    queue_messages=notifications.queue_for,
    related=("village__parent", "office", "station", "assignee", "assignee_office"),
    creation_acts=frozenset({Act.REGISTER}),
)
"""Ledger items in the workflow machine: `workflow.lock`, `check` and `record` act on them."""


# -- photos --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedPhoto:
    uploaded: File  # the upload, or its bytes without metadata
    content_type: str
    size: int
    sha256: str
    display_name: str
    name: str


def photo_check(uploaded) -> CheckedPhoto:
    """Check a photo with the uploads' rules (type read from its bytes), JPEG or PNG only.

    Raises django's ValidationError with a message for the field. Call it before the change's
    transaction: a refused photo then refuses the whole step, and nothing is half-done."""
    checked = check_upload(uploaded)
    if checked.content_type not in PHOTO_TYPES:
        raise ValidationError(
            _("A photo must be a JPEG or PNG picture. Take a photo with the phone's camera and choose that."),
            code="not_a_photo",
        )
    return CheckedPhoto(
        uploaded=checked.content(uploaded),  # without EXIF and GPS
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        display_name=checked.display_name,
        name=stored_name(checked),
    )


def _keep_photo(
    item: LedgerItem,
    photo: CheckedPhoto,
    actor: User | None,
    event: LedgerEvent | None,
    now: datetime.datetime,
) -> LedgerPhoto:
    record = LedgerPhoto(
        item=item,
        event=event,
        display_name=photo.display_name,
        content_type=photo.content_type,
        size=photo.size,
        sha256=photo.sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    record.file.save(photo.name, photo.uploaded, save=False)
    record.save()
    return record


# -- registering ---------------------------------------------------------------------------------


def _next_number(township: Region, year: int) -> str:
    """W, the township's 9 digits, the year and its sequence: W120115121-2026-0001.

    W (微心愿) tells a ledger number from an application number at a glance; the per-township,
    per-year row is locked while the next value is taken, so two registrations never share one."""
    number = LedgerSequence.take_next(township=township, year=year)
    return f"W{township.code[:9]}-{year}-{number:04d}"


def _places_of(village: Region) -> tuple[Office, Office]:
    """The village's active station and its township's active centre, or a DomainError."""
    if village.level != RegionLevel.VILLAGE:
        raise DomainError(_("Choose a village (村/社区)."))
    offices = {
        office.kind: office
        for office in Office.objects.active().filter(
            region_id__in=[village.pk, village.parent_id], kind__in=[OfficeKind.STATION, OfficeKind.CENTRE]
        )
    }
    station, centre = offices.get(OfficeKind.STATION), offices.get(OfficeKind.CENTRE)
    if station is None or centre is None or station.region_id != village.pk:
        raise DomainError(
            _("%(village)s has no active service station and centre.") % {"village": village.name}
        )
    return station, centre


def _clean_person(name: str, mobile: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name or len(name) > 50:
        raise DomainError(_("Enter the villager's name (at most 50 characters)."))
    mobile = normalise_mobile(mobile)
    try:
        validate_mobile(mobile)
    except ValidationError as error:
        raise DomainError(error.messages[0]) from error
    return name, mobile


def _clean_need(need: str) -> str:
    need = (need or "").strip()
    if not need:
        raise DomainError(_("Say what is needed."))
    if len(need) > NEED_MAX_LENGTH:
        raise DomainError(_("Say what is needed in at most %(n)s characters.") % {"n": NEED_MAX_LENGTH})
    return need


@dataclass(frozen=True)
class RegisteredFor:
    """Who registers an item that no login filed (a hotline order): the person who placed it by
    hand (None when the order named its village), the capacity written on the event, and what
    the event's data says of the order (its reference, how it was placed)."""

    placed_by: User | None
    who: Who | str
    data: dict


def _create(
    *,
    actor: User | None,
    village: Region,
    villager_name: str,
    villager_mobile: str,
    need: str,
    kind: str,
    photo: CheckedPhoto | None,
    client_token: uuid.UUID | None,
    source: str,
    registered_for: "RegisteredFor | None" = None,
) -> tuple[LedgerItem, bool]:
    station, centre = _places_of(village)
    # A hotline order (`registered_for`) was checked by the hotline's placing rules; nobody's
    # login registered it, so `registered_by` stays empty and the event names who placed it.
    filing = registered_for is None and actor is not None
    if filing and not ledger_policy.user_has_permission_for_instance(actor, REGISTER, station):
        raise NotPermitted(_("You may not register requests for %(village)s.") % {"village": village.name})
    if client_token is not None:
        existing = LedgerItem.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.registered_by_id != (actor.pk if actor else None):
                raise NotPermitted(_("This form was already used by someone else."))
            return existing, False
    name, mobile = _clean_person(villager_name, villager_mobile)
    if kind not in Kind.values:
        raise DomainError(_("Choose whether it is a need or a small wish."))
    now = timezone.now()
    item = LedgerItem(
        number=_next_number(required(village.parent, "village.parent"), timezone.localdate(now).year),
        kind=kind,
        village=village,
        office=centre,
        station=station,
        villager_name=name,
        villager_mobile=mobile,
        need=_clean_need(need),
        source=source,
        registered_by=actor if registered_for is None else None,
        registered_at=now,
        state_changed_at=now,
    )
    if client_token is not None:
        item.client_token = client_token
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # the same token from a concurrent request: theirs is ours
        if client_token is None:
            raise
        return LedgerItem.objects.get(client_token=client_token), False
    if registered_for is not None:
        event = workflow.record(
            item,
            None,
            registered_for.placed_by,
            act=Act.REGISTER,
            who=registered_for.who,
            data={"source": source, **registered_for.data},
            at=now,
        )
    else:
        who = Who.FILER if actor is not None else Who.VILLAGER
        event = workflow.record(item, None, actor, act=Act.REGISTER, who=who, data={"source": source}, at=now)
    if photo is not None:
        _keep_photo(item, photo, actor, event, now)
    return item, True


@transaction.atomic
def ledger_item_register(
    *,
    actor: User,
    village: Region,
    villager_name: str,
    villager_mobile: str,
    need: str,
    kind: str = Kind.WISH,
    photo: CheckedPhoto | None = None,
    client_token: uuid.UUID | None = None,
) -> LedgerItem:
    """The village assistant registers a villager's need or wish (needs FILE on the village's
    station). The same `client_token` returns the same item, so a resent form registers one."""
    item, _created = _create(
        actor=actor,
        village=village,
        villager_name=villager_name,
        villager_mobile=villager_mobile,
        need=need,
        kind=kind,
        photo=photo,
        client_token=client_token,
        source=Source.ASSISTANT,
    )
    return item


@transaction.atomic
def ledger_item_submit(
    *,
    village: Region,
    villager_name: str,
    villager_mobile: str,
    need: str,
    kind: str = Kind.WISH,
    photo: CheckedPhoto | None = None,
    client_token: uuid.UUID | None = None,
    address: str | None,
) -> LedgerItem:
    """A villager's own wish from the public form (no login). Limited per client address and
    day (`ledger.public.SUBMISSIONS_PER_DAY`): a refusal raises `public.PublicLimitReached`."""
    if client_token is not None:
        existing = LedgerItem.objects.filter(client_token=client_token, registered_by=None).first()
        if existing is not None:
            return existing
    public.check_submission_allowed(address)
    item, created = _create(
        actor=None,
        village=village,
        villager_name=villager_name,
        villager_mobile=villager_mobile,
        need=need,
        kind=kind,
        photo=photo,
        client_token=client_token,
        source=Source.PUBLIC_FORM,
    )
    if created:
        public.record_submission(address, item.number)
    return item


# -- the promise ---------------------------------------------------------------------------------


def _clean_promise(promise: str, promised_on: datetime.date | None) -> str:
    promise = (promise or "").strip()
    if not promise:
        raise DomainError(_("Say what is promised: it is what the public list shows."))
    if len(promise) > PROMISE_MAX_LENGTH:
        raise DomainError(_("Say what is promised in at most %(n)s characters.") % {"n": PROMISE_MAX_LENGTH})
    today = _today()
    if promised_on is None:
        raise DomainError(_("Give the promised date."))
    if promised_on < today:
        raise DomainError(_("The promised date cannot be in the past."))
    if promised_on > today + datetime.timedelta(days=PROMISE_HORIZON_DAYS):
        raise DomainError(_("The promised date must be within a year."))
    return promise


def _clean_helper(helper_name: str, helper: str) -> tuple[str, str]:
    helper_name = " ".join((helper_name or "").split())
    if not helper_name:
        raise DomainError(_("Name the volunteer or the organisation."))
    if len(helper_name) > 60:
        raise DomainError(_("The volunteer's or organisation's name has at most 60 characters."))
    if helper not in (Helper.VOLUNTEER, Helper.ORGANISATION):
        raise DomainError(_("Say whether it is a volunteer or an organisation."))
    return helper_name, helper


def _set_promise(
    locked: LedgerItem,
    *,
    assignee: User | None,
    assignee_office: Office | None,
    helper: str,
    helper_name: str,
    promise: str,
    promised_on: datetime.date,
    now: datetime.datetime,
) -> tuple[dict, list[str]]:
    """Write the promise on the row; returns the event's data (with the promise it replaces)."""
    before = {}
    if locked.promised_on is not None:
        before = {
            "before": {
                "promise": locked.promise,
                "promised_on": locked.promised_on.isoformat(),
                "assignee": locked.assignee_id,
                "helper": locked.helper,
                "helper_name": locked.helper_name,
            }
        }
    locked.assignee = assignee
    locked.assignee_office = assignee_office
    locked.helper = helper
    locked.helper_name = helper_name
    locked.promise = promise
    locked.promised_on = promised_on
    locked.promised_at = now
    data = {
        "promise": promise,
        "promised_on": promised_on.isoformat(),
        "helper": helper,
        **({"helper_name": helper_name} if helper_name else {}),
        **({"assignee": assignee.pk} if assignee else {}),
        **({"office": assignee_office.pk} if assignee_office else {}),
        **before,
    }
    fields = ["assignee", "assignee_office", "helper", "helper_name", "promise", "promised_on", "promised_at"]
    return data, fields


@transaction.atomic
def ledger_item_assign(
    *,
    actor: User,
    item: LedgerItem,
    promise: str,
    promised_on: datetime.date,
    to: User | None = None,
    helper_name: str = "",
    helper: str = Helper.STAFF,
    comment: str = "",
    expected_version: int | None = None,
) -> LedgerItem:
    """交办: the centre's supervisor gives the item, with a promise (what, by when), to a staff
    member of the township (`to`: its centre or a village station) or to a named volunteer or
    organisation. On an item already in progress it replaces the promise (改派); the event keeps
    the old one."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.ASSIGN, actor, expected_version)
    promise = _clean_promise(promise, promised_on)
    now = timezone.now()
    if to is not None:
        office = ledger_policy.township_office_of(to, locked)
        if office is None:
            raise DomainError(
                _("%(name)s is not on the staff of %(township)s.")
                % {"name": to.get_full_name(), "township": locked.village.parent}
            )
        data, fields = _set_promise(
            locked,
            assignee=to,
            assignee_office=office,
            helper=Helper.STAFF,
            helper_name="",
            promise=promise,
            promised_on=promised_on,
            now=now,
        )
    else:
        helper_name, helper = _clean_helper(helper_name, helper)
        data, fields = _set_promise(
            locked,
            assignee=None,
            assignee_office=None,
            helper=helper,
            helper_name=helper_name,
            promise=promise,
            promised_on=promised_on,
            now=now,
        )
    workflow.record(locked, step, actor, comment=comment.strip(), data=data, fields=fields, at=now)
    return locked


@transaction.atomic
def ledger_item_claim(
    *,
    actor: User,
    item: LedgerItem,
    promise: str,
    promised_on: datetime.date,
    helper_name: str = "",
    helper: str = Helper.STAFF,
    comment: str = "",
    expected_version: int | None = None,
) -> LedgerItem:
    """认领: a clerk of the centre or the village's assistant takes the item on with a promise,
    for themselves, or records that a volunteer or organisation (`helper_name`) takes it on;
    then the claimant follows it up (is its assignee)."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.CLAIM, actor, expected_version)
    promise = _clean_promise(promise, promised_on)
    if helper_name.strip() or helper != Helper.STAFF:
        helper_name, helper = _clean_helper(helper_name, helper)
    else:
        helper_name, helper = "", Helper.STAFF
    now = timezone.now()
    data, fields = _set_promise(
        locked,
        assignee=actor,
        assignee_office=ledger_policy.office_for(locked, step.who),
        helper=helper,
        helper_name=helper_name,
        promise=promise,
        promised_on=promised_on,
        now=now,
    )
    workflow.record(locked, step, actor, comment=comment.strip(), data=data, fields=fields, at=now)
    return locked


# -- work ----------------------------------------------------------------------------------------


@transaction.atomic
def ledger_item_note(
    *,
    actor: User,
    item: LedgerItem,
    comment: str,
    photo: CheckedPhoto | None = None,
    expected_version: int | None = None,
) -> LedgerEvent:
    """A progress note (进展), with a photo if there is one: by the assignee, the supervisor or
    the village's assistant."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.NOTE, actor, expected_version)
    comment = comment.strip()
    if not comment:
        raise DomainError(_("Write what has been done so far."))
    now = timezone.now()
    event = workflow.record(locked, step, actor, comment=comment, data={"photo": photo is not None}, at=now)
    if photo is not None:
        _keep_photo(locked, photo, actor, event, now)
    return event


@transaction.atomic
def ledger_item_mark_done(
    *,
    actor: User,
    item: LedgerItem,
    comment: str = "",
    photo: CheckedPhoto | None = None,
    expected_version: int | None = None,
) -> LedgerItem:
    """办结: the work is done; the villager is asked to confirm (by text message). It stays open
    (black on the public list) until they do."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.MARK_DONE, actor, expected_version)
    now = timezone.now()
    locked.done_at = now
    late = timezone.localdate(now) > locked.promised_on if locked.promised_on else False
    event = workflow.record(
        locked,
        step,
        actor,
        comment=comment.strip(),
        data={"late": late, "photo": photo is not None},
        fields=["done_at"],
        at=now,
    )
    if photo is not None:
        _keep_photo(locked, photo, actor, event, now)
    return locked


def _close(locked: LedgerItem, step: workflow.Step, actor: User | None, comment: str, via: str) -> None:
    now = timezone.now()
    locked.closed_at = now
    locked.closed_via = via
    workflow.record(locked, step, actor, comment=comment, fields=["closed_at", "closed_via"], at=now)


def _reopen(locked: LedgerItem, step: workflow.Step, actor: User | None, comment: str) -> None:
    if not comment:
        raise DomainError(_("Say what is still not done."))
    locked.done_at = None
    locked.reopened_count += 1
    workflow.record(
        locked,
        step,
        actor,
        comment=comment,
        data={"reopened": locked.reopened_count},
        fields=["done_at", "reopened_count"],
    )


@transaction.atomic
def ledger_item_record_confirmation(
    *, actor: User, item: LedgerItem, comment: str = "", expected_version: int | None = None
) -> LedgerItem:
    """销号 on the villager's word, recorded by their village assistant (FILE on the station):
    for villagers without a phone. The history says it was recorded, not confirmed online."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.RECORD_CONFIRMATION, actor, expected_version)
    _close(locked, step, actor, comment.strip(), ClosedVia.ASSISTANT)
    return locked


@transaction.atomic
def ledger_item_record_not_done(
    *, actor: User, item: LedgerItem, comment: str, expected_version: int | None = None
) -> LedgerItem:
    """The villager told the assistant it is not done: back to work, with what they said."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.RECORD_NOT_DONE, actor, expected_version)
    _reopen(locked, step, actor, comment.strip())
    return locked


@transaction.atomic
def ledger_item_villager_answer(*, item: LedgerItem, done: bool, comment: str = "") -> LedgerItem:
    """The villager's own answer on the public page: done (销号, the item turns red on the
    public list) or not done (back to work, with their words as the event's comment).

    Call it only for an item this browser proved it may answer for (`ledger.public.lookup`
    matched its number and the mobile's last 4 digits)."""
    locked = workflow.lock(item)
    comment = (comment or "").strip()[:1000]
    if done:
        step = workflow.check(locked, Act.CONFIRM, None, None)
        _close(locked, step, None, comment, ClosedVia.ONLINE)
    else:
        step = workflow.check(locked, Act.NOT_DONE, None, None)
        _reopen(locked, step, None, comment)
    return locked


@transaction.atomic
def ledger_item_cancel(
    *, actor: User, item: LedgerItem, reason: str, expected_version: int | None = None
) -> LedgerItem:
    """撤销: the supervisor or an administrator takes an item off the ledger with a reason
    (不属实, 重复登记, 不属于办理范围 …). It leaves the public list; its history stays."""
    locked = workflow.lock(item)
    step = workflow.check(locked, Act.CANCEL, actor, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for cancelling."))
    now = timezone.now()
    locked.cancelled_at = now
    locked.cancel_reason = reason[:300]
    workflow.record(
        locked,
        step,
        actor,
        comment=reason,
        fields=["cancelled_at", "cancel_reason"],
        at=now,
    )
    return locked
