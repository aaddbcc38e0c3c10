"""The work calendar's policies against the world directly: county administrators and
superusers may do everything to calendar years and days, nobody else anything; the answer is
one query per request, shared with every other county-administrator policy."""

import pytest

from portal.audit.permissions import AuditPolicy
from portal.people.jurisdiction import CountyAdministratorPolicy
from portal.workdays.policies import (
    ADD,
    CHANGE,
    CONFIRM,
    DELETE,
    ENTER,
    VIEW,
    calendar_day_policy,
    calendar_year_policy,
)

ACTIONS = (VIEW, ADD, CHANGE, DELETE, CONFIRM, ENTER)


@pytest.mark.parametrize("policy", [calendar_year_policy, calendar_day_policy], ids=["years", "days"])
def test_only_county_administrators(world, policy):
    for person, user in world.people.items():
        for action in ACTIONS:
            assert policy.user_has_permission(user, action) == (person == "county_admin"), (person, action)
    assert set(policy.users_with_permission(CONFIRM)) == {world.county_admin}


def test_a_superuser_may(world):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    assert calendar_year_policy.user_has_permission(root, CONFIRM)
    assert root in calendar_year_policy.users_with_permission(CONFIRM)


def test_one_rule_one_cached_answer(world, django_assert_num_queries):
    user = world.county_admin
    with django_assert_num_queries(1):
        assert calendar_year_policy.user_has_permission(user, VIEW)
        assert calendar_day_policy.user_has_permission(user, CHANGE)
        assert AuditPolicy(calendar_year_policy.model).user_has_permission(user, VIEW)
    assert isinstance(calendar_year_policy, CountyAdministratorPolicy)
