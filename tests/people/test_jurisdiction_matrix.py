"""Role × office × action: every person of the cast against every office, inside and outside
their jurisdiction. The single-object check (services) and the queryset (selectors) must give
the same answer in every cell."""

import pytest

from portal.people.jurisdiction import office_policy
from portal.people.roles import Action

ALL_OFFICES = {"d1", "d2", "ds", "centre_a", "centre_b", "station_a1", "station_a2", "station_b1"}
TOWNSHIP_A = {"centre_a", "station_a1", "station_a2"}

# person -> action -> offices where it is allowed; everything else is denied.
EXPECTED = {
    "assistant_a1": {Action.FILE: {"station_a1"}, Action.VIEW: {"station_a1"}},
    "assistant_b1": {Action.FILE: {"station_b1"}, Action.VIEW: {"station_b1"}},
    "clerk_a": {Action.HANDLE: {"centre_a"}, Action.VIEW: {"centre_a"}},
    "supervisor_a": {Action.HANDLE: {"centre_a"}, Action.SUPERVISE: {"centre_a"}, Action.VIEW: {"centre_a"}},
    "clerk_b": {Action.HANDLE: {"centre_b"}, Action.VIEW: {"centre_b"}},
    "officer_d1": {Action.HANDLE: {"d1"}, Action.VIEW: {"d1"}},
    "editor": {Action.EDIT_GUIDE: ALL_OFFICES},
    "county_admin": {Action.MANAGE: ALL_OFFICES, Action.VIEW: ALL_OFFICES},
    "township_admin_a": {Action.MANAGE: TOWNSHIP_A, Action.VIEW: TOWNSHIP_A},
    "outsider": {},
}


def test_matrix_single_object_checks_match_the_table(world):
    mismatches = []
    cells = 0
    for person_name, person in world.people.items():
        for office_name, office in world.offices.items():
            for action in Action:
                cells += 1
                expected = office_name in EXPECTED[person_name].get(action, set())
                actual = office_policy.user_has_permission_for_instance(person, action, office)
                if actual != expected:
                    mismatches.append((person_name, office_name, action.value, expected, actual))
    assert cells == 10 * 8 * len(Action)
    assert mismatches == []


def test_matrix_querysets_match_the_table(world):
    names_by_pk = {office.pk: name for name, office in world.offices.items()}
    for person_name, person in world.people.items():
        for action in Action:
            visible = {
                names_by_pk[pk]
                for pk in office_policy.instances_user_has_permission_for(person, action).values_list(
                    "pk", flat=True
                )
            }
            assert visible == EXPECTED[person_name].get(action, set()), (person_name, action)


# County-wide roles and township B's own staff are covered by the matrix above.
OUTSIDE_TOWNSHIP_B = sorted(set(EXPECTED) - {"county_admin", "editor", "assistant_b1", "clerk_b"})


@pytest.mark.parametrize("person_name", OUTSIDE_TOWNSHIP_B)
def test_no_one_reaches_a_neighbouring_township(world, person_name):
    """The headline rule: township A's people never touch township B's offices."""
    person = world.people[person_name]
    for office in (world.centre_b, world.station_b1):
        for action in (Action.FILE, Action.HANDLE, Action.SUPERVISE, Action.VIEW, Action.MANAGE):
            assert not office_policy.user_has_permission_for_instance(person, action, office)
