"""Resident ID numbers (GB 11643) and mobiles: each failure names its part."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from portal.people.identity import (
    check_id_number,
    mask_id_number,
    mask_name,
    normalise_id_number,
    validate_mobile,
)
from portal.people.models import Resident
from portal.people.services import resident_register
from tests.factories import make_id_number

# A published example number (python-stdnum's documentation) with a valid check digit.
GOOD = "360426199101010071"


def test_a_good_number_passes():
    result = check_id_number(GOOD)
    assert result.number == GOOD
    assert result.birth_date == datetime.date(1991, 1, 1)
    assert result.warnings == []


def test_full_width_digits_spaces_and_lower_case_x_are_normalised():
    number = make_id_number(order=3)
    x_number = next(make_id_number(order=n) for n in range(1, 999) if make_id_number(order=n).endswith("X"))
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert check_id_number(f" {full_width[:6]} {full_width[6:]}　").number == number
    assert check_id_number(x_number.lower()).number == x_number
    assert normalise_id_number("1201 1519 8001 0112 3x") == "12011519800101123X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("36042619910101007", "length"),
        ("3604261991010100711", "length"),
        ("36042619910101007A", "format"),
        ("3604261991X101007X", "format"),
        ("360426199113010071", "birth_date"),  # month 13
        ("360426199102300071", "birth_date"),  # 30 February
        ("360426209901010071", "birth_date"),  # in the future
        ("360426199101010072", "check_digit"),
    ],
)
def test_each_failure_names_the_part(raw, code):
    with pytest.raises(ValidationError) as caught:
        check_id_number(raw, today=datetime.date(2026, 11, 22))
    assert caught.value.code == code


def test_the_check_digit_message_says_so():
    with pytest.raises(ValidationError) as caught:
        check_id_number("360426199101010072")
    assert "check digit" in caught.value.messages[0] or "校验码" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("area", "born"),
    [
        ("120115", "19500315"),  # the county's own code (宝坻区, 2001), on an elderly villager's card
        ("120115", "19981102"),  # the same, born before the code existed and registered after
        ("120224", "19420708"),  # 宝坻县, abolished in 2001: the card keeps it for life
        ("120221", "19380101"),  # 宁河县, the neighbouring county's old code
        ("120202", "19360606"),  # 武清县 of the 1970s, gone since 1982
    ],
)
def test_codes_of_this_county_and_of_abolished_areas_do_not_warn(area, born):
    number = make_id_number(area=area, birth=born)
    assert number.startswith(area) and check_id_number(number).warnings == []


@pytest.mark.parametrize("area", ["991234", "001502", "128099", "129501"])
def test_a_code_no_county_could_have_had_warns(area):
    number = make_id_number(area=area, birth="19500315")
    result = check_id_number(number)
    assert result.number == number
    assert len(result.warnings) == 1 and area in result.warnings[0]


def test_an_unknown_area_code_is_a_warning_not_a_refusal():
    number = make_id_number(area="999999")
    result = check_id_number(number)
    assert result.number == number
    assert len(result.warnings) == 1
    assert "999999" in result.warnings[0]


def test_masking():
    assert mask_id_number("452102198001011234") == "4521**********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("张小明") == "张*明"
    assert mask_name("欧阳小明") == "欧**明"


@pytest.mark.parametrize(
    "mobile", ["13900001234", "139 0000 1234", "+86 139-0000-1234", "１３９００００１２３４"]
)
def test_good_mobiles(mobile):
    validate_mobile(mobile)


@pytest.mark.parametrize("mobile", ["2390000123", "23900001234", "1390000123", "139000012345", "1390000123a"])
def test_bad_mobiles(mobile):
    with pytest.raises(ValidationError) as caught:
        validate_mobile(mobile)
    assert caught.value.code == "mobile"


def test_id_numbers_are_encrypted_at_rest_and_looked_up_by_digest(world):
    number = make_id_number()
    resident, _ = resident_register(
        actor=None, name="王景云", id_number=number, mobile="13900002000", village=world.village_a1
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_digest FROM people_resident WHERE id = %s", [resident.pk])
        stored, digest = cursor.fetchone()
    assert number not in stored
    assert number not in digest
    assert Resident.objects.get(pk=resident.pk).id_number == number
    assert str(resident) == f"王景云 ({number[:4]}**********{number[-4:]})"
