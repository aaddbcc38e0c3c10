"""One workflow machine for every object that moves through states: applications, ledger items,
rectifications of bad ratings and rating appeals.

Each kind of object declares a `Workflow`: its model, its `TransitionTable` (which act moves it
from which state to which, and in which capacity), its append-only event class (a subclass of
`portal.history.AppendOnlyEvent`) and the few things only it knows: who holds a capacity (the
app's own permission functions, e.g. `approvals.services.may_act_as`), how its refusals are
worded, and which messages an event queues. Every step of every kind then runs the same way,
inside the caller's transaction:

    locked = workflow.lock(obj)                                    # row lock, a fresh copy
    step = workflow.check(locked, act, actor, expected_version)   # the table, the capacity, a stale form
    ...                                                            # the step's own changes on `locked`
    workflow.record(locked, step, actor, fields=[...], comment=..., data=...)
    workflow.notify_on_commit(callback)                            # only once the change is committed

`record` applies the step's target state, bumps `version`, saves only the named fields and
writes the event, so no path can change a state, a due date or a version without leaving a line
in the history, and a form opened before any of it is refused as stale. The module-level
functions find the declaration from the object's model; each declaration also has the same
methods.

The machine decides nothing about permissions: a declaration passes in its app's policy as
`capacity`, and steps that are consequences of another step already authorised (a rectification
cancelled because its rating was set aside) take `Workflow.step` instead of `check`.
"""

import contextlib
import copy
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from portal.errors import DomainError, NotPermitted

__all__ = [
    "Refusals",
    "Step",
    "Transition",
    "TransitionTable",
    "Workflow",
    "check",
    "lock",
    "notify_on_commit",
    "record",
    "refusal",
    "workflow_for",
]


