"""The form engine without a database: a definition's own checks (schema), every field kind's
rule on what was typed (values), and how the data reads on papers (display).

The form below is a 低保 application: a household of persons, money in yuan kept in fen, an
office field (核定) the filer may never set, and conditions between fields. Messages are
asserted in English (the msgids); labels the editor wrote are asserted as written.
"""

import datetime
import json

import pytest
from django.utils import translation

from services_catalog.item_forms.display import (
    certificate_rows,
    field_text,
    mask_account,
    mask_value,
    money_display,
    summary,
)
from services_catalog.item_forms.schema import (
    MAX_FIELDS,
    DefinitionError,
    FormSpec,
    digest,
    parse_definition,
)
from services_catalog.item_forms.values import (
    MAX_MONEY_FEN,
    flatten,
    input_label,
    money_text,
    parse,
    parse_date,
)
from tests.factories import make_id_number

TODAY = datetime.date(2026, 12, 7)
REGIONS = {"120115121208": "西郝各庄村（郝各庄镇）", "120115111201": "西霍各庄村（霍各庄镇）"}
GOOD_ID = make_id_number(order=101)  # 120115 2003-01-01
OTHER_ID = make_id_number(birth="19580315", order=202)


def _wrong_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:17] + last


DEFINITION = {
    "sections": [
        {
            "title": "申请人",
            "intro": "按户口簿填写。",
            "fields": [
                {
                    "key": "applicant",
                    "kind": "person",
                    "label": "申请人",
                    "required": True,
                },
                {
                    "key": "village_group",
                    "kind": "text",
                    "label": "村民小组",
                    "max_length": 10,
                    "pattern": r"第[一二三四五六七八九十]+组",
                    "pattern_message": "请写成“第三组”的样子。",
                },
                {"key": "note", "kind": "text", "label": "其他说明", "multiline": True},
                {
                    "key": "people",
                    "kind": "number",
                    "label": "家庭人口",
                    "unit": "人",
                    "min": "1",
                    "max": "20",
                    "required": True,
                },
                {"key": "area", "kind": "number", "label": "承包地面积", "unit": "亩", "decimals": 2},
                {"key": "income", "kind": "money", "label": "家庭月收入", "required": True},
                {"key": "rent", "kind": "money", "label": "月租金", "max": "5000"},
                {"key": "since", "kind": "date", "label": "落户日期", "past_only": True},
                {"key": "appointment", "kind": "date", "label": "预约日期"},
                {
                    "key": "reason",
                    "kind": "choice",
                    "label": "困难原因",
                    "choices": ["因病", "因残", "其他"],
                    "required": True,
                },
                {
                    "key": "reason_other",
                    "kind": "text",
                    "label": "其他原因",
                    "required_when": {"field": "reason", "value": "其他"},
                },
                {"key": "disabled", "kind": "yesno", "label": "有残疾人"},
                {
                    "key": "disability_card",
                    "kind": "text",
                    "label": "残疾证号",
                    "required_when": {"field": "disabled", "value": "yes"},
                },
                {"key": "bank", "kind": "bank_account", "label": "收款账户", "required": True},
                {"key": "home", "kind": "address", "label": "住址", "required": True},
            ],
        },
        {
            "title": "家庭成员",
            "fields": [
                {
                    "key": "household",
                    "kind": "group",
                    "label": "家庭成员",
                    "max_items": 3,
                    "required": True,
                    "fields": [
                        {"key": "member", "kind": "person", "label": "成员", "required": True},
                        {"key": "monthly_income", "kind": "money", "label": "月收入"},
                        {"key": "working", "kind": "yesno", "label": "在业"},
                        {
                            "key": "employer",
                            "kind": "text",
                            "label": "工作单位",
                            "required_when": {"field": "working", "value": "yes"},
                        },
                    ],
                }
            ],
        },
        {
            "title": "核定",
            "fields": [
                {"key": "assessed", "kind": "money", "label": "月保障金额", "office_only": True},
            ],
        },
    ],
    "certificate": [
        {"label": "保障人数", "field": "household", "show": "count"},
        {"label": "月保障金额", "field": "assessed"},
        {"label": "户主", "field": "applicant"},
    ],
}

FORM = parse_definition(DEFINITION)


def good_input(**changes) -> dict[str, str]:
    """A complete, correct filing as the page sends it; `changes` replace (None: remove) inputs."""
    raw = {
        "applicant.name": "张小明",
        "applicant.id_number": GOOD_ID,
        "applicant.relation": "本人",
        "village_group": "第三组",
        "note": "",
        "people": "2",
        "area": "3.25",
        "income": "1280.50",
        "rent": "",
        "since": "2003-01-01",
        "appointment": "",
        "reason": "因病",
        "reason_other": "",
        "disabled": "no",
        "disability_card": "",
        "bank.bank": "农村商业银行宝坻支行",
        "bank.account": "6217 0000 1234 5678",
        "bank.holder": "张小明",
        "home.region": "120115121208",
        "home.detail": "三街12号",
        "household.0.member.name": "张小明",
        "household.0.member.id_number": GOOD_ID,
        "household.0.member.relation": "本人",
        "household.0.monthly_income": "800",
        "household.0.working": "no",
        "household.1.member.name": "王秀兰",
        "household.1.member.id_number": OTHER_ID,
        "household.1.member.relation": "父母",
        "household.1.monthly_income": "480.5",
        "household.1.working": "no",
    }
    for name, value in changes.items():
        if value is None:
            raw.pop(name, None)
        else:
            raw[name] = value
    return raw


