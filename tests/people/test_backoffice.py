"""The back office (Wagtail admin) answers from the same jurisdiction as everything else."""

import pytest
from django.urls import reverse

from portal.people.models import Membership
from portal.people.roles import Role


def admin_list(client, user, viewset: str):
    client.force_login(user)
    return client.get(reverse(f"{viewset}:index"))


def test_a_township_administrator_sees_only_their_township(client, world):
    body = admin_list(client, world.township_admin_a, "office_admin").content.decode()
    assert world.centre_a.name in body and world.station_a1.name in body
    assert world.centre_b.name not in body and world.d1.name not in body


def test_a_county_administrator_sees_the_county(client, world):
    body = admin_list(client, world.county_admin, "office_admin").content.decode()
    for office in world.offices.values():
        assert office.name in body


@pytest.mark.parametrize("viewset", ["office_admin", "region_admin", "staff_admin", "membership_admin"])
def test_another_townships_rows_are_404_not_403(client, world, viewset):
    target = {
        "office_admin": world.centre_b,
        "region_admin": world.township_b,
        "staff_admin": world.clerk_b,
        "membership_admin": world.clerk_b.memberships.get(),
    }[viewset]
    client.force_login(world.township_admin_a)
    action = "delete" if viewset == "membership_admin" else "edit"
    assert client.get(reverse(f"{viewset}:{action}", args=[target.pk])).status_code == 404


@pytest.mark.parametrize("person", ["clerk_a", "assistant_a1", "officer_d1", "outsider"])
def test_people_without_an_admin_role_cannot_open_the_back_office(client, world, person):
    client.force_login(world.people[person])
    response = client.get(reverse("office_admin:index"))
    assert response.status_code in (302, 403)


def _add_villages(world, start: int, count: int) -> None:
    from portal.offices.models import OfficeKind
    from portal.offices.services import office_save
    from portal.people.services import membership_create
    from tests.factories import OfficeFactory, RegionFactory, UserFactory

    for n in range(start, start + count):
        village = RegionFactory(
            code=f"120115121{300 + n}", name=f"新村{n}", level="village", parent=world.township_a
        )
        station = office_save(
            actor=None, office=OfficeFactory.build(name=f"新村{n}站", kind=OfficeKind.STATION, region=village)
        )
        membership_create(
            actor=None, user=UserFactory(username=f"new{n}"), office=station, role=Role.VILLAGE_ASSISTANT
        )


