"""The workflow machine itself (`portal.workflow`): the table, the check, the record, the
notification after commit, and the row lock that makes a second actor wait and then find the
object changed.

Most tests drive a small declaration of their own over the application model (`toy`), so they
test the machine and not the application's rules; the last ones use the real declarations."""

import re
import threading
import time
from enum import Enum

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import translation

from approvals import services as application_services
from approvals.models import Application, ApplicationEvent
from approvals.states import Act, State
from approvals.states import Who as ApplicationWho
from ledger.models import LedgerItem
from portal import workflow
from portal.errors import DomainError, NotPermitted
from portal.offices.models import Office
from portal.workflow import Refusals, Step, Transition, TransitionTable, Workflow
from ratings.models import RatingAppeal, Rectification


class Who(Enum):
    """Stand-in capacities; the event names a capacity by its value."""

    CLERK = "clerk"
    SYSTEM = "system"


ROWS = (
    Transition(State.SUBMITTED, Act.ACCEPT, State.ACCEPTED, Who.CLERK),
    Transition(State.SUBMITTED, Act.RETURN, State.RETURNED, frozenset({Who.CLERK, Who.SYSTEM})),
    Transition(State.ACCEPTED, Act.PAUSE, State.ACCEPTED, Who.CLERK),
)


class ToyChanged(DomainError):
    pass


def toy(*, capacity=None, queued=None, guard=None) -> Workflow:
    """A declaration over applications with three rows, plain refusals and no rules of its own."""
    return Workflow(
        model=Application,
        table=TransitionTable(ROWS, buttons={Act.ACCEPT: "Take it"}, bookkeeping={Act.DEADLINE_MOVED}),
        event_model=ApplicationEvent,
        subject=lambda locked: {"application": locked},
        capacity=capacity or (lambda actor, locked, row: Who.CLERK if actor is not None else None),
        refusals=Refusals(
            moved_on=lambda locked: f"moved on: {locked.state}",
            not_possible=lambda locked, act: f"not possible: {act} in {locked.state}",
            not_permitted=lambda locked, act: f"not permitted: {act}",
            stale=lambda locked: "stale",
        ),
        changed_error=ToyChanged,
        guard=guard,
        queue_messages=(lambda locked, event: queued.append(event)) if queued is not None else None,
        on_state_change={"alert": ""},
        register=False,
    )


# -- the table -----------------------------------------------------------------------------------


class TestTable:
    def test_it_finds_a_row_by_plain_strings_and_lists_a_states_rows_in_order(self):
        table = TransitionTable(ROWS)
        assert table.transition_for("submitted", "accept") == ROWS[0]
        assert table.transition_for("accepted", "accept") is None
        assert [row.act for row in table.acts_from(State.SUBMITTED)] == [Act.ACCEPT, Act.RETURN]
        assert list(table) == list(ROWS) and len(table) == 3

    def test_a_button_says_its_own_words_or_the_acts_label(self):
        table = TransitionTable(ROWS, buttons={Act.ACCEPT: "Take it"})
        assert table.transition_for(State.SUBMITTED, Act.ACCEPT).button == "Take it"
        assert table.transition_for(State.SUBMITTED, Act.RETURN).button == Act.RETURN.label

    def test_one_capacity_or_several(self):
        assert ROWS[0].capacities == frozenset({Who.CLERK})
        assert ROWS[1].capacities == frozenset({Who.CLERK, Who.SYSTEM})

    def test_two_rows_for_one_state_and_act_are_refused(self):
        with pytest.raises(ImproperlyConfigured, match="two rows"):
            TransitionTable((*ROWS, Transition(State.SUBMITTED, Act.ACCEPT, State.REJECTED, Who.CLERK)))

    def test_a_bookkeeping_act_is_not_also_a_step(self):
        with pytest.raises(ImproperlyConfigured, match="bookkeeping"):
            TransitionTable(ROWS, bookkeeping={Act.ACCEPT})

    def test_the_real_tables_keep_their_rows(self):
        from approvals.states import TABLE as APPLICATIONS
        from approvals.states import TRANSITIONS, transition_for
        from ledger.states import TABLE as LEDGER

        assert APPLICATIONS.transitions == TRANSITIONS and len(APPLICATIONS) == 45  # + 同意再次退回, 再次退回 (issue 18)
        assert transition_for(State.DRAFT, Act.SUBMIT).target == State.SUBMITTED
        assert len(LEDGER) == 13 and all(isinstance(row.who, frozenset) for row in LEDGER)