def check(raw, *, partial=False, form=FORM, **kwargs):
    return parse(form, raw, partial=partial, today=TODAY, regions=REGIONS, **kwargs)


def errors_of(raw, **kwargs) -> dict[str, list[str]]:
    with translation.override("en"):
        return check(raw, **kwargs).errors


def one_field(kind: str, **options) -> FormSpec:
    return parse_definition(
        {"sections": [{"title": "表", "fields": [{"key": "x", "kind": kind, "label": "项", **options}]}]}
    )


def value_of(form: FormSpec, text: str, *, key: str = "x"):
    """(value, errors) of one scalar field typed as `text`."""
    with translation.override("en"):
        parsed = check({key: text}, form=form, partial=True)
    return parsed.data.get(key), parsed.errors.get(key, [])


# -- a whole filing ----------------------------------------------------------------------------


def test_a_good_filing_gives_typed_values():
    parsed = check(good_input())
    assert parsed.errors == {}
    data = parsed.data
    assert data["applicant"] == {"name": "张小明", "id_number": GOOD_ID, "relation": "本人"}
    assert data["village_group"] == "第三组"
    assert data["people"] == 2 and isinstance(data["people"], int)
    assert data["area"] == 3.25
    assert data["income"] == 128050  # fen
    assert data["since"] == "2003-01-01"
    assert data["reason"] == "因病"
    assert data["disabled"] is False
    assert data["bank"] == {"bank": "农村商业银行宝坻支行", "account": "6217000012345678", "holder": "张小明"}
    assert data["home"] == {"region": "120115121208", "detail": "三街12号"}
    assert data["household"] == [
        {
            "member": {"name": "张小明", "id_number": GOOD_ID, "relation": "本人"},
            "monthly_income": 80000,
            "working": False,
        },
        {
            "member": {"name": "王秀兰", "id_number": OTHER_ID, "relation": "父母"},
            "monthly_income": 48050,
            "working": False,
        },
    ]
    # Empty inputs are no answer, not an empty string.
    for key in ("note", "rent", "appointment", "reason_other", "disability_card", "assessed"):
        assert key not in data


def test_every_required_field_missing_is_named():
    raw = {name: "" for name in good_input()}
    errors = errors_of(raw)
    assert errors == {
        "applicant.name": ["Fill this in."],
        "people": ["Fill this in."],
        "income": ["Fill this in."],
        "reason": ["Choose one."],
        "bank.bank": ["Fill this in."],
        "home.region": ["Fill this in."],
        "household": ["Fill in at least one entry."],
    }


def test_a_draft_may_be_incomplete_but_never_wrong():
    assert errors_of({}, partial=True) == {}
    parsed = check({"people": "2", "applicant.name": "张小明"}, partial=True)
    assert parsed.errors == {}
    assert parsed.data == {"people": 2, "applicant": {"name": "张小明", "id_number": "", "relation": ""}}
    errors = errors_of({"people": "two", "applicant.id_number": _wrong_check_digit(GOOD_ID)}, partial=True)
    assert set(errors) == {"people", "applicant.id_number"}


def test_a_complete_filing_needs_every_part_of_a_compound_field():
    errors = errors_of(
        good_input(
            **{"applicant.id_number": "", "applicant.relation": "", "bank.account": "", "bank.holder": ""}
        )
    )
    assert errors == {
        "applicant.id_number": ["Enter the resident ID number."],
        "applicant.relation": ["Choose one."],
        "bank.account": ["Enter the account number."],
        "bank.holder": ["Enter the account holder's name."],
    }
    errors = errors_of(good_input(**{"applicant.name": "", "bank.bank": "", "home.region": ""}))
    assert errors == {
        "applicant.name": ["Enter the name as on the ID card."],
        "bank.bank": ["Enter the bank, such as 农村商业银行宝坻支行."],
        "home.region": ["Choose the village."],
    }


def test_a_wrong_value_keeps_the_others():
    parsed = check(good_input(people="0"))
    assert list(parsed.errors) == ["people"]
    assert "people" not in parsed.data
    assert parsed.data["income"] == 128050


# -- text --------------------------------------------------------------------------------------


def test_text_too_long_is_refused_with_the_count():
    assert errors_of(good_input(village_group="第十一十一十一十一十组"))["village_group"] == [
        "At most 10 characters; this has 11."
    ]


def test_text_pattern_failure_shows_the_editors_message():
    assert errors_of(good_input(village_group="三组"))["village_group"] == ["请写成“第三组”的样子。"]


