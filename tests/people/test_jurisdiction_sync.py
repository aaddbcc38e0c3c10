"""Memberships and guardian permissions never disagree."""

from guardian.models import UserObjectPermission

from portal.offices.models import OfficeKind
from portal.offices.services import office_save
from portal.people.jurisdiction import jurisdiction_sync, office_policy
from portal.people.roles import Action, Role
from portal.people.services import membership_create, membership_end, staff_set_active
from tests.factories import OfficeFactory, RegionFactory


def test_ending_a_membership_removes_its_permissions(world):
    membership = world.clerk_a.memberships.get()
    membership_end(actor=world.township_admin_a, membership=membership)
    assert not office_policy.user_has_permission_for_instance(world.clerk_a, Action.HANDLE, world.centre_a)
    assert not UserObjectPermission.objects.filter(user=world.clerk_a).exists()
    assert list(membership.events.values_list("kind", flat=True)) == ["started", "ended"]


def test_overlapping_memberships_keep_the_shared_permission(world):
    """A clerk who is also the supervisor keeps VIEW when the clerk role ends."""
    membership_create(actor=None, user=world.clerk_a, office=world.centre_a, role=Role.CENTRE_SUPERVISOR)
    membership_end(actor=None, membership=world.clerk_a.memberships.get(role=Role.TOWNSHIP_CLERK))
    assert office_policy.user_has_permission_for_instance(world.clerk_a, Action.VIEW, world.centre_a)
    assert office_policy.user_has_permission_for_instance(world.clerk_a, Action.SUPERVISE, world.centre_a)


def test_sync_is_idempotent_and_repairs_hand_made_grants(world):
    assert jurisdiction_sync(world.clerk_a) == (0, 0)
    from guardian.shortcuts import assign_perm

    assign_perm("offices.handle_application", world.clerk_a, world.centre_b)
    assert office_policy.user_has_permission_for_instance(world.clerk_a, Action.HANDLE, world.centre_b)
    assert jurisdiction_sync(world.clerk_a) == (0, 1)
    assert not office_policy.user_has_permission_for_instance(world.clerk_a, Action.HANDLE, world.centre_b)


def test_a_new_office_in_the_county_reaches_county_wide_roles(world):
    township = RegionFactory(code="120115107000", name="大钟庄镇", level="township", parent=world.county)
    centre = office_save(
        actor=world.county_admin,
        office=OfficeFactory.build(name="大钟庄镇便民服务中心", kind=OfficeKind.CENTRE, region=township),
    )
    assert office_policy.user_has_permission_for_instance(world.county_admin, Action.MANAGE, centre)
    assert office_policy.user_has_permission_for_instance(world.editor, Action.EDIT_GUIDE, centre)
    assert not office_policy.user_has_permission_for_instance(world.township_admin_a, Action.MANAGE, centre)


def test_a_disabled_account_keeps_no_permissions(world):
    staff_set_active(actor=world.township_admin_a, user=world.clerk_a, active=False)
    assert not UserObjectPermission.objects.filter(user=world.clerk_a).exists()
    world.clerk_a.refresh_from_db()
    staff_set_active(actor=world.township_admin_a, user=world.clerk_a, active=True)
    assert office_policy.user_has_permission_for_instance(world.clerk_a, Action.HANDLE, world.centre_a)


def test_back_office_access_follows_the_role(world):
    assert world.county_admin.has_perm("wagtailadmin.access_admin")
    assert world.editor.has_perm("wagtailadmin.access_admin")
    assert not world.clerk_a.has_perm("wagtailadmin.access_admin")
    membership_end(actor=None, membership=world.editor.memberships.get())
    editor = type(world.editor).objects.get(pk=world.editor.pk)
    assert not editor.has_perm("wagtailadmin.access_admin")