# -- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One row of a table: `act` moves an object from `source` to `target`, taken by someone in
    capacity `who` (one capacity, or a frozenset of capacities any of which will do).

    `source` and `target` are members of the kind's state choices, `act` of its act choices, so
    they compare equal to the plain strings stored in the database."""

    source: str
    act: str
    target: str
    who: Any
    label: Any = field(default=None, compare=False, repr=False)

    @property
    def capacities(self) -> frozenset:
        """The capacities any of which may take this step."""
        return self.who if isinstance(self.who, frozenset) else frozenset({self.who})

    @property
    def button(self) -> str:
        """What the button for this step says (the act's label says what happened, for histories)."""
        return self.label if self.label is not None else getattr(self.act, "label", self.act)


class TransitionTable:
    """A kind's whole life as data: the only place that says which act is possible in which state.

    The pages' buttons, the services' checks, the admin and the tests all ask the same table.
    `buttons` words the button of an act where it differs from the act's label; `bookkeeping`
    names the acts that write an event without being a step of the table (creating the object, a
    due date moved by the work calendar, a certificate issued …)."""

    def __init__(
        self,
        transitions: Iterable[Transition],
        *,
        buttons: Mapping[Any, Any] | None = None,
        bookkeeping: Iterable[str] = (),
    ) -> None:
        self.buttons = dict(buttons or {})
        self.transitions: tuple[Transition, ...] = tuple(
            replace(row, label=self.buttons.get(row.act)) for row in transitions
        )
        self.bookkeeping = frozenset(bookkeeping)
        self._by_key = {(row.source, row.act): row for row in self.transitions}
        # Checked at import, also under python -O: a table with two answers is no table.
        if len(self._by_key) != len(self.transitions):
            raise ImproperlyConfigured("the transition table has two rows for one (state, action)")
        if self.bookkeeping & {row.act for row in self.transitions}:
            raise ImproperlyConfigured("a bookkeeping act is also a step of the transition table")

    def transition_for(self, state: str, act: str) -> Transition | None:
        """The row for `act` in `state`, or None when the act is not possible there."""
        return self._by_key.get((state, act))

    def acts_from(self, state: str) -> list[Transition]:
        """The transitions leaving `state`, in table order (the order buttons are shown in)."""
        return [row for row in self.transitions if row.source == state]

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def __len__(self) -> int:
        return len(self.transitions)


@dataclass(frozen=True)
class Step:
    """A transition as one actor takes it: the table's row and the one capacity they act in
    (the event names it). A bookkeeping step has no row and leaves the state as it is."""

    transition: Transition | None
    act: str
    who: Any

    @property
    def source(self) -> str | None:
        return self.transition.source if self.transition is not None else None

    @property
    def target(self) -> str | None:
        return self.transition.target if self.transition is not None else None


# -- a kind's declaration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusals:
    """How a kind words the machine's refusals (each a translated sentence naming the object).

    - `moved_on(locked)`: the act is no longer possible and the form was stale: someone else acted;
    - `not_possible(locked, act)`: the act is not possible in this state;
    - `not_permitted(locked, act)`: the actor holds none of the step's capacities;
    - `stale(locked)`: the act is possible, but the form was opened before the last change."""

    moved_on: Callable[[Any], str]
    not_possible: Callable[[Any, str], str]
    not_permitted: Callable[[Any, str], str]
    stale: Callable[[Any], str]


_REGISTRY: dict[type[models.Model], "Workflow"] = {}


@dataclass(frozen=True, eq=False)
class Workflow:
    """The declaration of one kind of workflow object; constructing it registers it.

    - `capacity(actor, locked, transition)`: the capacity in which `actor` may take the step, or
      None (it may also raise `NotPermitted` with its own sentence); the app's policy, not ours;
    - `guard(locked, step, actor)`: the kind's further conditions (raise a DomainError);
    - `subject(locked)`: the event's fields that point at the object;
    - `office_for(locked, who)`: the office the event names for a capacity;
    - `queue_messages(locked, event)`: messages the event queues, in the same transaction (the
      outbox sends them after commit, and a rolled-back step queues nothing);
    - `creation_acts`: acts that create the object (their event has no `from_state`);
    - `on_state_change`: fields reset whenever the state changes (the application's due-date mark);
    - `version_field`, `state_changed_field`: None where the model has no such column;
    - `register`: False for a declaration used only through its own methods (the module-level
      functions find one declaration per model).
    """

    model: type[models.Model]
    table: TransitionTable
    event_model: type[models.Model]
    subject: Callable[[Any], dict]
    capacity: Callable[[Any, Any, Transition], Any]
    refusals: Refusals
    changed_error: type[DomainError] = DomainError
    office_for: Callable[[Any, Any], Any] = lambda locked, who: None
    guard: Callable[[Any, Step, Any], None] | None = None
    queue_messages: Callable[[Any, Any], None] | None = None
    related: tuple[str, ...] = ()
    creation_acts: frozenset = frozenset()
    on_state_change: Mapping[str, Any] = field(default_factory=dict)
    state_field: str = "state"
    version_field: str | None = "version"
    state_changed_field: str | None = "state_changed_at"
    register: bool = True

    def __post_init__(self) -> None:
        if not self.register:  # a declaration used directly (tests), not found from the model
            return
        if self.model in _REGISTRY:
            raise ImproperlyConfigured(f"{self.model.__name__} has a workflow already")
        _REGISTRY[self.model] = self

    # -- the four verbs --

    def lock(self, instance: models.Model) -> Any:
        """A fresh copy of `instance`'s row, locked until the transaction ends (`select_for_update`:
        a real row lock on PostgreSQL). A second step on the same object waits here, then sees
        what the first one did. Call it inside `transaction.atomic`."""
        queryset = self.model._default_manager.select_for_update(of=("self",))
        if self.related:
            queryset = queryset.select_related(*self.related)
        return queryset.get(pk=instance.pk)

    def check(self, locked: Any, act: str, actor: Any, expected_version: int | None = None) -> Step:
        """Is `act` possible now, and by this actor? Returns the step with the capacity the actor
        takes it in; raises a `DomainError` that says why not.

        `expected_version` is the version the actor's form was opened at (None: not from a form).
        A stale form is refused even when the act is still possible: the actor decided on what
        they saw, and it changed."""
        state = getattr(locked, self.state_field)
        transition = self.table.transition_for(state, act)
        stale = self._is_stale(locked, expected_version)
        if transition is None:
            if stale:
                raise self.changed_error(self.refusals.moved_on(locked))
            if not self._may_ever(locked, act, actor):
                # The state is not the reason: in no state would this actor take the step
                # (an assistant asking to accept). Say whose step it is (issue 18, gap 12).
                raise NotPermitted(self.refusals.not_permitted(locked, act))
            raise DomainError(self.refusals.not_possible(locked, act))
        who = self.capacity(actor, locked, transition)
        if who is None:
            raise NotPermitted(self.refusals.not_permitted(locked, act))
        if stale:
            raise self.changed_error(self.refusals.stale(locked))
        step = Step(transition, transition.act, who)
        if self.guard is not None:
            self.guard(locked, step, actor)
        return step

    def refusal(self, instance: Any, act: str, actor: Any) -> str | None:
        """Why `actor` may not take `act` on `instance` now, in the words `check` would raise
        (the role or office, the item's conditions, or the state, whichever fails first), or None.

        For a page that explains a missing button; it reads without locking, so the answer may
        be out of date by the time a step is taken (which `check` asks again)."""
        try:
            self.check(instance, act, actor)
        except DomainError as error:
            return str(error.args[0]) if error.args else str(error)
        return None

    def _may_ever(self, locked: Any, act: str, actor: Any) -> bool:
        """Does `actor` hold a capacity for `act` in some state of the table (on this object)?
        Each row is asked about a copy of the object in the row's state, for capacities that
        read the state (the ledger's); nothing is saved."""
        for row in self.table:
            if row.act != act:
                continue
            probe = copy.copy(locked)
            setattr(probe, self.state_field, row.source)
            try:
                if self.capacity(actor, probe, row) is not None:
                    return True
            except NotPermitted:
                continue
        return False

    def step(self, locked: Any, act: str, who: Any) -> Step:
        """The step for `act` in the object's state without a permission check: for a step that
        follows from another one its caller has already authorised. The table still decides."""
        transition = self.table.transition_for(getattr(locked, self.state_field), act)
        if transition is None:
            raise DomainError(self.refusals.not_possible(locked, act))
        return Step(transition, transition.act, who)

    def record(
        self,
        locked: Any,
        step: Step | None,
        actor: Any,
        *,
        act: str | None = None,
        who: Any = None,
        fields: Iterable[str] = (),
        comment: str = "",
        data: dict | None = None,
        at=None,
        **event_fields: Any,
    ) -> Any:
        """Apply the step's target state, bump the version, save `fields` (and only those, with
        the state and version) and write the append-only event; returns the event.

        Without a step, `act` must be one of the table's bookkeeping acts and `who` the capacity
        it is written in: the state stays, the version still moves (a form opened before sees
        the change). `event_fields` go on the event as they are (e.g. `actor_office=None`)."""
        if step is not None:
            act, who = step.act, step.who if who is None else who
        elif act not in self.table.bookkeeping:
            raise ImproperlyConfigured(f"{act!r} is neither a step of the table nor a bookkeeping act")
        now = at or timezone.now()
        source = getattr(locked, self.state_field)
        target = step.target if step is not None else source
        update = set(fields)
        if target != source:
            setattr(locked, self.state_field, target)
            update.add(self.state_field)
            if self.state_changed_field:
                setattr(locked, self.state_changed_field, now)
                update.add(self.state_changed_field)
            for name, value in self.on_state_change.items():
                setattr(locked, name, value)
                update.add(name)
        if self.version_field:
            setattr(locked, self.version_field, getattr(locked, self.version_field) + 1)
            update.add(self.version_field)
        if update:
            locked.save(update_fields=sorted(update))
        event_fields.setdefault("actor_office", self.office_for(locked, who))
        event = self.event_model._default_manager.create(
            **self.subject(locked),
            act=act,
            from_state="" if act in self.creation_acts else source,
            to_state=target,
            actor=actor,
            actor_role=who.value if isinstance(who, Enum) else str(who),
            comment=comment,
            data=data or {},
            at=now,
            **event_fields,
        )
        if self.queue_messages is not None:
            self.queue_messages(locked, event)
        return event

    def _is_stale(self, locked: Any, expected_version: int | None) -> bool:
        if expected_version is None or not self.version_field:
            return False
        return expected_version != getattr(locked, self.version_field)


# -- the module's verbs: find the declaration from the object's model ----------------------------


def workflow_for(instance_or_model: models.Model | type[models.Model]) -> Workflow:
    """The declaration of a model (or of an instance's model).

    A kind is declared in its app's `services` module (the permission functions it names live
    there); that module is imported here if nothing imported it yet."""
    model = instance_or_model if isinstance(instance_or_model, type) else type(instance_or_model)
    model = model._meta.concrete_model or model
    if model not in _REGISTRY:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{model._meta.app_config.name}.services")
    try:
        return _REGISTRY[model]
    except KeyError:
        raise ImproperlyConfigured(f"no workflow is declared for {model.__name__}") from None


def lock(instance: models.Model) -> Any:
    """`Workflow.lock` of the instance's kind."""
    return workflow_for(instance).lock(instance)


def check(locked: models.Model, act: str, actor: Any, expected_version: int | None = None) -> Step:
    """`Workflow.check` of the object's kind."""
    return workflow_for(locked).check(locked, act, actor, expected_version)


def refusal(instance: models.Model, act: str, actor: Any) -> str | None:
    """`Workflow.refusal` of the object's kind."""
    return workflow_for(instance).refusal(instance, act, actor)


def record(locked: models.Model, step: Step | None, actor: Any, **kwargs: Any) -> Any:
    """`Workflow.record` of the object's kind."""
    return workflow_for(locked).record(locked, step, actor, **kwargs)


def notify_on_commit(callback: Callable[[], Any], *, using: str | None = None) -> None:
    """Run `callback` once the current transaction commits, never if it rolls back (outside a
    transaction: now). For what must not happen for a step that did not: starting a sender,
    a mail, a task. Messages a step queues in the outbox are written in its transaction instead."""
    transaction.on_commit(callback, using=using)