def test_text_pattern_without_a_message_has_a_general_one():
    form = one_field("text", pattern=r"\d{6}")
    assert value_of(form, "12345") == (None, ["This is not in the expected form."])
    assert value_of(form, "123456") == ("123456", [])


def test_text_is_squeezed_and_full_width_made_plain():
    assert value_of(one_field("text"), "  第三组　 东头  ") == ("第三组 东头", [])
    assert value_of(one_field("text"), "ＡＢ１２") == ("AB12", [])


def test_text_that_is_not_a_string_is_read_as_its_text():
    assert value_of(one_field("text"), 12) == ("12", [])  # type: ignore[arg-type]


# -- number ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("two", "Enter a number, such as 3."),
        ("3人", "Enter a number, such as 3."),
        ("NaN", "Enter a number, such as 3."),
        ("Infinity", "Enter a number, such as 3."),
        ("2.5", "Use a whole number."),
        ("0", "At least 1 人."),
        ("-1", "At least 1 人."),
        ("21", "At most 20 人."),
        ("1" * 40, "Enter a number, such as 3."),
        ("1e30", "Enter a number, such as 3."),
        ("9" * 29, "Enter a number, such as 3."),
    ],
)
def test_number_refusals(text, message):
    form = one_field("number", unit="人", min="1", max="20")
    assert value_of(form, text) == (None, [message])


def test_number_without_a_range_refuses_a_huge_number_without_crashing():
    form = one_field("number")
    value, errors = value_of(form, "1e30")
    assert value is None and errors
    value, errors = value_of(form, "9" * 29)
    assert value is None and errors


@pytest.mark.parametrize("text, value", [("2", 2), ("２", 2), ("20", 20), ("3.0", 3), (" 7 ", 7)])
def test_number_accepted(text, value):
    form = one_field("number", unit="人", min="1", max="20")
    assert value_of(form, text) == (value, [])


def test_number_decimals():
    form = one_field("number", decimals=2)
    assert value_of(form, "3.25") == (3.25, [])
    assert value_of(form, "3") == (3.0, [])
    assert value_of(form, "3.255") == (None, ["At most 2 digits after the point."])


# -- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fen",
    [
        ("1280", 128000),
        ("1280.5", 128050),
        ("1280.50", 128050),
        ("0", 0),
        ("0.01", 1),
        ("1,280", 128000),
        ("1，280.50", 128050),
        ("1280元", 128000),
        ("1280 元", 128000),
        ("¥1280", 128000),
        ("￥1,280.50", 128050),
        ("１２８０．５０", 128050),
        ("１，２８０元", 128000),
        ("10000000000", MAX_MONEY_FEN),
    ],
)
def test_money_accepted_as_typed_and_kept_in_fen(text, fen):
    value, errors = value_of(one_field("money"), text)
    assert errors == [] and value == fen and isinstance(value, int)


@pytest.mark.parametrize(
    "text, message",
    [
        ("-5", "An amount of money cannot be negative."),
        ("-0.01", "An amount of money cannot be negative."),
        ("12.345", "At most two digits after the point (fen)."),
        ("一千元", "Enter an amount in yuan, such as 1280 or 1280.50."),
        ("1280元整", "Enter an amount in yuan, such as 1280 or 1280.50."),
        ("12.3.4", "Enter an amount in yuan, such as 1280 or 1280.50."),
        ("10000000000.01", "This amount is too large."),
        ("1e30", "This amount is too large."),
        ("9" * 29, "This amount is too large."),
        ("1" * 40, "Enter an amount in yuan, such as 1280 or 1280.50."),
    ],
)
def test_money_refusals(text, message):
    assert value_of(one_field("money"), text) == (None, [message])


def test_money_range_is_in_yuan():
    form = one_field("money", min="100", max="5000")
    assert value_of(form, "99.99") == (None, ["At least 100 yuan."])
    assert value_of(form, "5000.01") == (None, ["At most 5000 yuan."])
    assert value_of(form, "5000") == (500000, [])


def test_money_is_never_negative_whatever_the_editor_wrote():
    form = one_field("money", min="-100")
    assert form.field("x").minimum == 0
    assert value_of(form, "-1") == (None, ["An amount of money cannot be negative."])


# -- date --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-18",
        "2026-3-18",
        "2026/03/18",
        "2026.3.18",
        "2026年3月18日",
        "2026年03月18",
        "２０２６-３-１８",
    ],
)
def test_dates_in_the_forms_people_write(text):
    assert value_of(one_field("date"), text) == ("2026-03-18", [])


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "18/03/2026", "明天"]
)
def test_impossible_or_unreadable_dates_are_refused(text):
    assert value_of(one_field("date"), text) == (None, ["Enter a date such as 2026-03-18."])


def test_a_leap_day_is_a_date():
    assert parse_date("2024-02-29") == datetime.date(2024, 2, 29)


