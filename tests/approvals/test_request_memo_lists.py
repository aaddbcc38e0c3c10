"""The lists of applications built from the request's remembered office ids
(`portal.people.request_memo`) hold exactly the rows the permission subqueries give outside a
request, for every person of the cast and every list action."""

import pytest

from approvals import policies
from approvals.policies import application_policy
from portal.people import request_memo
from tests.conftest import WORLD_PEOPLE

pytestmark = pytest.mark.django_db


def _rows(user, action) -> set[int]:
    return set(
        application_policy.instances_user_has_permission_for(user, action).values_list("pk", flat=True)
    )


def test_every_person_lists_the_same_applications(world, cases):
    made = {cases.draft().pk, cases.submitted().pk, cases.accepted().pk, cases.submitted(where="b1").pk}
    seen_by_someone = set()
    for person in WORLD_PEOPLE:
        user = getattr(world, person)
        for action in (policies.VIEW, policies.FILE, policies.HANDLE, policies.SUPERVISE, "accept"):
            plain = _rows(user, action)
            with request_memo.remembering():
                assert _rows(user, action) == plain, (person, action)
            seen_by_someone |= plain
    assert made <= seen_by_someone  # the comparison was about real rows, not empty lists
