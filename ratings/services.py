"""Every change to ratings, rectifications and appeals: one function each, in one transaction.

A rating is given once per application; the villager may change their mind within the county's
window (`QualitySettings.change_window_hours`), which replaces the level and keeps the old one in
the history. Ratings lock the application row (the same lock every application step takes), so
two submissions at once give one rating and a change, never two ratings.

Rectifications and appeals run their steps through the workflow machine (`portal.workflow`,
declared here as `RECTIFICATION_WORKFLOW` and `APPEAL_WORKFLOW`, tables in `ratings.states`).

Who may do what (asked of `ratings.policies`), all checked here:
- the villager rates through the tracking page or a paper's QR after proving who they are
  (the view's proof, as for tracking); the filing station's assistant may record it for them;
- the handling office's supervisor answers the rectification and files an appeal (at a county
  department, which has no supervisor role, its officers do);
- the revisit (回访, a phone call) is recorded outside the rated office: by the staff of the
  county office the county names for it (the 政务服务 office), or where none is named by a county
  administrator (`rectification_policy`, REVISIT);
- a county administrator decides appeals.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals.models import Application
from approvals.states import State
from certificates.services import current_certificate
from portal import workflow
from portal.errors import DomainError, NotPermitted, required
from portal.offices.models import Office
from portal.outbox.services import message_queue
from portal.people.models import User
from portal.workdays.calendar import WorkCalendar, add_working_days, window_for_working_days
from portal.workdays.provisional import with_provisional_note

from . import policies
from .models import (
    ASSISTED_CHANNELS,
    BAD_LEVELS,
    Channel,
    Level,
    QualitySettings,
    Rating,
    RatingAppeal,
    RatingEvent,
    Reason,
    Rectification,
)
from .policies import appeal_policy, rating_policy, rectification_policy
from .selectors import appeal_of, with_provisional_notes
from .states import APPEAL_TABLE, RECTIFICATION_TABLE
from .states import Who as Capacity

RATED_STATES = frozenset({State.APPROVED, State.REJECTED})
"""A case is rated after its decision; withdrawn and terminated cases were never decided."""


# -- who may --------------------------------------------------------------------------------------


def rating_blocker(application: Application) -> str | None:
    """Why this application cannot be rated yet, or None. The tracking page and the assistant's
    page ask this to decide whether to offer the form."""
    if application.state not in RATED_STATES:
        return _("The service can be rated once the application is decided.")
    if application.state == State.APPROVED and application.item.certificate_name:
        certificate = current_certificate(application)
        if certificate is not None and certificate.handed_over_on is None:
            return _("The service can be rated once the certificate has been handed over (送达).")
    return None


def change_deadline(rating: Rating, *, rules: QualitySettings | None = None) -> datetime.datetime:
    hours = (rules or QualitySettings.current()).change_window_hours
    return rating.first_rated_at + datetime.timedelta(hours=hours)


def change_blocker(
    rating: Rating,
    *,
    now: datetime.datetime | None = None,
    rules: QualitySettings | None = None,
    assisted: bool = False,
) -> str | None:
    """Why this rating can no longer be changed, or None.

    `assisted`: the change would come from a staff page (the assistant, for the villager). A
    rating the villager gave themselves, on the tracking page or by the QR code, is their own
    voice: the assistant they may have rated cannot replace it, only the villager can."""
    if assisted and rating.channel not in ASSISTED_CHANNELS:
        return _(
            "The villager gave this rating themselves (on the tracking page or by the QR code). "
            "It is theirs: only they can change it."
        )
    now = now or timezone.now()
    if now > change_deadline(rating, rules=rules):
        return _(
            "This application was rated on %(day)s. One rating per application: it can no longer be changed."
        ) % {"day": timezone.localdate(rating.first_rated_at)}
    if rating.set_aside_at is not None or appeal_of(rating) is not None:
        return _("This rating is under appeal or was decided on appeal, so it can no longer be changed.")
    return None


def may_answer(user: User | None, rectification: Rectification) -> bool:
    """Whether the page offers the answer: open, and the user answers for its office."""
    return (
        rectification.state == Rectification.State.OPEN
        and rectification_policy.user_has_permission_for_instance(user, policies.ANSWER, rectification)
    )


def may_record_revisit(user: User | None, rectification: Rectification) -> bool:
    return rectification.state == Rectification.State.ANSWERED and (
        rectification_policy.user_has_permission_for_instance(user, policies.REVISIT, rectification)
    )


def may_appeal(user: User | None, rating: Rating) -> bool:
    """A bad rating not set aside, never appealed, and the user answers for its office."""
    return (
        rating.level in BAD_LEVELS
        and rating.set_aside_at is None
        and rating_policy.user_has_permission_for_instance(user, policies.APPEAL, rating)
        and appeal_of(rating) is None
    )


def may_decide_appeal(user: User | None, appeal: RatingAppeal) -> bool:
    return appeal_policy.user_has_permission_for_instance(user, policies.DECIDE, appeal)


# -- the workflow machine's declarations -----------------------------------------------------------


def _rectification_capacity(actor: User | None, locked: Rectification, row: workflow.Transition):
    """The office answers (its supervisor, at a department its officers); the county revisits."""
    if row.act == RatingEvent.Act.ANSWER and rectification_policy.user_has_permission_for_instance(
        actor, policies.ANSWER, locked
    ):
        return Capacity.OFFICE
    if row.act == RatingEvent.Act.REVISIT and rectification_policy.user_has_permission_for_instance(
        actor, policies.REVISIT, locked
    ):
        return Capacity.COUNTY
    return None


def _changed(rectification: Rectification) -> str:
    return _("This rectification is now “%(state)s”: nothing was done. (已被处理)") % {
        "state": rectification.get_state_display()
    }


def _rectification_not_possible(locked: Rectification, act: str) -> str:
    if act == RatingEvent.Act.REVISIT and locked.state == Rectification.State.OPEN:
        return _("Answer the rectification first, then revisit the villager.")
    return _changed(locked)


def _rectification_not_permitted(locked: Rectification, act: str) -> str:
    office = locked.office.short_name or locked.office.name
    if act == RatingEvent.Act.REVISIT:
        revisit_office = rectification_policy.revisit_office()
        if revisit_office is None:
            return _(
                "The revisit is recorded by the county administrator, never by the rated office (%(office)s)."
            ) % {"office": office}
        return _("The revisit is recorded by %(revisit_office)s, never by the rated office (%(office)s).") % {
            "revisit_office": revisit_office.short_name or revisit_office.name,
            "office": office,
        }
    return _("Only the supervisor of %(office)s answers this rectification.") % {"office": office}


RECTIFICATION_WORKFLOW = workflow.Workflow(
    model=Rectification,
    table=RECTIFICATION_TABLE,
    event_model=RatingEvent,
    subject=lambda locked: {"rating": locked.rating, "rectification": locked},
    capacity=_rectification_capacity,
    refusals=workflow.Refusals(
        moved_on=_changed,
        not_possible=_rectification_not_possible,
        not_permitted=_rectification_not_permitted,
        stale=_changed,
    ),
    office_for=lambda locked, who: (
        locked.office
        if who is Capacity.OFFICE
        else rectification_policy.revisit_office()
        if who is Capacity.COUNTY
        else None
    ),
    related=("rating__application", "office"),
    creation_acts=frozenset({RatingEvent.Act.OPEN}),
    version_field=None,
    state_changed_field=None,
)
"""Rectifications in the workflow machine. They have no version: each step is taken once, and
a second attempt finds the state moved on."""


def _appeal_decided(locked: RatingAppeal, act: str = "") -> str:
    return _("This appeal was decided already: %(outcome)s. (已被处理)") % {
        "outcome": locked.get_outcome_display()
    }


APPEAL_WORKFLOW = workflow.Workflow(
    model=RatingAppeal,
    table=APPEAL_TABLE,
    event_model=RatingEvent,
    subject=lambda locked: {"rating": locked.rating},
    capacity=lambda actor, locked, row: Capacity.COUNTY if may_decide_appeal(actor, locked) else None,
    refusals=workflow.Refusals(
        moved_on=_appeal_decided,
        not_possible=_appeal_decided,
        not_permitted=lambda locked, act: _("Appeals are decided by the county administrator."),
        stale=_appeal_decided,
    ),
    office_for=lambda locked, who: locked.office if who is Capacity.OFFICE else None,
    related=("office", "rating"),
    creation_acts=frozenset({RatingEvent.Act.APPEAL}),
    state_field="outcome",
    version_field=None,
    state_changed_field=None,
)
"""Rating appeals in the workflow machine (their state is the outcome); events on the rating."""


# -- rating ---------------------------------------------------------------------------------------


def _clean_reasons(reasons: Iterable[str]) -> list[str]:
    known = set(Reason.values)
    cleaned = []
    for code in reasons:
        if code not in known:
            raise DomainError(_("Pick the reasons from the list."))
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _clean_level(level, label: str) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError) as error:
        raise DomainError(_("Choose one of the five levels for %(what)s.") % {"what": label}) from error
    if value not in Level.values:
        raise DomainError(_("Choose one of the five levels for %(what)s.") % {"what": label})
    return value


def _event(rating: Rating, act: str, actor: User | None, *, rectification=None, **fields) -> RatingEvent:
    """`actor_role` says in which capacity: the villager, their assistant, the office, the county."""
    if actor is None or act == RatingEvent.Act.DEADLINE_MOVED:
        role = "villager" if act in (RatingEvent.Act.RATE, RatingEvent.Act.CHANGE) else "system"
    elif act in (RatingEvent.Act.RATE, RatingEvent.Act.CHANGE):
        role = "filer"
    elif act in (RatingEvent.Act.UPHOLD, RatingEvent.Act.SET_ASIDE):
        role = "county"
    else:
        role = "office"
    return RatingEvent.objects.create(
        rating=rating,
        rectification=rectification,
        act=act,
        actor=actor,
        actor_role=role,
        at=timezone.now(),
        **fields,
    )


@transaction.atomic
def rating_submit(
    *,
    application: Application,
    level: int,
    channel: str,
    reasons: Iterable[str] = (),
    comment: str = "",
    assistant_level: int | None = None,
    actor: User | None = None,
) -> Rating:
    """Rate a decided application, or change the rating within the window.

    `actor` is None when the villager rates (the caller has checked their proof); an assistant
    recording it for them passes themselves and an assisted channel, which the rating shows."""
    locked = workflow.lock(application)
    level = _clean_level(level, _("the service"))
    if assistant_level not in (None, ""):
        assistant_level = _clean_level(assistant_level, _("the assistant's help"))
    else:
        assistant_level = None
    reasons = _clean_reasons(reasons)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise DomainError(_("Keep the comment to 500 characters."))
    if channel not in Channel.values:
        raise DomainError(_("Say how the rating was given."))
    if channel in ASSISTED_CHANNELS:
        if not rating_policy.user_has_permission_for_instance(actor, policies.RATE, locked):
            raise NotPermitted(
                _("Only the village assistant of %(village)s may record a rating for the villager.")
                % {"village": locked.village.name}
            )
    elif actor is not None:
        raise NotPermitted(_("Staff record a rating for the villager as the village assistant, on paper."))
    blocker = rating_blocker(locked)
    if blocker:
        raise DomainError(blocker)
    now = timezone.now()
    values = {
        "level": level,
        "reasons": reasons,
        "comment": comment,
        "assistant_level": assistant_level,
        "channel": channel,
        "recorded_by": actor if channel in ASSISTED_CHANNELS else None,
        "rated_at": now,
    }
    rating = Rating.objects.select_for_update().filter(application=locked).first()
    if rating is None:
        rating = Rating.objects.create(
            application=locked,
            office=required(locked.current_office, "current_office"),
            item=locked.item,
            station=locked.station,
            township=required(locked.village.parent, "village.parent"),
            assistant=locked.filed_by,
            first_rated_at=now,
            decided_at=locked.decided_at or now,
            changed_at=now,
            **values,
        )
        _event(rating, RatingEvent.Act.RATE, actor, to_state=str(level), data=_snapshot(rating))
        if level in BAD_LEVELS:
            _open_rectification(rating, actor)
        return rating
    blocker = change_blocker(rating, now=now, assisted=channel in ASSISTED_CHANNELS)
    if blocker:
        raise DomainError(blocker)
    before = _snapshot(rating)
    was_bad = rating.level in BAD_LEVELS
    for name, value in values.items():
        setattr(rating, name, value)
    rating.changes += 1
    rating.save()
    _event(
        rating,
        RatingEvent.Act.CHANGE,
        actor,
        from_state=str(before["level"]),
        to_state=str(level),
        data={"before": before, "after": _snapshot(rating)},
    )
    if was_bad and level not in BAD_LEVELS:
        for rectification in Rectification.objects.select_for_update().filter(
            rating=rating, state__in=[Rectification.State.OPEN, Rectification.State.ANSWERED]
        ):
            _close(
                rectification,
                actor,
                _("The villager changed the rating to “%(level)s”.") % {"level": Level(level).label},
            )
    elif not was_bad and level in BAD_LEVELS:
        _open_rectification(rating, actor)
    return rating


def _snapshot(rating: Rating) -> dict:
    return {
        "level": rating.level,
        "reasons": list(rating.reasons),
        "comment": rating.comment,
        "assistant_level": rating.assistant_level,
        "channel": rating.channel,
        "recorded_by": rating.recorded_by_id,
    }


# -- rectification --------------------------------------------------------------------------------


def _open_rectification(rating: Rating, actor: User | None) -> Rectification:
    now = timezone.now()
    days = QualitySettings.current().rectification_days
    rectification = Rectification.objects.create(
        rating=rating,
        office=rating.office,
        opened_at=now,
        due_on=add_working_days(timezone.localdate(now), days),
        working_days=days,
    )
    workflow.record(
        rectification,
        None,
        actor,
        act=RatingEvent.Act.OPEN,
        who=Capacity.SYSTEM if actor is None else Capacity.OFFICE,
        data={"due_on": rectification.due_on.isoformat(), "working_days": days},
        actor_office=None,
    )
    _tell_office(rectification, "rectification_opened")
    return rectification


def _close(rectification: Rectification, actor: User | None, reason: str) -> None:
    """Cancel a rectification (locked by the caller) as a consequence of a step on its rating
    that the caller has authorised: the villager's better rating, or the rating set aside."""
    who = Capacity.SYSTEM if actor is None else Capacity.OFFICE
    step = RECTIFICATION_WORKFLOW.step(rectification, RatingEvent.Act.CANCEL, who)
    rectification.closed_reason = reason[:200]
    workflow.record(rectification, step, actor, fields=["closed_reason"], comment=reason, actor_office=None)


