"""The office policy's lists against guardian's own answer, for every person of the cast and
every action: the same offices, read by the offices' primary key.

Why: `office_policy.instances_user_has_permission_for` is the root of every list of work (the
inbox, the station's list, who sees an application). It reads guardian's rows itself instead of
calling `get_objects_for_user`, whose `offices.id::varchar IN (...)` scans the whole offices table
on every use (21,000 offices in a province: bench/province.py). The answers must stay guardian's."""

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, get_objects_for_user

from portal.offices.models import Office
from portal.people.jurisdiction import office_policy
from portal.people.roles import Action
from tests.conftest import WORLD_PEOPLE
from tests.factories import UserFactory


def _guardian(user, actions) -> set[int]:
    return set(
        get_objects_for_user(
            user,
            [f"offices.{action}" for action in actions],
            klass=Office,
            any_perm=True,
            accept_global_perms=False,
        ).values_list("pk", flat=True)
    )


def test_every_person_and_action_lists_what_guardian_lists(world):
    for person in WORLD_PEOPLE:
        user = getattr(world, person)
        for action in Action:
            listed = set(
                office_policy.instances_user_has_permission_for(user, action).values_list("pk", flat=True)
            )
            assert listed == _guardian(user, [action]), (person, action)
            assert office_policy.user_has_permission(user, action) == bool(listed), (person, action)
        pair = [Action.FILE, Action.VIEW]
        listed = set(
            office_policy.instances_user_has_any_permission_for(user, pair).values_list("pk", flat=True)
        )
        assert listed == _guardian(user, pair), person


def test_a_group_object_permission_still_counts(world):
    """Nothing in Cunban writes them, but guardian honours them, so the policy does too."""
    group = Group.objects.create(name="hand-made")
    world.outsider.groups.add(group)
    assign_perm("offices.view_office_work", group, world.centre_b)
    listed = office_policy.instances_user_has_permission_for(world.outsider, Action.VIEW)
    assert list(listed) == [world.centre_b]
    assert not office_policy.instances_user_has_permission_for(world.outsider, Action.HANDLE).exists()


def test_superusers_and_inactive_accounts(world):
    root = UserFactory(username="root", is_superuser=True)
    assert (
        office_policy.instances_user_has_permission_for(root, Action.HANDLE).count() == Office.objects.count()
    )
    world.clerk_b.is_active = False
    assert not office_policy.instances_user_has_permission_for(world.clerk_b, Action.HANDLE).exists()


def test_offices_are_found_by_their_key_not_by_a_text_cast(world):
    """The shape that made every inbox scan the offices table must not come back."""
    sql = str(office_policy.instances_user_has_permission_for(world.clerk_a, Action.HANDLE).query)
    assert '"offices_office"."id")::varchar' not in sql
    assert "::varchar" not in sql.split("IN (")[0]