# Wagtail's admin frame (session, user, permissions, profile, locale, menu with one item per
# viewset) costs ~16 of these; the back-office gate (portal.people.views.back_office_gate) asks
# for the user's permissions before Wagtail does, up to two more.
@pytest.mark.parametrize("viewset", ["office_admin", "region_admin", "staff_admin", "membership_admin"])
def test_list_pages_have_a_fixed_number_of_queries(client, world, viewset, django_assert_max_num_queries):
    """Three times the rows must not mean one more query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.county_admin)
    client.get(reverse(f"{viewset}:index"))  # warm per-process caches (content types, site)
    _add_villages(world, 0, 5)
    with CaptureQueriesContext(connection) as few_rows:
        client.get(reverse(f"{viewset}:index"))
    _add_villages(world, 5, 10)
    with django_assert_max_num_queries(25):
        response = client.get(reverse(f"{viewset}:index"))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as many_rows:
        client.get(reverse(f"{viewset}:index"))
    assert len(many_rows) == len(few_rows)


def test_creating_staff_in_the_back_office_gives_them_their_role(client, world):
    client.force_login(world.township_admin_a)
    response = client.post(
        reverse("staff_admin:add"),
        {
            "username": "clerk_new",
            "name": "新窗口",
            "mobile": "13900000077",
            "office": world.centre_a.pk,
            "role": Role.TOWNSHIP_CLERK,
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user__username="clerk_new")
    assert membership.office == world.centre_a
    from portal.people.jurisdiction import office_policy
    from portal.people.roles import Action

    assert office_policy.user_has_permission_for_instance(membership.user, Action.HANDLE, world.centre_a)


def test_a_township_administrator_cannot_pick_another_townships_office(client, world):
    client.force_login(world.township_admin_a)
    response = client.post(
        reverse("staff_admin:add"),
        {
            "username": "sneaky",
            "name": "x",
            "office": world.centre_b.pk,
            "role": Role.TOWNSHIP_CLERK,
            "password": "a long enough password",
        },
    )
    assert response.status_code == 200
    assert 'value="sneaky"' in response.content.decode()  # what was typed is kept
    assert not Membership.objects.filter(user__username="sneaky").exists()


def test_ending_a_membership_in_the_back_office_keeps_it_as_history(client, world):
    membership = world.clerk_a.memberships.get()
    client.force_login(world.township_admin_a)
    response = client.post(reverse("membership_admin:delete", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_region_codes_are_checked_in_the_back_office(client, world):
    client.force_login(world.township_admin_a)
    response = client.post(
        reverse("region_admin:add"),
        {"level": "village", "parent": world.township_a.pk, "code": "120115111299", "name": "错村"},
    )
    assert response.status_code == 200
    assert "120115121" in response.content.decode()  # the message names the expected prefix


def test_residents_show_masked_id_numbers_only(client, world):
    from portal.people.services import resident_register
    from tests.factories import make_id_number

    number = make_id_number()
    resident_register(
        actor=None, name="王景云", id_number=number, mobile="13900002000", village=world.village_a1
    )
    client.force_login(world.township_admin_a)
    body = client.get(reverse("resident_admin:index")).content.decode()
    assert "王景云" in body
    assert number not in body
    client.force_login(world.county_admin)
    assert "王景云" in client.get(reverse("resident_admin:index")).content.decode()


def test_a_pasted_code_with_spaces_and_full_width_digits_is_accepted(client, world):
    from portal.places.models import Region

    client.force_login(world.township_admin_a)
    response = client.post(
        reverse("region_admin:add"),
        {
            "level": "village",
            "parent": world.township_a.pk,
            "code": "１２０１１５ １２１ ２０６",
            "name": "前郝各庄村",
        },
    )
    assert response.status_code == 302
    assert Region.objects.get(name="前郝各庄村").code == "120115121206"


def test_editing_staff_normalises_the_mobile_and_can_disable_the_account(client, world):
    """The new mobile waits for its owner's code (people.contact_change); the rest applies."""
    from guardian.models import UserObjectPermission

    from portal.people.models import ContactChange

    client.force_login(world.township_admin_a)
    response = client.post(
        reverse("staff_admin:edit", args=[world.clerk_a.pk]),
        {"name": "王建国", "mobile": "139 0000 0033"},  # is_active unticked: disable
    )
    assert response.status_code == 302
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.mobile == "13900000003"
    assert world.clerk_a.name == "王建国"
    assert ContactChange.objects.get(user=world.clerk_a).new_value == "13900000033"
    assert not world.clerk_a.is_active
    assert not UserObjectPermission.objects.filter(user=world.clerk_a).exists()


@pytest.mark.parametrize("view", ["history", "usage"])
def test_history_and_usage_pages_stay_inside_the_jurisdiction(client, world, view):
    from portal.people.models import Membership

    client.force_login(world.township_admin_a)
    outside = {
        "staff_admin": world.clerk_b.pk,
        "office_admin": world.centre_b.pk,
        "membership_admin": Membership.objects.get(user=world.clerk_b).pk,
    }
    inside = {
        "staff_admin": world.clerk_a.pk,
        "office_admin": world.centre_a.pk,
        "membership_admin": Membership.objects.get(user=world.clerk_a).pk,
    }
    for prefix, pk in outside.items():
        assert client.get(f"/admin/{prefix}/{view}/{pk}/").status_code == 404, prefix
    for prefix, pk in inside.items():
        assert client.get(f"/admin/{prefix}/{view}/{pk}/").status_code in (200, 302), prefix