@transaction.atomic
def rectification_answer(*, actor: User, rectification: Rectification, answer: str) -> Rectification:
    """整改反馈: what the office did about the bad rating; on time if by the due date."""
    locked = _lock_rectification(rectification)
    step = workflow.check(locked, RatingEvent.Act.ANSWER, actor)
    answer = (answer or "").strip()
    if len(answer) < 10:
        raise DomainError(
            _("Say what was done about the rating, in a sentence or two (at least 10 characters).")
        )
    if len(answer) > 2000:
        raise DomainError(_("Keep the answer to 2,000 characters."))
    now = timezone.now()
    locked.answer = answer
    locked.answered_at = now
    locked.answered_by = actor
    locked.answered_on_time = timezone.localdate(now) <= locked.due_on
    workflow.record(
        locked,
        step,
        actor,
        fields=["answer", "answered_at", "answered_by", "answered_on_time"],
        comment=answer,
        data={"on_time": locked.answered_on_time},
        at=now,
    )
    return locked


@transaction.atomic
def rectification_revisit(
    *, actor: User, rectification: Rectification, satisfied: bool, note: str = ""
) -> Rectification:
    """回访: after the answer, someone outside the rated office (the county's revisit office) asks
    the villager whether they are satisfied now."""
    locked = _lock_rectification(rectification)
    step = workflow.check(locked, RatingEvent.Act.REVISIT, actor)
    note = (note or "").strip()
    if len(note) > 1000:
        raise DomainError(_("Keep the note to 1,000 characters."))
    locked.revisited_at = timezone.now()
    locked.revisited_by = actor
    locked.revisit_satisfied = bool(satisfied)
    locked.revisit_note = note
    workflow.record(
        locked,
        step,
        actor,
        fields=["revisited_at", "revisited_by", "revisit_satisfied", "revisit_note"],
        comment=note,
        data={"satisfied": locked.revisit_satisfied},
    )
    return locked