# -- the declarations ----------------------------------------------------------------------------


def test_every_kind_is_found_from_its_model():
    assert workflow.workflow_for(Application) is application_services.WORKFLOW
    assert workflow.workflow_for(Application()) is application_services.WORKFLOW
    for model in (LedgerItem, Rectification, RatingAppeal):
        assert workflow.workflow_for(model).model is model
    with pytest.raises(ImproperlyConfigured, match="no workflow"):
        workflow.workflow_for(Office)


def test_a_model_has_one_declaration():
    with pytest.raises(ImproperlyConfigured, match="already"):
        Workflow(**{**toy().__dict__, "register": True})


# -- check -----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCheck:
    def test_a_step_in_the_table_by_someone_who_may_returns_the_capacity(self, cases, world):
        locked = toy().lock(cases.submitted())
        step = toy().check(locked, Act.ACCEPT, world.clerk_a, locked.version)
        assert step == Step(ROWS[0], Act.ACCEPT, Who.CLERK)
        assert (step.source, step.target) == (State.SUBMITTED, State.ACCEPTED)

    def test_an_act_not_in_the_table_for_the_state_is_not_possible(self, cases, world):
        locked = toy().lock(cases.submitted())
        with pytest.raises(DomainError, match="not possible: pause in submitted"):
            toy().check(locked, Act.PAUSE, world.clerk_a, locked.version)

    def test_not_possible_on_a_stale_form_says_someone_else_moved_it_on(self, cases, world):
        locked = toy().lock(cases.submitted())
        with pytest.raises(ToyChanged, match="moved on: submitted"):
            toy().check(locked, Act.PAUSE, world.clerk_a, locked.version - 1)

    def test_someone_without_a_capacity_is_not_permitted(self, cases):
        locked = toy().lock(cases.submitted())
        with pytest.raises(NotPermitted, match="not permitted: accept"):
            toy().check(locked, Act.ACCEPT, None, locked.version)

    def test_a_possible_step_on_a_stale_form_is_refused_as_stale(self, cases, world):
        locked = toy().lock(cases.submitted())
        with pytest.raises(ToyChanged, match="stale"):
            toy().check(locked, Act.ACCEPT, world.clerk_a, locked.version - 1)
        assert toy().check(locked, Act.ACCEPT, world.clerk_a, None).who is Who.CLERK  # no form, no version

    def test_the_guard_has_the_last_word(self, cases, world):
        def guard(locked, step, actor):
            raise DomainError(f"guarded {step.act}")

        locked = toy().lock(cases.submitted())
        with pytest.raises(DomainError, match="guarded accept"):
            toy(guard=guard).check(locked, Act.ACCEPT, world.clerk_a, locked.version)

    def test_the_application_refusals_keep_their_words(self, cases, world):
        application = cases.accepted()
        with translation.override("en"), pytest.raises(application_services.ApplicationChanged) as stale:
            workflow.check(application, Act.REVIEW, world.clerk_a, application.version - 1)
        assert "has changed since you opened it (someone else acted on it)" in str(stale.value)
        with translation.override("zh-hans"), pytest.raises(application_services.ApplicationChanged) as stale:
            workflow.check(application, Act.REVIEW, world.clerk_a, application.version - 1)
        assert "已被他人处理" in str(stale.value)


