"""The application policy's role × application × action table, asked directly (no pages).

The applications (built through the services, as people would):

    draft       低保, village A1, not submitted      station A1
    at_a        低保, village A1, submitted          → centre A
    at_b        低保, village B1, submitted          → centre B
    at_d1       临时救助, village A1, accepted       → department D1 (not delegated)

Each table row names who may; everyone else of the cast (and anonymous) may not. For every
row the list (`instances_user_has_permission_for`) must agree with the single answer, and
`users_with_permission_for_instance` must name exactly the people (never a superuser).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from approvals import policies
from approvals.policies import answering_policy, application_policy
from approvals.states import Who
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.conftest import WORLD_PEOPLE
from tests.factories import UserFactory
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

EVERYONE = WORLD_PEOPLE

SEE_A1_AT_A = {"assistant_a1", "clerk_a", "supervisor_a", "county_admin", "township_admin_a"}

TABLE = {
    "draft": {
        policies.VIEW: {"assistant_a1"},
        policies.DOWNLOAD: {"assistant_a1"},
        policies.PRINT: {"assistant_a1"},
        policies.FILE: {"assistant_a1"},
        policies.HANDLE: set(),
        policies.SUPERVISE: set(),
        "submit": {"assistant_a1"},
        "withdraw": {"assistant_a1"},
        "accept": set(),
    },
    "at_a": {
        policies.VIEW: SEE_A1_AT_A,
        policies.DOWNLOAD: SEE_A1_AT_A,
        policies.PRINT: SEE_A1_AT_A,
        policies.FILE: {"assistant_a1"},
        policies.HANDLE: {"clerk_a", "supervisor_a"},
        policies.SUPERVISE: {"supervisor_a"},
        policies.EXPORT: {"clerk_a", "supervisor_a"},
        policies.REVEAL_ID_NUMBER: {"clerk_a", "supervisor_a"},
        policies.UNLOCK_TRACKING: {"assistant_a1", "clerk_a", "supervisor_a"},
        "accept": {"clerk_a", "supervisor_a"},
        "return": {"clerk_a", "supervisor_a"},
        "assign": {"clerk_a", "supervisor_a"},
        "reassign": {"supervisor_a"},
        "withdraw": {"assistant_a1"},
        "submit": set(),  # not a step from "submitted": nobody submits it again
    },
    "at_b": {
        policies.VIEW: {"assistant_b1", "clerk_b", "county_admin"},
        policies.FILE: {"assistant_b1"},
        policies.HANDLE: {"clerk_b"},
        policies.SUPERVISE: set(),  # centre B has no supervisor
        "accept": {"clerk_b"},
        "reassign": set(),
    },
    "at_d1": {
        policies.VIEW: {"assistant_a1", "officer_d1", "county_admin", "township_admin_a"},
        policies.FILE: {"assistant_a1"},
        policies.HANDLE: {"officer_d1"},
        policies.SUPERVISE: set(),
        policies.REVEAL_ID_NUMBER: {"officer_d1"},
        "approve": {"officer_d1"},  # accepted, at a department: the handler decides
        "reject": {"officer_d1"},
        "pause": {"officer_d1"},
        "supply": {"assistant_a1"},
        "hand_over": set(),  # only after the approval
    },
}


@pytest.fixture
def applications(cases, world):  # noqa: F811
    from approvals import services

    at_d1 = services.application_accept(actor=world.officer_d1, application=cases.submitted("relief", "a1"))
    return {
        "draft": cases.draft("dibao", "a1"),
        "at_a": cases.submitted("dibao", "a1"),
        "at_b": cases.submitted("dibao", "b1"),
        "at_d1": at_d1,
    }


def _differences(world, applications) -> list[str]:
    wrong = []
    for name, rows in TABLE.items():
        application = applications[name]
        for action, allowed in rows.items():
            for person in EVERYONE:
                user = getattr(world, person)
                answer = application_policy.user_has_permission_for_instance(user, action, application)
                listed = (
                    application_policy.instances_user_has_permission_for(user, action)
                    .filter(pk=application.pk)
                    .exists()
                )
                if answer != (person in allowed):
                    wrong.append(f"{person} {action} {name}: {answer}")
                if listed != answer:
                    wrong.append(f"{person} {action} {name}: listed {listed}, answered {answer}")
            users = application_policy.users_with_permission_for_instance(action, application)
            named = set(users.values_list("username", flat=True))
            if named != allowed:
                wrong.append(f"users with {action} on {name}: {sorted(named)}")
    return wrong


@pytest.mark.django_db
def test_the_table_of_who_may_do_what_to_which_application(world, applications):
    assert _differences(world, applications) == []


@pytest.mark.django_db
def test_nobody_anonymous_or_inactive_may_do_anything(world, applications):
    world.clerk_a.is_active = False
    for user in (None, AnonymousUser(), world.clerk_a):
        for action in policies.ACTIONS:
            assert not application_policy.user_has_permission(user, action)
            assert not application_policy.instances_user_has_permission_for(user, action).exists()
            for application in applications.values():
                assert not application_policy.user_has_permission_for_instance(user, action, application)


@pytest.mark.django_db
def test_a_superuser_may_do_everything_but_is_nobodys_colleague(world, applications):
    root = UserFactory(username="root", is_superuser=True)
    at_a = applications["at_a"]
    for action in (policies.VIEW, policies.FILE, policies.HANDLE, policies.SUPERVISE, "accept"):
        assert application_policy.user_has_permission_for_instance(root, action, at_a)
        assert application_policy.user_has_permission(root, action)
        assert root not in application_policy.users_with_permission_for_instance(action, at_a)


@pytest.mark.django_db
def test_who_may_open_each_kind_of_page(world, applications):
    expected = {
        policies.VIEW: {p for p in EVERYONE if p not in ("editor", "outsider")},
        policies.FILE: {"assistant_a1", "assistant_b1"},
        policies.HANDLE: {"clerk_a", "supervisor_a", "clerk_b", "officer_d1"},
        policies.SUPERVISE: {"supervisor_a"},
    }
    for action, allowed in expected.items():
        may = {p for p in EVERYONE if application_policy.user_has_permission(getattr(world, p), action)}
        assert may == allowed, action


@pytest.mark.django_db
def test_the_step_records_the_capacity_the_table_names(world, applications):
    at_a = applications["at_a"]
    assert application_policy.capacity_for(world.supervisor_a, "reassign", at_a) is Who.SUPERVISOR
    assert application_policy.capacity_for(world.supervisor_a, "accept", at_a) is Who.HANDLER
    # The assistant unlocks as the filer even where they could also handle (they cannot here).
    assert application_policy.capacity_for(world.assistant_a1, policies.UNLOCK_TRACKING, at_a) is Who.FILER
    assert application_policy.capacity_for(world.clerk_a, policies.UNLOCK_TRACKING, at_a) is Who.HANDLER
    assert application_policy.user_may_act_as(None, at_a, Who.SYSTEM)
    assert not application_policy.user_may_act_as(world.clerk_a, at_a, Who.SYSTEM)


@pytest.mark.django_db
def test_the_assignee_field(world, applications):
    at_a = applications["at_a"]
    assert list(application_policy.assignees_for(at_a)) == [world.clerk_a, world.supervisor_a]
    may_set = application_policy.user_may_set
    assert may_set(world.supervisor_a, "assignee", world.clerk_a, at_a)
    assert may_set(world.clerk_a, "assignee", world.clerk_a, at_a)  # taking it oneself
    assert not may_set(world.clerk_a, "assignee", world.supervisor_a, at_a)  # only a supervisor gives it
    assert not may_set(world.supervisor_a, "assignee", world.clerk_b, at_a)  # another centre's clerk
    assert not may_set(world.supervisor_a, "assignee", world.township_admin_a, at_a)


@pytest.mark.django_db
def test_who_answers_for_an_office(world):
    capacity = answering_policy.capacity_for
    assert capacity(world.supervisor_a, world.centre_a) is Who.SUPERVISOR
    assert capacity(world.officer_d1, world.d1) is Who.HANDLER
    for person, office in [
        ("clerk_a", "centre_a"),
        ("township_admin_a", "centre_a"),
        ("county_admin", "d1"),
        ("officer_d1", "d2"),
        ("supervisor_a", "centre_b"),
        ("assistant_a1", "station_a1"),
    ]:
        assert capacity(getattr(world, person), getattr(world, office)) is None, (person, office)
    answers = {
        p: set(answering_policy.instances_user_has_permission_for(getattr(world, p))) for p in EVERYONE
    }
    assert answers == {
        p: ({world.centre_a} if p == "supervisor_a" else {world.d1} if p == "officer_d1" else set())
        for p in EVERYONE
    }
    assert list(answering_policy.users_with_permission_for_instance(world.centre_a)) == [world.supervisor_a]
    assert list(answering_policy.users_with_permission_for_instance(world.d1)) == [world.officer_d1]
    assert not answering_policy.users_with_permission_for_instance(world.centre_b).exists()


@pytest.mark.django_db
def test_the_supervisors_of_each_office_for_the_reminders(world):
    found = policies.supervisors_by_office({world.centre_a, world.centre_b, world.d1})
    assert found == {world.centre_a.pk: [world.supervisor_a], world.centre_b.pk: [], world.d1.pk: []}