# -- appeal ---------------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, actor: User, rating: Rating, reason: str) -> RatingAppeal:
    """申诉: the office says the bad rating is malicious or mistaken. One appeal per rating; the
    rectification's deadline keeps running meanwhile (an appeal is not a way to wait it out)."""
    locked = Rating.objects.select_for_update(of=("self",)).select_related("office").get(pk=rating.pk)
    if not rating_policy.user_has_permission_for_instance(actor, policies.APPEAL, locked):
        raise NotPermitted(
            _("Only the supervisor of %(office)s may appeal this rating.")
            % {"office": locked.office.short_name or locked.office.name}
        )
    if locked.level not in BAD_LEVELS:
        raise DomainError(_("Only a bad rating (不满意, 非常不满意) can be appealed."))
    if RatingAppeal.objects.filter(rating=locked).exists():
        raise DomainError(_("This rating has been appealed already: one appeal per rating. (已被处理)"))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(_("Say why the rating is malicious or mistaken (at least 10 characters)."))
    if len(reason) > 2000:
        raise DomainError(_("Keep the reason to 2,000 characters."))
    appeal = RatingAppeal.objects.create(
        rating=locked, office=locked.office, reason=reason, filed_by=actor, filed_at=timezone.now()
    )
    workflow.record(
        appeal,
        None,
        actor,
        act=RatingEvent.Act.APPEAL,
        who=Capacity.OFFICE,
        comment=reason,
        data={"appeal": appeal.pk},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: RatingAppeal, set_aside: bool, reason: str) -> RatingAppeal:
    """The county administrator upholds the rating or sets it aside, always with a reason. A set
    aside rating leaves the figures and its open rectification is cancelled; both stay in the history."""
    locked = workflow.lock(appeal)
    step = workflow.check(locked, RatingEvent.Act.SET_ASIDE if set_aside else RatingEvent.Act.UPHOLD, actor)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(_("Give the reason for the decision."))
    now = timezone.now()
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_reason = reason[:2000]
    rating = Rating.objects.select_for_update(of=("self",)).get(pk=locked.rating_id)
    workflow.record(
        locked,
        step,
        actor,
        fields=["decided_by", "decided_at", "decision_reason"],
        comment=locked.decision_reason,
        data={"appeal": locked.pk},
        at=now,
    )
    if set_aside:
        rating.set_aside_at = now
        rating.save(update_fields=["set_aside_at"])
        for rectification in Rectification.objects.select_for_update().filter(
            rating=rating, state__in=[Rectification.State.OPEN, Rectification.State.ANSWERED]
        ):
            _close(rectification, actor, _("The rating was set aside on appeal."))
    return locked


