"""The people policies against the world's cast directly (no HTTP): who sees and manages which
staff account, who grants which role to whom in which office (never their own), and who sees
which resident. Written from docs/architecture.md ("Who grants which role")."""

import pytest

from portal.people.policies import VIEW, membership_policy, resident_policy, staff_policy
from portal.people.roles import COUNTY_GRANTED_ROLES, Role
from tests.conftest import WORLD_PEOPLE

PEOPLE = WORLD_PEOPLE
TOWNSHIP_A_STAFF = {"assistant_a1", "clerk_a", "supervisor_a", "township_admin_a"}
EVERY_STAFF_MEMBER = set(PEOPLE) - {"outsider"}


def test_who_sees_which_staff_account(world):
    sees = {
        "county_admin": EVERY_STAFF_MEMBER,
        "township_admin_a": TOWNSHIP_A_STAFF,
    }
    for person in PEOPLE:
        user = getattr(world, person)
        visible = {u.username for u in staff_policy.instances_user_has_permission_for(user, VIEW)}
        assert visible == sees.get(person, set()), person
        assert staff_policy.user_has_permission(user, VIEW) == (person in sees), person
        for other in PEOPLE:
            assert staff_policy.user_has_permission_for_instance(user, VIEW, getattr(world, other)) == (
                other in sees.get(person, set())
            ), (person, other)


def test_who_manages_an_account(world):
    """Every office of the account: the county administrator manages all, the township's
    administrator those of township A only; an account with no role is the county's."""
    for other in PEOPLE:
        target = getattr(world, other)
        assert staff_policy.refusal(world.county_admin, target) is None, other
        assert (staff_policy.refusal(world.township_admin_a, target) is None) == (
            other in TOWNSHIP_A_STAFF
        ), other
        assert staff_policy.refusal(world.clerk_a, target) is not None, other


def test_an_account_with_roles_in_two_townships_is_the_countys(world):
    from portal.people.services import membership_create

    membership_create(actor=None, user=world.clerk_a, office=world.station_b1, role=Role.VILLAGE_ASSISTANT)
    assert staff_policy.refusal(world.township_admin_a, world.clerk_a) is not None
    assert staff_policy.refusal(world.county_admin, world.clerk_a) is None


def test_which_roles_each_administrator_grants(world):
    every = {value for value, _label in Role.choices}
    assert set(dict(membership_policy.roles_user_may_grant(world.county_admin))) == every
    assert (
        set(dict(membership_policy.roles_user_may_grant(world.township_admin_a)))
        == every - COUNTY_GRANTED_ROLES
    )


@pytest.mark.parametrize("role", [value for value, _label in Role.choices])
def test_who_grants_a_role_in_a_station(world, role):
    """Station A1: the county administrator grants anything; township A's administrator the
    roles of one office's own work; township B's people and the staff nothing."""
    office = world.station_a1
    target = world.outsider
    assert membership_policy.grant_refusal(world.county_admin, user=target, office=office, role=role) is None
    township = membership_policy.grant_refusal(world.township_admin_a, user=target, office=office, role=role)
    assert (township is None) == (role not in COUNTY_GRANTED_ROLES)
    for person in ("clerk_a", "supervisor_a", "assistant_a1", "clerk_b", "editor", "officer_d1"):
        assert membership_policy.grant_refusal(getattr(world, person), user=target, office=office, role=role)


def test_nobody_grants_or_ends_a_role_of_their_own(world):
    from django.utils import translation

    for admin, office in ((world.county_admin, world.ds), (world.township_admin_a, world.centre_a)):
        with translation.override("en"):
            refusal = membership_policy.grant_refusal(
                admin, user=admin, office=office, role=Role.TOWNSHIP_CLERK
            )
        assert "of your own" in refusal
        assert not membership_policy.user_may_set(admin, "user", admin)
        assert admin not in membership_policy.staff_user_may_grant_to(admin)


def test_township_administrators_do_not_reach_other_townships(world):
    refusal = membership_policy.grant_refusal(
        world.township_admin_a, user=world.outsider, office=world.station_b1, role=Role.VILLAGE_ASSISTANT
    )
    assert refusal is not None
    assert not membership_policy.user_may_set(world.township_admin_a, "office", world.station_b1)
    assert membership_policy.user_may_set(world.township_admin_a, "office", world.station_a2)
    assert not membership_policy.user_may_set(world.township_admin_a, "role", Role.ADMINISTRATOR)
    assert membership_policy.user_may_set(world.county_admin, "role", Role.ADMINISTRATOR)


def test_who_sees_which_membership(world):
    for person in PEOPLE:
        user = getattr(world, person)
        offices = {m.office for m in membership_policy.instances_user_has_permission_for(user, VIEW)}
        if person == "county_admin":
            assert offices == {
                world.ds,
                world.d1,
                world.centre_a,
                world.centre_b,
                world.station_a1,
                world.station_b1,
            }
        elif person == "township_admin_a":
            assert offices == {world.centre_a, world.station_a1}
        else:
            assert offices == set(), person


def test_who_sees_which_resident(world):
    from portal.people.services import resident_register
    from tests.factories import make_id_number

    a1, _ = resident_register(
        actor=None,
        name="张一",
        id_number=make_id_number(order=101),
        mobile="13800000001",
        village=world.village_a1,
    )
    b1, _ = resident_register(
        actor=None,
        name="李二",
        id_number=make_id_number(order=102),
        mobile="13800000002",
        village=world.village_b1,
    )
    sees = {
        "assistant_a1": {a1},
        "assistant_b1": {b1},
        "county_admin": {a1, b1},
        "township_admin_a": {a1},
    }
    for person in PEOPLE:
        user = getattr(world, person)
        assert set(resident_policy.instances_user_has_permission_for(user, VIEW)) == sees.get(
            person, set()
        ), person
        assert resident_policy.user_may_register_residents_of(user, world.village_a1) == (
            a1 in sees.get(person, set())
        ), person