def test_past_only_against_the_given_today():
    form = one_field("date", past_only=True)
    assert value_of(form, "2026-12-07") == ("2026-12-07", [])
    assert value_of(form, "2026-12-08") == (None, ["This date cannot be after today."])
    # The same date on a later day is fine: today is an input, not the clock.
    parsed = parse(form, {"x": "2026-12-08"}, partial=True, today=datetime.date(2026, 12, 8), regions={})
    assert parsed.errors == {}
    assert value_of(one_field("date"), "2030-01-01") == ("2030-01-01", [])


def test_dates_before_1900_are_refused():
    assert value_of(one_field("date"), "1899-12-31") == (None, ["Enter a date after 1900."])


# -- choice, yes/no ----------------------------------------------------------------------------


def test_a_choice_not_offered_is_refused():
    assert errors_of(good_input(reason="因懒"))["reason"] == ["Choose one of the options given."]


def test_a_choice_with_full_width_signs_is_found_as_written():
    """The page sends the option as the editor wrote it; typed input is made half-width."""
    form = one_field("choice", choices=["一级（重度）", "二级，中度", "三级"])
    assert value_of(form, "一级（重度）") == ("一级（重度）", [])
    assert value_of(form, "二级,中度") == ("二级，中度", [])
    assert value_of(form, "一级") == (None, ["Choose one of the options given."])


@pytest.mark.parametrize("text, value", [("yes", True), ("no", False), (" yes ", True), ("ｙｅｓ", True)])
def test_yes_no(text, value):
    assert value_of(one_field("yesno"), text) == (value, [])


@pytest.mark.parametrize("text", ["是", "true", "1", "Yes please"])
def test_yes_no_refuses_anything_else(text):
    assert value_of(one_field("yesno"), text) == (None, ["Choose yes or no."])


# -- required when -----------------------------------------------------------------------------


def test_required_when_a_choice_has_the_value():
    assert errors_of(good_input(reason="其他"))["reason_other"] == ["Fill this in."]
    assert "reason_other" not in errors_of(good_input(reason="因残"))
    assert check(good_input(reason="其他", reason_other="房屋倒塌")).data["reason_other"] == "房屋倒塌"


def test_required_when_a_yes_no_is_yes():
    assert errors_of(good_input(disabled="yes"))["disability_card"] == ["Fill this in."]
    assert errors_of(good_input(disabled="no")) == {}
    assert errors_of(good_input(disabled="yes", disability_card="12011520030101101142")) == {}


def test_required_when_inside_a_group_row_looks_at_the_same_row():
    errors = errors_of(good_input(**{"household.1.working": "yes"}))
    assert errors == {"household.1.employer": ["Fill this in."]}


def test_required_when_is_not_asked_of_a_draft():
    assert errors_of(good_input(reason="其他", disabled="yes"), partial=True) == {}


def test_a_required_when_choice_with_full_width_signs_still_triggers():
    form = parse_definition(
        {
            "sections": [
                {
                    "title": "表",
                    "fields": [
                        {"key": "x", "kind": "choice", "label": "等级", "choices": ["一级（重度）", "二级"]},
                        {
                            "key": "y",
                            "kind": "text",
                            "label": "证号",
                            "required_when": {"field": "x", "value": "一级（重度）"},
                        },
                    ],
                }
            ]
        }
    )
    with translation.override("en"):
        assert check({"x": "一级（重度）"}, form=form).errors == {"y": ["Fill this in."]}


# -- person, bank account, address ---------------------------------------------------------------


def test_a_wrong_check_digit_inside_a_household_member_is_named_by_row():
    path = "household.1.member.id_number"
    errors = errors_of(good_input(**{path: _wrong_check_digit(OTHER_ID)}))
    assert list(errors) == [path]
    assert "check digit" in errors[path][0]
    with translation.override("zh-hans"):
        assert input_label(FORM, path) == "家庭成员 2 · 成员 · 公民身份号码"
    with translation.override("en"):
        assert input_label(FORM, path) == "家庭成员 2 · 成员 · ID number"


def test_a_refused_member_is_left_out_but_the_others_kept():
    parsed = check(good_input(**{"household.1.member.id_number": "12345"}))
    assert len(parsed.data["household"]) == 2
    assert "member" not in parsed.data["household"][1]
    assert parsed.data["household"][1]["monthly_income"] == 48050


@pytest.mark.parametrize(
    "name, value",
    [
        ("applicant.id_number", "12011520030101"),
        ("applicant.id_number", "12011520300101101X"),  # born in the future
        ("applicant.relation", "邻居"),
        ("applicant.name", "张" * 51),
    ],
)
def test_person_refusals(name, value):
    assert list(errors_of(good_input(**{name: value}))) == [name]


def test_an_id_number_with_a_small_x_and_spaces_is_kept_plain():
    number = make_id_number(order=100)
    typed = " ".join(number[i : i + 6] for i in range(0, 18, 6)).lower()
    parsed = check(good_input(**{"applicant.id_number": typed}))
    assert parsed.errors == {}
    assert parsed.data["applicant"]["id_number"] == number