# -- rules ----------------------------------------------------------------------------------------


@transaction.atomic
def quality_settings_save(
    *,
    actor: User,
    rectification_days: int,
    change_window_hours: int,
    revisit_office: Office | None = None,
) -> QualitySettings:
    """County administrators set the rules; they apply to rectifications opened from now on.
    `revisit_office`: the county office whose staff record revisits (回访), or None for the
    county administrator; a county department they administer."""
    if not rating_policy.user_has_permission(actor, policies.SET_RULES):
        raise NotPermitted(_("The rating rules are set by the county administrator."))
    if not 1 <= int(rectification_days) <= 60:
        raise DomainError(_("The rectification period is 1 to 60 working days."))
    if not 0 <= int(change_window_hours) <= 720:
        raise DomainError(_("The window for changing a rating is 0 to 720 hours."))
    current = QualitySettings.objects.select_for_update().order_by("pk").first() or QualitySettings()
    current.rectification_days = int(rectification_days)
    current.change_window_hours = int(change_window_hours)
    if revisit_office is not None and not rating_policy.may_name_revisit_office(actor, revisit_office):
        raise DomainError(_("The revisit office must be a county office you administer (县直部门)."))
    current.revisit_office = revisit_office
    current.updated_by = actor
    current.save()
    return current


