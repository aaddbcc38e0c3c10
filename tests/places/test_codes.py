"""Statistical division codes: each broken rule gets its own message."""

import pytest
from django.core.exceptions import ValidationError

from portal.places.codes import normalise_code, validate_division_code
from portal.places.models import Region, RegionLevel


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("120115000000", "county", None),
        ("120115121000", "township", "120115000000"),
        ("120115121208", "village", "120115121000"),
        ("451002100000", "township", "451002000000"),
    ],
)
def test_good_codes(code, level, parent):
    validate_division_code(code, level, parent)


@pytest.mark.parametrize(
    ("code", "level", "parent", "rule"),
    [
        ("12011500000", "county", None, "length"),
        ("1201150000000", "county", None, "length"),
        ("12011500000a", "county", None, "length"),
        ("120100000000", "county", None, "county_part"),
        ("120115121000", "county", None, "county_tail"),
        ("120115121208", "township", "120115000000", "township_tail"),
        ("120115000000", "township", "120115000000", "township_part"),
        ("120115121000", "village", "120115121000", "village_part"),
        ("120115000208", "village", "120115121000", "village_part"),
        ("120116121000", "township", "120115000000", "parent_prefix"),
        ("120115111201", "village", "120115121000", "parent_prefix"),
    ],
)
def test_each_rule_has_its_own_error(code, level, parent, rule):
    with pytest.raises(ValidationError) as caught:
        validate_division_code(code, level, parent)
    assert caught.value.code == rule


def test_the_prefix_message_names_the_expected_digits():
    with pytest.raises(ValidationError) as caught:
        validate_division_code("120115111201", "village", "120115121000")
    assert "120115121" in caught.value.messages[0]


def test_pasted_codes_are_normalised():
    assert normalise_code(" １２０１１５ １２１０００ ") == "120115121000"


@pytest.mark.django_db
def test_the_model_checks_the_parent_level():
    county = Region.objects.create(code="120115000000", name="宝坻区", level=RegionLevel.COUNTY)
    village = Region(code="120115121208", name="西郝各庄村", level=RegionLevel.VILLAGE, parent=county)
    with pytest.raises(ValidationError) as caught:
        village.full_clean()
    assert "parent" in caught.value.message_dict
    orphan = Region(code="120115121000", name="郝各庄镇", level=RegionLevel.TOWNSHIP)
    with pytest.raises(ValidationError) as caught:
        orphan.full_clean()
    assert "parent" in caught.value.message_dict


@pytest.mark.django_db
def test_within_is_a_prefix_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = set(Region.objects.within(world.township_a).values_list("name", flat=True))
    assert names == {"郝各庄镇", "西郝各庄村", "东郝各庄村"}
    assert world.county.contains(world.village_b1)
    assert not world.township_a.contains(world.village_b1)