@pytest.mark.parametrize("account", ["6217-0000-1234-567A", "账号123456789", "1234567", "1" * 31])
def test_a_bank_account_is_8_to_30_digits(account):
    assert errors_of(good_input(**{"bank.account": account})) == {
        "bank.account": ["An account number has 8 to 30 digits and nothing else."]
    }


def test_a_bank_account_may_be_typed_in_groups():
    parsed = check(good_input(**{"bank.account": "6217-0000 1234-5678"}))
    assert parsed.data["bank"]["account"] == "6217000012345678"


def test_an_address_names_a_village_of_the_county():
    assert errors_of(good_input(**{"home.region": "451002001001"})) == {
        "home.region": ["Choose a village of the county."]
    }
    assert errors_of(good_input(**{"home.detail": "号" * 101})) == {
        "home.detail": ["At most 100 characters; this has 101."]
    }


def test_a_compound_field_left_empty_in_a_draft_is_no_answer():
    parsed = check({"bank.bank": "", "bank.account": "", "bank.holder": ""}, partial=True)
    assert parsed.data == {} and parsed.errors == {}


# -- groups ------------------------------------------------------------------------------------


def test_empty_spare_rows_are_not_members():
    raw = good_input(
        **{
            "household.2.member.name": "",
            "household.2.member.id_number": "",
            "household.2.member.relation": "",
            "household.2.monthly_income": "",
            "household.2.working": "",
        }
    )
    parsed = check(raw)
    assert parsed.errors == {}
    assert len(parsed.data["household"]) == 2


def test_a_spare_row_between_members_closes_the_gap():
    raw = good_input()
    moved = {name.replace("household.1.", "household.5."): value for name, value in raw.items()}
    parsed = check({**moved, "household.1.member.name": ""})
    assert parsed.errors == {}
    assert [row["member"]["name"] for row in parsed.data["household"]] == ["张小明", "王秀兰"]


def test_a_group_with_too_many_entries_is_refused_at_the_first_extra_row():
    raw = good_input()
    for number in (2, 3, 4):
        raw[f"household.{number}.member.name"] = f"成员{number}"
        raw[f"household.{number}.member.id_number"] = make_id_number(order=300 + number)
        raw[f"household.{number}.member.relation"] = "子女"
    raw["household.5.member.name"] = ""  # a spare row at the end
    with translation.override("en"):
        parsed = check(raw)
    assert parsed.errors == {"household.3.member.name": ["At most 3 entries; 5 were given."]}
    assert len(parsed.data["household"]) == 3
    with translation.override("en"):
        assert input_label(FORM, "household.3.member.name") == "家庭成员 4 · 成员 · Name"


def test_row_numbers_are_read_only_up_to_three_digits():
    raw = good_input(**{"household.1000.member.name": "王五"})
    assert len(check(raw).data["household"]) == 2


def test_a_required_group_needs_one_entry_and_a_draft_does_not():
    raw = {name: value for name, value in good_input().items() if not name.startswith("household.")}
    assert errors_of(raw)["household"] == ["Fill in at least one entry."]
    assert "household" not in errors_of(raw, partial=True)


# -- office fields ------------------------------------------------------------------------------


def test_office_fields_are_never_taken_from_the_filer():
    parsed = check(good_input(assessed="9999"))
    assert "assessed" not in parsed.data and parsed.errors == {}


def test_office_fields_keep_their_previous_value_whatever_was_posted():
    parsed = check(good_input(assessed="9999"), previous={"assessed": 56000, "income": 1})
    assert parsed.data["assessed"] == 56000
    assert parsed.data["income"] == 128050  # a filer's field is taken from the input


def test_only_the_given_keys_are_read_and_the_rest_kept():
    previous = check(good_input()).data
    parsed = check(
        {"income": "900", "people": "7", "assessed": "1"},
        keys={"income"},
        previous={**previous, "assessed": 100},
    )
    assert parsed.errors == {}
    assert parsed.data["income"] == 90000
    assert parsed.data["people"] == 2  # not among the keys: kept
    assert parsed.data["assessed"] == 100
    assert parsed.data["household"] == previous["household"]


def test_the_office_sets_its_field_when_given_the_key():
    parsed = check({"assessed": "560"}, keys={"assessed"}, previous={"income": 128050})
    assert parsed.data == {"assessed": 56000, "income": 128050}


def test_previous_values_of_fields_the_form_no_longer_has_are_dropped():
    parsed = check({}, keys=set(), previous={"gone": 1, "income": 5})
    assert parsed.data == {"income": 5}


# -- flatten and parse again --------------------------------------------------------------------


def test_flatten_then_parse_gives_the_same_data_for_every_kind():
    data = check(
        good_input(reason="其他", reason_other="房屋倒塌", disabled="yes", disability_card="残123")
    ).data
    data["note"] = "第一行 第二行"
    data["appointment"] = "2027-01-04"
    data["rent"] = 50001
    data["household"][1]["working"] = True
    data["household"][1]["employer"] = "宝坻区某厂"
    flat = flatten(FORM, data)
    assert flat["income"] == "1280.5"
    assert flat["rent"] == "500.01"
    assert flat["disabled"] == "yes"
    assert flat["household.1.member.id_number"] == OTHER_ID
    assert flat["household.1.working"] == "yes"
    again = check(flat)
    assert again.errors == {}
    assert again.data == data


