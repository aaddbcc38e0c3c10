"""`delegation_policy` against the world directly: county administrators add, change and revoke
delegation records of the departments they manage, choosing the centres they manage; nobody
else sees the records at all."""

from portal.offices.models import OfficeKind
from services_catalog.policies import ADD, CHANGE, REVOKE, VIEW, delegation_policy


def test_only_county_administrators(world):
    for person, user in world.people.items():
        county = person == "county_admin"
        assert delegation_policy.user_has_permission(user, ADD) == county, person
        assert delegation_policy.user_may_change_records(user) == county, person
        for action in (VIEW, CHANGE, REVOKE):
            # An empty list of records: the page opens only for those who may add one.
            assert not delegation_policy.user_has_permission(user, action) or county, (person, action)
    assert delegation_policy.user_may_change_records(None)  # an operator's job


def test_the_choices_are_the_county_administrators_offices(world):
    admin = world.county_admin
    assert set(delegation_policy.departments_user_may_choose(admin)) == {world.d1, world.d2, world.ds}
    assert set(delegation_policy.centres_user_may_choose(admin)) == {world.centre_a, world.centre_b}
    township = world.township_admin_a
    assert set(delegation_policy.departments_user_may_choose(township)) == set()
    assert {o.kind for o in delegation_policy.centres_user_may_choose(township)} == {OfficeKind.CENTRE}
    assert not delegation_policy.instances_user_has_permission_for(township, VIEW).exists()
