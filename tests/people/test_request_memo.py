"""Within one request the office policy reads the user's permission rows once
(`portal.people.request_memo`); its answers must stay exactly those it gives outside a request,
and a change of the rows within the request must be seen at once."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from portal.offices.models import Office
from portal.people import request_memo
from portal.people.jurisdiction import office_policy
from portal.people.models import Membership
from portal.people.roles import Action
from portal.people.services import membership_end
from tests.conftest import WORLD_PEOPLE

pytestmark = pytest.mark.django_db


def _answers(user, offices) -> dict:
    answers = {}
    for action in Action:
        answers[action, "list"] = set(
            office_policy.instances_user_has_permission_for(user, action).values_list("pk", flat=True)
        )
        answers[action, "ids"] = set(office_policy.office_ids_user_has_permission_for(user, action))
        answers[action, "any"] = office_policy.user_has_permission(user, action)
        for office in offices:
            answers[action, office.pk] = office_policy.user_has_permission_for_instance(user, action, office)
    return answers


def test_every_person_gets_the_same_answers_with_and_without_the_memo(world, django_assert_num_queries):
    offices = list(Office.objects.all())
    for person in WORLD_PEOPLE:
        user = getattr(world, person)
        plain = _answers(user, offices)
        with request_memo.remembering():
            remembered = _answers(user, offices)
            with django_assert_num_queries(0):
                # The rows were read once: every further yes/no question costs no query.
                for action in Action:
                    for office in offices:
                        office_policy.user_has_permission_for_instance(user, action, office)
        assert remembered == plain, person


def test_one_question_after_another_costs_one_query(world, django_assert_num_queries):
    clerk = world.clerk_a
    with request_memo.remembering(), django_assert_num_queries(1):
        assert office_policy.user_has_permission_for_instance(clerk, Action.HANDLE, world.centre_a)
        assert not office_policy.user_has_permission_for_instance(clerk, Action.HANDLE, world.centre_b)
        assert office_policy.user_has_permission(clerk, Action.HANDLE)
        assert list(office_policy.office_ids_user_has_permission_for(clerk, Action.HANDLE)) == [
            world.centre_a.pk
        ]


def test_an_ended_membership_is_seen_within_the_same_request(world):
    clerk = world.clerk_a
    with request_memo.remembering():
        assert office_policy.user_has_permission_for_instance(clerk, Action.HANDLE, world.centre_a)
        for membership in Membership.objects.current().filter(user=clerk):
            membership_end(actor=world.county_admin, membership=membership)
        assert not office_policy.user_has_permission_for_instance(clerk, Action.HANDLE, world.centre_a)
        assert not office_policy.user_has_permission(clerk, Action.HANDLE)


def test_a_permission_or_group_written_by_hand_is_seen_within_the_same_request(world):
    outsider = world.outsider
    with request_memo.remembering():
        assert not office_policy.user_has_permission_for_instance(outsider, Action.VIEW, world.centre_b)
        group = Group.objects.create(name="hand-made")
        assign_perm("offices.view_office_work", group, world.centre_b)
        outsider.groups.add(group)
        assert office_policy.user_has_permission_for_instance(outsider, Action.VIEW, world.centre_b)
        outsider.groups.remove(group)
        assert not office_policy.user_has_permission_for_instance(outsider, Action.VIEW, world.centre_b)
        assign_perm("offices.view_office_work", outsider, world.centre_b)
        assert office_policy.user_has_permission_for_instance(outsider, Action.VIEW, world.centre_b)
        remove_perm("offices.view_office_work", outsider, world.centre_b)
        assert not office_policy.user_has_permission_for_instance(outsider, Action.VIEW, world.centre_b)


def test_nothing_is_remembered_outside_a_request_or_after_it(world, client):
    assert request_memo.memo() is None
    client.force_login(world.clerk_a)
    assert client.get(reverse("approvals:inbox")).status_code == 200
    assert request_memo.memo() is None  # the request's memo went with it
    with request_memo.remembering():
        office_policy.user_has_permission(world.clerk_a, Action.HANDLE)
        assert request_memo.memo()
    assert request_memo.memo() is None