def test_flatten_writes_a_wrong_shape_so_that_it_is_refused():
    flat = flatten(FORM, {"people": [1, 2], "applicant": "张小明", "household": "two"})
    assert flat == {"people": "?", "applicant.name": "张小明"}
    assert "people" in errors_of(flat, partial=True)


def test_money_text_is_how_a_clerk_writes_it():
    assert money_text(128000) == "1280"
    assert money_text(128050) == "1280.5"
    assert money_text(128005) == "1280.05"
    assert money_text(0) == "0"


# -- the definition's own checks ------------------------------------------------------------------


def problems_of(definition) -> list[str]:
    with translation.override("en"), pytest.raises(DefinitionError) as caught:
        parse_definition(definition)
    return caught.value.problems


def form_with(*fields, certificate=None) -> dict:
    definition: dict = {"sections": [{"title": "表", "fields": list(fields)}]}
    if certificate is not None:
        definition["certificate"] = certificate
    return definition


def test_a_definition_reads_back_from_its_json():
    assert parse_definition(FORM.to_json()) == FORM
    assert parse_definition(json.dumps(FORM.to_json(), ensure_ascii=False)) == FORM
    assert digest(FORM.to_json()) == digest(json.loads(json.dumps(FORM.to_json())))


@pytest.mark.parametrize("empty", [None, "", {}])
def test_no_definition_is_an_empty_form(empty):
    assert parse_definition(empty).is_empty


def test_invalid_json():
    [problem] = problems_of('{"sections": [')
    assert problem.startswith("The form definition is not valid JSON")


@pytest.mark.parametrize("definition", [[], "[1]", {"sections": {}}, {"sections": "x"}])
def test_not_an_object_with_sections(definition):
    assert problems_of(definition) == ["The form definition must be an object with a list of “sections”."]


@pytest.mark.parametrize("key", ["Income", "1st", "月收入", "a-b", "", "a" * 41])
def test_a_bad_key(key):
    [problem] = problems_of(form_with({"key": key, "kind": "text", "label": "项"}))
    assert f"the key “{key}” must start with a small letter" in problem
    assert problem.startswith("section 1 · 项")


def test_a_duplicate_key_across_sections():
    definition = {
        "sections": [
            {"title": "一", "fields": [{"key": "income", "kind": "money", "label": "收入"}]},
            {"title": "二", "fields": [{"key": "income", "kind": "text", "label": "收入说明"}]},
        ]
    }
    assert problems_of(definition) == ["section 2: the key “income” is used twice."]


def test_a_group_child_may_share_a_key_with_a_top_field_but_not_with_a_sibling():
    child = {"key": "name", "kind": "text", "label": "姓名"}
    parse_definition(form_with(child, {"key": "g", "kind": "group", "label": "组", "fields": [child]}))
    problems = problems_of(form_with({"key": "g", "kind": "group", "label": "组", "fields": [child, child]}))
    assert problems == ["section 1 · 组: the key “name” is used twice."]


@pytest.mark.parametrize("kind", ["file", "", None, "TEXT", ["text"], {"a": 1}])
def test_an_unknown_kind(kind):
    [problem] = problems_of(form_with({"key": "x", "kind": kind, "label": "项"}))
    assert "unknown kind" in problem


def test_a_group_in_a_group():
    inner = {
        "key": "inner",
        "kind": "group",
        "label": "内组",
        "fields": [{"key": "a", "kind": "text", "label": "甲"}],
    }
    problems = problems_of(form_with({"key": "outer", "kind": "group", "label": "外组", "fields": [inner]}))
    assert "section 1 · 外组 · 内组: a group cannot hold another group." in problems


def test_a_group_without_fields():
    assert problems_of(form_with({"key": "g", "kind": "group", "label": "组", "fields": []})) == [
        "section 1 · 组: a group needs at least one field."
    ]


@pytest.mark.parametrize("choices", [["甲"], ["甲", "甲", " "], [], None, "甲", 5, {"a": "甲"}])
def test_a_choice_needs_two_options(choices):
    assert problems_of(form_with({"key": "x", "kind": "choice", "label": "项", "choices": choices})) == [
        "section 1 · 项: a choice needs at least two options."
    ]


def test_choices_may_be_written_as_lines():
    spec = parse_definition(
        form_with({"key": "x", "kind": "choice", "label": "项", "choices": "甲\n乙|丙；丁"})
    )
    assert spec.field("x").choices == ("甲", "乙", "丙", "丁")


@pytest.mark.parametrize("kind", ["number", "money"])
def test_min_larger_than_max(kind):
    assert problems_of(form_with({"key": "x", "kind": kind, "label": "项", "min": "10", "max": "5"})) == [
        "section 1 · 项: “min” is larger than “max”."
    ]


