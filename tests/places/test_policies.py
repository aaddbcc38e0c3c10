"""`region_policy` against the world directly: which regions each administrator sees, and which
fields of which region they may set (docs/architecture.md, "Every field of a back-office form is
a permission question")."""

from portal.places.models import Region, RegionLevel
from portal.places.policies import VIEW, region_policy


def _new(parent, code, level=RegionLevel.VILLAGE):
    return Region(parent=parent, code=code, level=level, name="新村")


def test_who_sees_which_region(world):
    assert set(region_policy.instances_user_has_permission_for(world.county_admin, VIEW)) == set(
        Region.objects.all()
    )
    assert set(region_policy.instances_user_has_permission_for(world.township_admin_a, VIEW)) == {
        world.township_a,
        world.village_a1,
        world.village_a2,
    }
    for person in ("assistant_a1", "clerk_a", "supervisor_a", "editor", "officer_d1", "outsider"):
        user = getattr(world, person)
        assert not region_policy.user_has_permission(user, VIEW), person
        assert not region_policy.user_has_permission_for_instance(user, VIEW, world.village_a1), person


def test_a_township_administrator_creates_villages_in_their_township_only(world):
    admin = world.township_admin_a
    assert region_policy.levels_user_may_create(admin) == [RegionLevel.VILLAGE]
    assert region_policy.refusal(admin, _new(world.township_a, "120115121299"), None) is None
    assert region_policy.refusal(admin, _new(world.township_b, "120115111299"), None) is not None
    assert region_policy.refusal(admin, _new(None, "120116000000", RegionLevel.COUNTY), None) is not None


def test_own_region_keeps_its_level_code_and_parent(world):
    admin = world.township_admin_a
    assert region_policy.fields_user_may_not_change(admin, world.township_a) == ["level", "parent", "code"]
    assert region_policy.fields_user_may_not_change(admin, world.village_a1) == []
    before = Region.objects.get(pk=world.township_a.pk)
    renamed = Region.objects.get(pk=world.township_a.pk)
    renamed.name = "新名字"
    assert region_policy.refusal(admin, renamed, before) is None
    recoded = Region.objects.get(pk=world.township_a.pk)
    recoded.code = "120115122000"
    assert region_policy.refusal(admin, recoded, before) is not None


def test_the_county_administrator_recodes_the_county(world):
    admin = world.county_admin
    assert region_policy.levels_user_may_create(admin) == [RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
    assert region_policy.fields_user_may_not_change(admin, world.county) == ["level", "parent"]
    before = Region.objects.get(pk=world.county.pk)
    recoded = Region.objects.get(pk=world.county.pk)
    recoded.code = "120116000000"
    assert region_policy.refusal(admin, recoded, before) is None
    assert region_policy.refusal(world.township_admin_a, recoded, before) is not None


def test_nobody_else_touches_a_region(world):
    for person in ("assistant_a1", "clerk_a", "supervisor_a", "editor", "officer_d1", "outsider"):
        user = getattr(world, person)
        assert region_policy.refusal(user, _new(world.township_a, "120115121299"), None) is not None, person
        before = Region.objects.get(pk=world.village_a1.pk)
        assert region_policy.refusal(user, Region.objects.get(pk=world.village_a1.pk), before) is not None