# -- record ----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRecord:
    def test_it_moves_the_state_bumps_the_version_and_writes_the_event(self, cases, world):
        queued = []
        machine = toy(queued=queued)
        with transaction.atomic():
            locked = machine.lock(cases.submitted())
            locked.alert = "overdue"
            before, version = locked.state_changed_at, locked.version
            step = machine.check(locked, Act.ACCEPT, world.clerk_a, version)
            event = machine.record(locked, step, world.clerk_a, comment="ok", data={"n": 1})
        fresh = Application.objects.get(pk=locked.pk)
        assert (fresh.state, fresh.version, fresh.alert) == (State.ACCEPTED, version + 1, "")
        assert fresh.state_changed_at > before
        assert (event.act, event.from_state, event.to_state) == (Act.ACCEPT, State.SUBMITTED, State.ACCEPTED)
        assert (event.actor, event.actor_role, event.comment, event.data) == (
            world.clerk_a,
            "clerk",
            "ok",
            {"n": 1},
        )
        assert event.at == fresh.state_changed_at
        assert queued == [event]

    def test_it_saves_only_the_named_fields(self, cases, world):
        machine = toy()
        locked = machine.lock(cases.submitted())
        locked.request_note = "named"
        locked.pause_name = "not named"
        machine.record(
            locked, machine.check(locked, Act.ACCEPT, world.clerk_a), world.clerk_a, fields=["request_note"]
        )
        fresh = Application.objects.get(pk=locked.pk)
        assert (fresh.request_note, fresh.pause_name) == ("named", "")

    def test_a_bookkeeping_act_keeps_the_state_and_still_bumps_the_version(self, cases):
        machine = toy()
        locked = machine.lock(cases.submitted())
        version = locked.version
        event = machine.record(locked, None, None, act=Act.DEADLINE_MOVED, who=Who.SYSTEM, data={"x": 1})
        fresh = Application.objects.get(pk=locked.pk)
        assert (fresh.state, fresh.version) == (State.SUBMITTED, version + 1)
        assert (event.from_state, event.to_state, event.actor_role) == (
            State.SUBMITTED,
            State.SUBMITTED,
            "system",
        )

    def test_an_act_outside_the_table_and_the_bookkeeping_is_refused(self, cases):
        machine = toy()
        locked = machine.lock(cases.submitted())
        with pytest.raises(ImproperlyConfigured, match="neither"):
            machine.record(locked, None, None, act=Act.APPROVE, who=Who.SYSTEM)
        assert not locked.events.filter(act=Act.APPROVE).exists()

    def test_a_consequence_takes_the_tables_step_without_a_permission_check(self, cases):
        machine = toy()
        locked = machine.lock(cases.submitted())
        assert machine.step(locked, Act.RETURN, Who.SYSTEM) == Step(ROWS[1], Act.RETURN, Who.SYSTEM)
        with pytest.raises(DomainError, match="not possible"):
            machine.step(locked, Act.PAUSE, Who.SYSTEM)


# -- after commit ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestNotifyOnCommit:
    def test_it_runs_after_the_commit(self, django_capture_on_commit_callbacks):
        ran = []
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            workflow.notify_on_commit(lambda: ran.append("sent"))
            assert ran == []
        assert ran == ["sent"] and len(callbacks) == 1

    def test_it_never_runs_for_a_step_that_rolled_back(self, django_capture_on_commit_callbacks):
        ran = []
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(DomainError),
            transaction.atomic(),
        ):
            workflow.notify_on_commit(lambda: ran.append("sent"))
            raise DomainError("refused")
        assert ran == [] and callbacks == []


# -- the row lock, on PostgreSQL -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_step_waits_for_the_lock_then_finds_the_version_changed(cases, world):
    application = cases.accepted()
    opened_at = application.version
    first_holds_the_lock = threading.Event()
    outcome: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                locked = workflow.lock(application)
                workflow.record(locked, None, None, act=Act.DEADLINE_MOVED, who=ApplicationWho.SYSTEM)
                first_holds_the_lock.set()
                time.sleep(0.5)
        except Exception as error:  # shown by the assertions below
            outcome["first"] = repr(error)
        finally:
            connection.close()

    def second():
        try:
            first_holds_the_lock.wait(timeout=10)
            started = time.monotonic()
            with transaction.atomic(), translation.override("en"):
                locked = workflow.lock(application)
                outcome["waited"] = time.monotonic() - started
                outcome["version"] = locked.version
                try:
                    workflow.check(locked, Act.REVIEW, world.clerk_a, opened_at)
                except DomainError as error:
                    outcome["refused"] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert "first" not in outcome, outcome
    assert outcome["waited"] >= 0.3
    assert outcome["version"] == opened_at + 1
    assert re.search(r"has changed since you opened it", outcome["refused"])