@pytest.mark.parametrize("bound", ["ten", "NaN", "Infinity", [1]])
def test_a_bound_that_is_not_a_number(bound):
    assert problems_of(form_with({"key": "x", "kind": "number", "label": "项", "min": bound})) == [
        "section 1 · 项: “min” must be a number."
    ]


@pytest.mark.parametrize(
    "name, value, kind",
    [
        ("max_length", 0, "text"),
        ("max_length", 2001, "text"),
        ("max_length", True, "text"),
        ("max_length", "long", "text"),
        ("decimals", 5, "number"),
        ("max_items", 31, "group"),
    ],
)
def test_whole_number_options_out_of_range(name, value, kind):
    field = {"key": "x", "kind": kind, "label": "项", name: value}
    if kind == "group":
        field["fields"] = [{"key": "a", "kind": "text", "label": "甲"}]
    [problem] = problems_of(form_with(field))
    assert f"“{name}” must be a whole number from" in problem


def test_a_bad_pattern():
    [problem] = problems_of(form_with({"key": "x", "kind": "text", "label": "项", "pattern": "[0-9"}))
    assert "not a valid regular expression" in problem


def test_a_field_and_a_section_without_labels():
    problems = problems_of({"sections": [{"title": "", "fields": [{"key": "x", "kind": "text"}]}]})
    assert problems == ["section 1 has no title.", "section 1 · x: the field has no label."]


def test_required_when_naming_a_missing_field():
    problems = problems_of(
        form_with(
            {"key": "x", "kind": "text", "label": "项", "required_when": {"field": "nope", "value": "是"}}
        )
    )
    assert problems == [
        "form · 项: “required when” names “nope”, which is not a choice, yes/no or text field beside it."
    ]


def test_required_when_naming_itself_a_money_field_or_a_field_of_another_level():
    money = {"key": "m", "kind": "money", "label": "钱"}
    group = {
        "key": "g",
        "kind": "group",
        "label": "组",
        "fields": [
            {"key": "a", "kind": "text", "label": "甲", "required_when": {"field": "c", "value": "是"}}
        ],
    }
    problems = problems_of(
        form_with(
            money,
            {"key": "c", "kind": "text", "label": "丙", "required_when": {"field": "c", "value": "x"}},
            {"key": "d", "kind": "text", "label": "丁", "required_when": {"field": "m", "value": "1"}},
            group,
        )
    )
    assert len(problems) == 3
    assert problems[2].startswith("form · 组 · 甲:")


def test_required_when_a_value_not_among_the_options():
    choice = {"key": "c", "kind": "choice", "label": "原因", "choices": ["因病", "因残"]}
    problems = problems_of(
        form_with(
            choice,
            {"key": "x", "kind": "text", "label": "项", "required_when": {"field": "c", "value": "其他"}},
        )
    )
    assert problems == ["form · 项: “其他” is not one of the options of “原因”."]


def test_required_when_a_yes_no_value_other_than_yes_or_no():
    yesno = {"key": "y", "kind": "yesno", "label": "是否"}
    problems = problems_of(
        form_with(
            yesno, {"key": "x", "kind": "text", "label": "项", "required_when": {"field": "y", "value": "是"}}
        )
    )
    assert problems == ["form · 项: a yes/no field's value is “yes” or “no”."]


@pytest.mark.parametrize("when", [{"field": "c"}, {"value": "x"}, "c", ["c", "x"]])
def test_required_when_needs_a_field_and_a_value(when):
    [problem] = problems_of(form_with({"key": "x", "kind": "text", "label": "项", "required_when": when}))
    assert problem == "section 1 · 项: “required_when” needs a “field” and a “value”."


def test_certificate_line_naming_a_missing_field():
    problems = problems_of(
        form_with(
            {"key": "x", "kind": "text", "label": "项"}, certificate=[{"label": "人数", "field": "people"}]
        )
    )
    assert problems == ["certificate line 1 names “people”, which is not a field of the form."]


def test_certificate_line_counting_a_field_that_is_not_a_group():
    problems = problems_of(
        form_with(
            {"key": "x", "kind": "text", "label": "项"},
            certificate=[{"label": "人数", "field": "x", "show": "count"}],
        )
    )
    assert problems == ["certificate line 1: only a group can be counted."]


def test_certificate_line_printing_a_group_as_a_value_or_showing_something_else():
    group = {
        "key": "g",
        "kind": "group",
        "label": "组",
        "fields": [{"key": "a", "kind": "text", "label": "甲"}],
    }
    problems = problems_of(
        form_with(
            group,
            certificate=[{"label": "人数", "field": "g"}, {"label": "", "field": "g", "show": "sum"}, "x"],
        )
    )
    assert problems == [
        "certificate line 1: a group is printed as a count.",
        "certificate line 2 has no label.",
        "certificate line 2: “show” is “value” or “count”.",
        "certificate line 3 is not an object.",
    ]
    assert problems_of(form_with(group, certificate={"a": 1})) == ["“certificate” must be a list of lines."]


