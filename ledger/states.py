"""The ledger item's life as one table: which action moves it from which state to which, and who.

The loop comes from the source pages (交办制, 承诺制, 销号制): a villager's need or small wish
(民情, 微心愿) is registered, assigned to someone (交办) or claimed by someone (认领) with a promised
date (承诺), carried out with progress notes, marked done, and closed (销号) only when the villager
confirms. A villager who says it is not done sends it back to work. Every service in
`ledger.services` looks its step up here, so the buttons a page shows, the action views and the
tests share one answer to "may this person do this now?".
"""

from enum import Enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, TransitionTable


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered, waiting to be taken on (待交办)")
    IN_PROGRESS = "in_progress", _("Promised, in progress (办理中)")
    DONE = "done", _("Done, waiting for the villager's confirmation (待确认)")
    CLOSED = "closed", _("Closed: the villager confirmed (已销号)")
    CANCELLED = "cancelled", _("Cancelled (已撤销)")


OPEN_STATES = frozenset({State.REGISTERED, State.IN_PROGRESS, State.DONE})
"""Not closed and not cancelled: still on someone's desk (or the villager's)."""

PROMISED_STATES = frozenset({State.IN_PROGRESS, State.DONE, State.CLOSED})
"""States that carry a promise (who, what, by when): the ones the public promise list shows."""


class Act(models.TextChoices):
    """Everything that can happen to a ledger item; each is one event in its history."""

    REGISTER = "register", _("Registered (登记)")
    ASSIGN = "assign", _("Assigned with a promise (交办)")
    CLAIM = "claim", _("Claimed with a promise (认领)")
    NOTE = "note", _("Progress note (进展)")
    MARK_DONE = "mark_done", _("Marked done (办结)")
    CONFIRM = "confirm", _("The villager confirmed it is done (销号)")
    RECORD_CONFIRMATION = (
        "record_confirmation",
        _("The assistant recorded the villager's confirmation (代为确认销号)"),
    )
    NOT_DONE = "not_done", _("The villager says it is not done (未办好)")
    RECORD_NOT_DONE = "record_not_done", _("The assistant recorded that it is not done (代为反馈未办好)")
    CANCEL = "cancel", _("Cancelled (撤销)")


class Who(Enum):
    """A capacity in which someone acts on an item, checked as an object permission on an
    office (or, for the assignee, the item's own assignee; for the villager, the public proof)."""

    FILER = "filer"  # file_application on the village's station: its assistant
    HANDLER = "handler"  # handle_application on the township centre: clerks and the supervisor
    SUPERVISOR = "supervisor"  # supervise_office on the township centre
    MANAGER = "manager"  # manage_office on the township centre: administrators of the region
    ASSIGNEE = "assignee"  # the staff member the promise names
    VILLAGER = "villager"  # the villager, after the number and the last 4 digits of the mobile


BUTTON_LABELS = {
    Act.ASSIGN: _("Assign (交办)"),
    Act.CLAIM: _("Claim it (认领)"),
    Act.NOTE: _("Add a progress note (进展)"),
    Act.MARK_DONE: _("Mark it done (办结)"),
    Act.RECORD_CONFIRMATION: _("Record the villager's confirmation (代为确认销号)"),
    Act.RECORD_NOT_DONE: _("Record that it is not done (未办好)"),
    Act.CANCEL: _("Cancel it (撤销)"),
    Act.CONFIRM: _("Yes, it is done (确认销号)"),
    Act.NOT_DONE: _("No, it is not done (未办好)"),
}

_WORKERS = frozenset({Who.ASSIGNEE, Who.SUPERVISOR, Who.FILER})
_CANCELLERS = frozenset({Who.SUPERVISOR, Who.MANAGER})

_ROWS = (
    # In each state, the step people usually take comes first: it is the page's primary button.
    Transition(State.REGISTERED, Act.ASSIGN, State.IN_PROGRESS, frozenset({Who.SUPERVISOR})),
    Transition(State.REGISTERED, Act.CLAIM, State.IN_PROGRESS, frozenset({Who.HANDLER, Who.FILER})),
    Transition(State.REGISTERED, Act.NOTE, State.REGISTERED, frozenset({Who.SUPERVISOR, Who.FILER})),
    Transition(State.REGISTERED, Act.CANCEL, State.CANCELLED, _CANCELLERS),
    Transition(State.IN_PROGRESS, Act.MARK_DONE, State.DONE, _WORKERS),
    Transition(State.IN_PROGRESS, Act.NOTE, State.IN_PROGRESS, _WORKERS),
    # The supervisor may give a promise to someone else, or change it; the event keeps the old one.
    Transition(State.IN_PROGRESS, Act.ASSIGN, State.IN_PROGRESS, frozenset({Who.SUPERVISOR})),
    Transition(State.IN_PROGRESS, Act.CANCEL, State.CANCELLED, _CANCELLERS),
    # 销号: only the villager closes it, online or through their assistant. Nothing else reaches CLOSED.
    Transition(State.DONE, Act.CONFIRM, State.CLOSED, frozenset({Who.VILLAGER})),
    Transition(State.DONE, Act.NOT_DONE, State.IN_PROGRESS, frozenset({Who.VILLAGER})),
    Transition(State.DONE, Act.RECORD_CONFIRMATION, State.CLOSED, frozenset({Who.FILER})),
    Transition(State.DONE, Act.RECORD_NOT_DONE, State.IN_PROGRESS, frozenset({Who.FILER})),
    Transition(State.DONE, Act.NOTE, State.DONE, _WORKERS),
)

TABLE = TransitionTable(_ROWS, buttons=BUTTON_LABELS, bookkeeping={Act.REGISTER})
"""The ledger item's table for the workflow machine (`portal.workflow`); each row's `who` is a
frozenset: any one of its capacities will do."""

TRANSITIONS: tuple[Transition, ...] = TABLE.transitions
transition_for = TABLE.transition_for
acts_from = TABLE.acts_from

STAFF_ACTS = tuple(act for act in Act if act not in (Act.REGISTER, Act.CONFIRM, Act.NOT_DONE))
"""The acts that have a staff step page (registering has its own form; the villager's two
answers are on the public page)."""
