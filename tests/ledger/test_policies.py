"""`ledger_policy` against the world's cast directly (no HTTP): who sees, registers, takes each
step on and may be given a ledger item. The tables are written from docs/ledger.md.

  item A1: village A1 (station A1, township A's centre), registered by assistant_a1
  item B1: village B1 (station B1, township B's centre), registered by assistant_b1
"""

import pytest

from ledger.policies import DOWNLOAD_PHOTO, EXPORT, REGISTER, STEP_ACTIONS, TAKE_ON, VIEW, ledger_policy
from ledger.states import Act, State, Who
from tests.conftest import WORLD_PEOPLE

PEOPLE = WORLD_PEOPLE

SEES_A1 = {"assistant_a1", "clerk_a", "supervisor_a", "county_admin", "township_admin_a"}
SEES_B1 = {"assistant_b1", "clerk_b", "county_admin"}

# Capacities on a registered item of village A1 (Who.ASSIGNEE: nobody yet).
CAPACITIES_A1 = {
    "assistant_a1": {Who.FILER},
    "clerk_a": {Who.HANDLER},
    "supervisor_a": {Who.HANDLER, Who.SUPERVISOR},
    "county_admin": {Who.MANAGER},
    "township_admin_a": {Who.MANAGER},
}

# Steps on a registered item of village A1.
STEPS_REGISTERED_A1 = {
    "assistant_a1": {Act.CLAIM, Act.NOTE},
    "clerk_a": {Act.CLAIM},
    "supervisor_a": {Act.ASSIGN, Act.CLAIM, Act.NOTE, Act.CANCEL},
    "county_admin": {Act.CANCEL},
    "township_admin_a": {Act.CANCEL},
}


@pytest.fixture
def items(ledger):
    return {"a1": ledger.registered("a1"), "b1": ledger.registered("b1")}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_which_item(world, items, person):
    user = getattr(world, person)
    for action in (VIEW, EXPORT, DOWNLOAD_PHOTO):
        assert ledger_policy.user_has_permission_for_instance(user, action, items["a1"]) == (
            person in SEES_A1
        )
        assert ledger_policy.user_has_permission_for_instance(user, action, items["b1"]) == (
            person in SEES_B1
        )
    visible = set(ledger_policy.instances_user_has_permission_for(user, VIEW))
    assert visible == {items[k] for k, seers in (("a1", SEES_A1), ("b1", SEES_B1)) if person in seers}


@pytest.mark.parametrize("person", PEOPLE)
def test_capacities_and_steps_on_a_registered_item(world, items, person):
    user = getattr(world, person)
    item = items["a1"]
    assert ledger_policy.capacities_of(user, item) == CAPACITIES_A1.get(person, set())
    assert {step.act for step in ledger_policy.steps_for(user, item)} == STEPS_REGISTERED_A1.get(
        person, set()
    )
    for act in (Act.ASSIGN, Act.CLAIM, Act.NOTE, Act.CANCEL, Act.MARK_DONE, Act.RECORD_CONFIRMATION):
        allowed = act in STEPS_REGISTERED_A1.get(person, set())
        assert ledger_policy.user_has_permission_for_instance(user, act, item) == allowed, act
        assert (item in ledger_policy.instances_user_has_permission_for(user, act)) == allowed, act


def test_the_preferred_capacity_is_named(world, items):
    # The supervisor claims as one of the centre's handlers, and notes as its supervisor.
    assert ledger_policy.capacity_for_step(world.supervisor_a, items["a1"], Act.CLAIM) is Who.HANDLER
    assert ledger_policy.capacity_for_step(world.supervisor_a, items["a1"], Act.NOTE) is Who.SUPERVISOR
    assert ledger_policy.capacity_for_step(world.clerk_a, items["a1"], Act.CLAIM) is Who.HANDLER
    assert ledger_policy.capacity_for_step(world.clerk_a, items["a1"], Act.ASSIGN) is None


def test_the_assignee_works_on_the_item_wherever_they_are(world, ledger):
    item = ledger.in_progress("a1", to=world.assistant_a1)
    assert Who.ASSIGNEE in ledger_policy.capacities_of(world.assistant_a1, item)
    assert ledger_policy.user_has_permission_for_instance(world.assistant_a1, Act.MARK_DONE, item)
    assert not ledger_policy.user_has_permission_for_instance(world.clerk_a, Act.MARK_DONE, item)


def test_only_the_villager_closes_it(world, ledger):
    item = ledger.done("a1")
    for person in PEOPLE:
        user = getattr(world, person)
        assert not ledger_policy.user_has_permission_for_instance(user, Act.CONFIRM, item)
    assert ledger_policy.user_has_permission_for_instance(world.assistant_a1, Act.RECORD_CONFIRMATION, item)
    assert State(item.state) is State.DONE


@pytest.mark.parametrize("person", PEOPLE)
def test_who_registers_for_which_station(world, person):
    user = getattr(world, person)
    assert ledger_policy.user_has_permission_for_instance(user, REGISTER, world.station_a1) == (
        person == "assistant_a1"
    )
    expected = {"assistant_a1": {world.village_a1}, "assistant_b1": {world.village_b1}}.get(person, set())
    assert set(ledger_policy.villages_user_may_register_for(user)) == expected


def test_who_may_be_given_an_item(world, items):
    township_a_staff = {world.assistant_a1, world.clerk_a, world.supervisor_a}
    assert set(ledger_policy.users_with_permission_for_instance(TAKE_ON, items["a1"])) == township_a_staff
    assert ledger_policy.township_office_of(world.clerk_a, items["a1"]) == world.centre_a
    assert ledger_policy.township_office_of(world.assistant_a1, items["a1"]) == world.station_a1
    for person in ("clerk_b", "assistant_b1", "township_admin_a", "county_admin", "officer_d1", "outsider"):
        assert ledger_policy.township_office_of(getattr(world, person), items["a1"]) is None, person


def test_a_superuser_is_on_no_township_staff_without_a_role(world, items):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    assert ledger_policy.user_has_permission_for_instance(root, VIEW, items["a1"])
    assert ledger_policy.township_office_of(root, items["a1"]) is None
    assert root not in ledger_policy.users_with_permission_for_instance(TAKE_ON, items["a1"])


def test_a_disabled_account_may_do_nothing(world, items):
    from portal.people.services import staff_set_active

    staff_set_active(actor=None, user=world.supervisor_a, active=False)
    assert not ledger_policy.user_has_permission_for_instance(world.supervisor_a, VIEW, items["a1"])
    assert ledger_policy.capacities_of(world.supervisor_a, items["a1"]) == set()
    assert world.supervisor_a not in ledger_policy.users_with_permission_for_instance(TAKE_ON, items["a1"])


def test_who_may_act_on_an_item_is_listed_as_it_is_answered(world, ledger):
    """`users_with_permission_for_instance` (who is told, who may be given the work) names
    exactly the people `user_has_permission_for_instance` lets act, for every action."""
    registered = ledger.registered("a1")
    in_progress = ledger.in_progress("a1", to=world.clerk_a)
    for item in (registered, in_progress):
        actions = [VIEW, EXPORT, DOWNLOAD_PHOTO, TAKE_ON, *sorted(STEP_ACTIONS)]
        for action in actions:
            listed = set(ledger_policy.users_with_permission_for_instance(action, item))
            allowed = {
                person
                for person in world.people.values()
                if ledger_policy.user_has_permission_for_instance(person, action, item)
            }
            assert listed == allowed, (item.state, action)