def test_too_many_fields():
    fields = [{"key": f"f{n}", "kind": "text", "label": f"项{n}"} for n in range(MAX_FIELDS + 1)]
    assert problems_of(form_with(*fields)) == [
        f"A form may have at most {MAX_FIELDS} fields; this one has {MAX_FIELDS + 1}."
    ]
    parse_definition(form_with(*fields[:MAX_FIELDS]))


def test_a_groups_fields_count_towards_the_limit():
    children = [{"key": f"c{n}", "kind": "text", "label": f"子{n}"} for n in range(MAX_FIELDS)]
    [problem] = problems_of(form_with({"key": "g", "kind": "group", "label": "组", "fields": children}))
    assert f"this one has {MAX_FIELDS + 1}" in problem


def test_every_problem_is_named_at_once():
    problems = problems_of(
        {
            "sections": [
                {"title": "", "fields": [{"key": "Bad", "kind": "text", "label": "甲"}, "x"]},
                {"title": "二", "fields": {"key": "y"}},
            ]
        }
    )
    assert len(problems) == 4


def test_office_only_means_nothing_inside_a_group():
    form = parse_definition(
        form_with(
            {
                "key": "g",
                "kind": "group",
                "label": "组",
                "fields": [{"key": "a", "kind": "text", "label": "甲", "office_only": True}],
            }
        )
    )
    assert form.field("g").fields[0].office_only is False


# -- display ------------------------------------------------------------------------------------


def stored_data() -> dict:
    data = check(good_input()).data
    data["assessed"] = 56000
    return data


@pytest.mark.parametrize(
    "fen, text", [(128000, "1,280"), (128050, "1,280.50"), (5, "0.05"), (0, "0"), (123456789, "1,234,567.89")]
)
def test_money_display(fen, text):
    assert money_display(fen) == text


def test_ids_and_accounts_are_masked_and_names_only_in_public():
    data = stored_data()
    applicant, bank = FORM.field("applicant"), FORM.field("bank")
    with translation.override("zh-hans"):
        assert (
            field_text(applicant, data["applicant"], regions=REGIONS)
            == "张小明（本人），1201**********" + GOOD_ID[-4:]
        )
        assert field_text(applicant, data["applicant"], regions=REGIONS, public=True).startswith(
            "张*明（本人），1201**"
        )
        assert field_text(bank, data["bank"], regions=REGIONS) == "农村商业银行宝坻支行，****5678，张小明"
        assert field_text(bank, data["bank"], regions=REGIONS, public=True).endswith("****5678，张*明")
        assert (
            field_text(FORM.field("home"), data["home"], regions=REGIONS) == "西郝各庄村（郝各庄镇）三街12号"
        )
    assert GOOD_ID not in str(summary(FORM, data, regions=REGIONS))
    assert "6217000012345678" not in str(summary(FORM, data, regions=REGIONS, public=True))


def test_mask_value_keeps_the_shape_and_hides_the_secret_part():
    data = stored_data()
    masked = mask_value(FORM.field("applicant"), data["applicant"])
    assert masked == {"name": "张小明", "id_number": "1201**********" + GOOD_ID[-4:], "relation": "本人"}
    assert mask_value(FORM.field("bank"), data["bank"])["account"] == "****5678"
    assert mask_value(FORM.field("income"), 5) == 5
    assert mask_account("1234") == "****"
    # An already masked number is not masked again.
    assert field_text(FORM.field("applicant"), masked, regions=REGIONS).endswith(
        "1201**********" + GOOD_ID[-4:]
    )


def test_field_text_of_each_scalar_kind():
    with translation.override("en"):
        assert field_text(FORM.field("income"), 128050, regions={}) == "1,280.50 yuan"
        assert field_text(FORM.field("people"), 2, regions={}) == "2 人"
        assert field_text(FORM.field("disabled"), True, regions={}) == "Yes"
        assert field_text(FORM.field("disabled"), False, regions={}) == "No"
        assert field_text(FORM.field("note"), None, regions={}) == "—"
        assert field_text(FORM.field("household"), [], regions={}) == "—"
        assert field_text(FORM.field("household"), [{}, {}], regions={}) == "2 entries"


def test_summary_has_a_row_per_group_entry():
    with translation.override("en"):
        sections = summary(FORM, stored_data(), regions=REGIONS, public=True)
    family = sections[1].rows
    assert [row.label for row in family] == ["家庭成员 1", "家庭成员 2"]
    assert family[1].key == "household"
    assert family[1].text.startswith("王*兰（父母），1201**")
    assert "月收入 480.50 yuan" in family[1].text
    assert OTHER_ID not in family[1].text


def test_certificate_rows_count_and_value():
    with translation.override("en"):
        rows = certificate_rows(FORM, stored_data(), regions=REGIONS)
        assert rows == [
            ("保障人数", "2"),
            ("月保障金额", "560 yuan"),
            ("户主", "张*明（本人），1201**********" + GOOD_ID[-4:]),
        ]
        assert certificate_rows(FORM, {}, regions=REGIONS) == [
            ("保障人数", "—"),
            ("月保障金额", "—"),
            ("户主", "—"),
        ]