# -- reminders ------------------------------------------------------------------------------------


def _tell_office(rectification: Rectification, topic: str) -> None:
    """A staff message to whoever answers the rectification: the office's supervisors (at a
    department, its officers)."""
    application = rectification.rating.application
    recipients = rectification_policy.users_with_permission_for_instance(policies.ANSWER, rectification)
    with translation.override(settings.LANGUAGE_CODE):
        if topic == "rectification_opened":
            body = _("[村办] Bad rating on %(ref)s %(item)s: rectify and answer by %(due)s.")
        else:
            body = _("[村办] Overdue rectification: the bad rating on %(ref)s %(item)s was due by %(due)s.")
        body = body % {"ref": application.number, "item": application.item_title, "due": rectification.due_on}
        body = with_provisional_note(body, with_provisional_notes([rectification])[0].provisional_note)
    for user in recipients:
        message_queue(
            to_mobile=user.mobile or "",
            to_user=user,
            body=body,
            topic=topic.replace("_", "-"),
            reference=required(application.number, "number"),
            dedupe_key=f"{topic}:{rectification.pk}:{user.pk}",
            params={"item": application.item_title, "due": rectification.due_on},
        )


def _lock_rectification(rectification: Rectification) -> Rectification:
    """Lock the rating, then the rectification, and return the rectification fresh.

    Why the rating first: every writer of both keeps this order (`rating_submit` and
    `appeal_decide` lock the rating, then its rectifications), and a rectification's step writes
    an event that points at the rating, which takes a share lock on the rating row. Locking the
    rectification first could deadlock against a villager changing the rating at that moment."""
    list(Rating.objects.select_for_update(of=("self",)).filter(pk=rectification.rating_id).values_list("pk"))
    return workflow.lock(rectification)


