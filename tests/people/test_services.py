import pytest

from portal.errors import DomainError, NotPermitted
from portal.people.models import Membership, Resident
from portal.people.roles import Role
from portal.people.services import membership_create, resident_register, staff_create
from tests.factories import make_id_number


def test_a_township_administrator_cannot_staff_another_township(world):
    with pytest.raises(NotPermitted):
        membership_create(
            actor=world.township_admin_a, user=world.outsider, office=world.centre_b, role=Role.TOWNSHIP_CLERK
        )
    assert not Membership.objects.filter(user=world.outsider).exists()


def test_a_role_must_fit_the_kind_of_office(world):
    with pytest.raises(DomainError):
        membership_create(
            actor=world.county_admin, user=world.outsider, office=world.station_a1, role=Role.TOWNSHIP_CLERK
        )


def test_creating_the_same_membership_twice_returns_the_first(world):
    first = membership_create(
        actor=world.county_admin, user=world.outsider, office=world.d2, role=Role.COUNTY_OFFICER
    )
    again = membership_create(
        actor=world.county_admin, user=world.outsider, office=world.d2, role=Role.COUNTY_OFFICER
    )
    assert first.pk == again.pk
    assert first.events.count() == 1


def test_staff_create_makes_the_account_and_its_first_role(world):
    user = staff_create(
        actor=world.township_admin_a,
        username="new_clerk",
        name="新职员",
        password="a long enough password",
        office=world.centre_a,
        role=Role.TOWNSHIP_CLERK,
        mobile="139 0000 0099",
    )
    assert user.mobile == "13900000099"
    assert user.memberships.get().office == world.centre_a


def test_staff_create_refuses_a_bad_mobile_with_a_message(world):
    with pytest.raises(DomainError, match="11"):
        staff_create(
            actor=world.county_admin,
            username="x",
            name="x",
            password="a long enough password",
            office=world.d1,
            role=Role.COUNTY_OFFICER,
            mobile="12345",
        )


def test_an_assistant_registers_residents_of_their_own_village_only(world):
    number = make_id_number()
    resident, warnings = resident_register(
        actor=world.assistant_a1,
        name="王景云",
        id_number=number,
        mobile="13900002000",
        village=world.village_a1,
    )
    assert warnings == []
    assert resident.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    with pytest.raises(NotPermitted):
        resident_register(
            actor=world.assistant_a1,
            name="某人",
            id_number=make_id_number(order=5),
            mobile="13900002001",
            village=world.village_b1,
        )


def test_the_same_id_number_is_one_resident(world):
    number = make_id_number()
    first, _ = resident_register(
        actor=None, name="王景云", id_number=number, mobile="13900002000", village=world.village_a1
    )
    spaced = " ".join([number[:6], number[6:14], number[14:]]).lower()
    again, _ = resident_register(
        actor=None, name="王景云", id_number=spaced, mobile="13900002000", village=world.village_a1
    )
    assert first.pk == again.pk
    assert Resident.objects.count() == 1
