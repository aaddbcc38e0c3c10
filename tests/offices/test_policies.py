"""`office_record_policy` against the world directly: which office rows each administrator sees,
and where and of which kind they may create, move and change offices."""

from portal.offices.models import Office, OfficeKind
from portal.offices.policies import VIEW, office_record_policy


def test_who_sees_which_office_row(world):
    assert set(office_record_policy.instances_user_has_permission_for(world.county_admin, VIEW)) == set(
        Office.objects.all()
    )
    assert set(office_record_policy.instances_user_has_permission_for(world.township_admin_a, VIEW)) == {
        world.centre_a,
        world.station_a1,
        world.station_a2,
    }
    for person in ("assistant_a1", "clerk_a", "supervisor_a", "editor", "officer_d1", "outsider"):
        assert not office_record_policy.user_has_permission(getattr(world, person), VIEW), person


def test_a_township_administrator_places_stations_below_their_township(world):
    admin = world.township_admin_a
    assert set(office_record_policy.regions_user_may_place_offices_in(admin)) == {
        world.village_a1,
        world.village_a2,
    }
    assert office_record_policy.kinds_user_may_create(admin) == [OfficeKind.STATION]
    new = Office(kind=OfficeKind.STATION, region=world.village_a1, name="新站")
    assert office_record_policy.refusal(admin, new, None) is None
    elsewhere = Office(kind=OfficeKind.STATION, region=world.village_b1, name="新站")
    assert office_record_policy.refusal(admin, elsewhere, None) is not None
    centre = Office(kind=OfficeKind.CENTRE, region=world.township_a, name="第二中心")
    assert office_record_policy.refusal(admin, centre, None) is not None


def test_their_own_centre_keeps_its_kind_region_and_active_flag(world):
    admin = world.township_admin_a
    assert office_record_policy.fields_user_may_not_change(admin, world.centre_a) == [
        "kind",
        "region",
        "is_active",
    ]
    assert office_record_policy.fields_user_may_not_change(admin, world.station_a1) == []
    before = Office.objects.get(pk=world.centre_a.pk)
    renamed = Office.objects.get(pk=world.centre_a.pk)
    renamed.phone = "022-12345678"
    assert office_record_policy.refusal(admin, renamed, before) is None
    closed = Office.objects.get(pk=world.centre_a.pk)
    closed.is_active = False
    assert office_record_policy.refusal(admin, closed, before) is not None
    assert office_record_policy.refusal(world.county_admin, closed, before) is None


def test_nobody_else_touches_an_office(world):
    for person in ("assistant_a1", "clerk_a", "supervisor_a", "editor", "officer_d1", "outsider"):
        user = getattr(world, person)
        before = Office.objects.get(pk=world.station_a1.pk)
        assert office_record_policy.refusal(user, Office.objects.get(pk=world.station_a1.pk), before), person