def _lock_open_rectification(rectification: Rectification) -> Rectification | None:
    """The rectification, locked, if it is still open now that we hold the lock: a sweep and a
    person may reach it at the same moment."""
    locked = _lock_rectification(rectification)
    return locked if locked.state == Rectification.State.OPEN else None


def rectifications_recount(*, actor: User | None = None) -> int:
    """Count the answer date of every open rectification again on the calendar as it now is
    (after an administrator confirmed a year or changed a confirmed one); returns how many moved.

    Each move is an event with both dates. Nobody is messaged: the office sees the new date on
    its list, and the villager was never given this one."""
    open_ones = list(
        Rectification.objects.filter(state=Rectification.State.OPEN, working_days__isnull=False).only(
            "pk", "opened_at", "due_on", "working_days"
        )
    )
    if not open_ones:
        return 0
    starts = [timezone.localdate(r.opened_at) for r in open_ones]
    # Only rows with working days were read; `required` says so to the type checker.
    longest = max(required(r.working_days, "working_days") for r in open_ones)
    calendar = WorkCalendar.for_range(first=min(starts), last=max(starts) + window_for_working_days(longest))
    moved = 0
    for rectification, opened_on in zip(open_ones, starts, strict=True):
        if calendar.add_working_days(opened_on, required(rectification.working_days, "working_days")) == (
            rectification.due_on
        ):
            continue
        with transaction.atomic():
            locked = _lock_open_rectification(rectification)
            if locked is None:
                continue
            new = calendar.add_working_days(
                timezone.localdate(locked.opened_at), required(locked.working_days, "working_days")
            )
            if new == locked.due_on:
                continue
            old, locked.due_on = locked.due_on, new
            workflow.record(
                locked,
                None,
                actor,
                act=RatingEvent.Act.DEADLINE_MOVED,
                who=Capacity.SYSTEM,
                fields=["due_on"],
                data={"due_on": {"from": old.isoformat(), "to": new.isoformat()}},
            )
            moved += 1
    return moved


def rectifications_sweep(*, today: datetime.date | None = None) -> int:
    """Remind the office once about each rectification past its date; returns how many."""
    today = today or timezone.localdate()
    reminded = 0
    overdue = Rectification.objects.filter(
        state=Rectification.State.OPEN, due_on__lt=today, overdue_reminded_at__isnull=True
    ).only("pk")
    for rectification in list(overdue):
        with transaction.atomic():
            locked = _lock_open_rectification(rectification)
            if locked is None or locked.overdue_reminded_at is not None:
                continue
            locked.overdue_reminded_at = timezone.now()
            workflow.record(
                locked,
                None,
                None,
                act=RatingEvent.Act.REMIND,
                who=Capacity.SYSTEM,
                fields=["overdue_reminded_at"],
                data={"due_on": str(locked.due_on)},
            )
            _tell_office(locked, "rectification_overdue")
            reminded += 1
    return reminded
