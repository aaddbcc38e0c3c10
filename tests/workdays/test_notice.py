"""Reading the State Council's notice (notice_parse) and checking a year's holidays (holidays_check).

The two real notices must read into exactly the calendars tests/workdays/test_official_schedules.py
was typed from; malformed text must give a message, never an exception.
"""

import datetime

import pytest

from portal.workdays.notice import (
    NoticeHoliday,
    holidays_check,
    holidays_differences,
    normalize_notice_number,
    notice_parse,
    parse_day_list,
)

from .notices import INVENTED_2027, NOTICE_2025, NOTICE_2026, NOTICE_2026_AS_PUBLISHED
from .test_official_schedules import REST_2025, REST_2026, WORKED_2025, WORKED_2026

D = datetime.date


def weekday_rest_days(rest: list[datetime.date]) -> list[datetime.date]:
    return [day for day in rest if day.weekday() < 5]


class TestTheRealNotices:
    def test_the_2026_notice_reads_into_its_seven_holidays(self):
        parsed = notice_parse(NOTICE_2026, year=2026)
        assert parsed.problems == []
        assert parsed.holidays == [
            NoticeHoliday("元旦", D(2026, 1, 1), D(2026, 1, 3), (D(2026, 1, 4),)),
            NoticeHoliday("春节", D(2026, 2, 15), D(2026, 2, 23), (D(2026, 2, 14), D(2026, 2, 28))),
            NoticeHoliday("清明节", D(2026, 4, 4), D(2026, 4, 6)),
            NoticeHoliday("劳动节", D(2026, 5, 1), D(2026, 5, 5), (D(2026, 5, 9),)),
            NoticeHoliday("端午节", D(2026, 6, 19), D(2026, 6, 21)),
            NoticeHoliday("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
            NoticeHoliday("国庆节", D(2026, 10, 1), D(2026, 10, 7), (D(2026, 9, 20), D(2026, 10, 10))),
        ]

    def test_the_2025_notice_reads_one_day_and_month_crossing_ranges(self):
        parsed = notice_parse(NOTICE_2025, year=2025)
        assert parsed.problems == []
        assert parsed.holidays[0] == NoticeHoliday("元旦", D(2025, 1, 1), D(2025, 1, 1))
        assert parsed.holidays[1] == NoticeHoliday(
            "春节", D(2025, 1, 28), D(2025, 2, 4), (D(2025, 1, 26), D(2025, 2, 8))
        )
        assert parsed.holidays[4] == NoticeHoliday("端午节", D(2025, 5, 31), D(2025, 6, 2))
        assert parsed.holidays[5] == NoticeHoliday(
            "国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), (D(2025, 9, 28), D(2025, 10, 11))
        )

    @pytest.mark.parametrize(
        ("text", "year", "rest", "worked"),
        [(NOTICE_2025, 2025, REST_2025, WORKED_2025), (NOTICE_2026, 2026, REST_2026, WORKED_2026)],
        ids=["2025", "2026"],
    )
    def test_the_stored_differences_are_exactly_the_official_calendar(self, text, year, rest, worked):
        holidays = notice_parse(text, year=year).holidays
        assert holidays_check(year=year, holidays=holidays).errors == []
        differences = holidays_differences(holidays)
        assert sorted(day for day, d in differences.items() if not d.is_workday) == weekday_rest_days(rest)
        assert sorted(day for day, d in differences.items() if d.is_workday) == sorted(worked)

    def test_the_make_up_days_are_named_as_the_notice_calls_them(self):
        differences = holidays_differences(notice_parse(NOTICE_2026, year=2026).holidays)
        assert differences[D(2026, 2, 14)].name == "春节调休上班"
        assert differences[D(2026, 10, 1)].name == "国庆节"

    def test_the_notice_as_published_gives_its_year_and_number_and_skips_the_prose(self):
        parsed = notice_parse(NOTICE_2026_AS_PUBLISHED)
        assert parsed.year == 2026
        assert parsed.year_in_text == 2026
        assert parsed.number == "国办发明电〔2025〕7号"
        assert parsed.problems == []  # the signature's date (2025年11月4日) is not a holiday
        assert parsed.holidays == notice_parse(NOTICE_2026, year=2026).holidays

    def test_the_2025_notice_checks_without_warnings(self):
        holidays = notice_parse(NOTICE_2025, year=2025).holidays
        check = holidays_check(year=2025, holidays=holidays)
        assert check.ok
        assert check.warnings == []  # 中秋 2025 (10/6) lies in the range named 国庆节、中秋节


class TestTypingVariants:
    def test_full_width_digits_星期_and_no_ordinals_read_the_same(self):
        text = "元旦：１月１日（星期四）至３日（星期六）放假调休，共３天。１月４日（星期日）上班。"
        parsed = notice_parse(text, year=2026)
        assert parsed.problems == []
        assert parsed.holidays == [NoticeHoliday("元旦", D(2026, 1, 1), D(2026, 1, 3), (D(2026, 1, 4),))]

    def test_a_paragraph_wrapped_over_two_lines_keeps_its_make_up_days(self):
        text = (
            "二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日\n（周六）、2月28日（周六）上班。"
        )
        parsed = notice_parse(text, year=2026)
        assert parsed.problems == []
        assert parsed.holidays[0].workdays == (D(2026, 2, 14), D(2026, 2, 28))

    def test_a_day_without_its_month_takes_the_month_before_it(self):
        parsed = notice_parse("一、春节：2月15日至23日放假调休。2月14日、28日上班。", year=2026)
        assert parsed.holidays[0].workdays == (D(2026, 2, 14), D(2026, 2, 28))

    def test_the_invented_2027_text_reads_for_a_year_the_package_does_not_know(self):
        parsed = notice_parse(INVENTED_2027)
        assert parsed.year == 2027
        assert parsed.problems == []
        assert holidays_check(year=2027, holidays=parsed.holidays).ok


class TestTyposInTheText:
    def test_a_weekday_that_is_not_the_dates_is_reported(self):
        parsed = notice_parse(NOTICE_2026.replace("1月1日（周四）", "1月1日（周三）"), year=2026)
        assert len(parsed.problems) == 1
        assert "2026-01-01" in parsed.problems[0]
        assert "is a Thursday, but the notice says 周三" in parsed.problems[0]
        assert parsed.holidays[0].first == D(2026, 1, 1)  # still read, to be corrected on the page

    def test_the_notice_of_another_year_is_reported(self):
        parsed = notice_parse(NOTICE_2026_AS_PUBLISHED, year=2027)
        assert parsed.problems[0] == "The text is the notice for 2026, not for 2027."
        # … and every weekday in parentheses disagrees with 2027's.
        assert any("2027-01-01 is a Friday" in problem for problem in parsed.problems)

    def test_a_day_count_that_does_not_match_the_range_is_reported(self):
        parsed = notice_parse(
            NOTICE_2026.replace("至7日（周三）放假调休，共7天", "至8日（周四）放假调休，共7天"), year=2026
        )
        assert parsed.problems == [
            "国庆节: the notice says 7 days, but 2026-10-01 to 2026-10-08 is 8 days. Check the dates."
        ]

    def test_a_date_that_does_not_exist_is_reported(self):
        parsed = notice_parse("一、春节：2月30日至3月2日放假。", year=2026)
        assert any("“2月30日” is not a date" in problem for problem in parsed.problems)

    def test_a_range_end_without_a_month_at_the_start_is_reported(self):
        parsed = notice_parse("一、元旦：1日至3日放假。", year=2026)
        assert any("has no month" in problem for problem in parsed.problems)

    def test_a_date_neither_off_nor_worked_is_reported(self):
        parsed = notice_parse("一、元旦：1月1日至3日放假。1月4日（周日）上半。", year=2026)
        assert any("2026-01-04" in problem and "放假 or 上班" in problem for problem in parsed.problems)

    def test_a_holiday_without_days_off_is_reported(self):
        parsed = notice_parse("一、元旦：另行通知。", year=2026)
        assert parsed.holidays == []
        assert parsed.problems == ["元旦: no days off found (“…月…日至…日放假”)."]

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "随便写点什么",
            "一、",
            "一、：",
            "：：：",
            "1月1日",
            "一、元旦：至至至放假上班",
            "日" * 5000,
            "（" * 300,
        ],
    )
    def test_malformed_text_gives_a_message_never_an_exception(self, text):
        parsed = notice_parse(text, year=2026)
        assert parsed.problems  # something to tell the user

    def test_text_without_a_year_asks_for_one(self):
        parsed = notice_parse(NOTICE_2026)
        assert parsed.year is None
        assert parsed.problems == ["Say which year the notice is for: the text does not name it."]


class TestHolidaysCheck:
    def holidays(self, year=2026):
        return notice_parse(NOTICE_2026 if year == 2026 else NOTICE_2025, year=year).holidays

    def replace(self, index: int, **changes) -> list[NoticeHoliday]:
        holidays = self.holidays()
        old = holidays[index]
        holidays[index] = NoticeHoliday(
            changes.get("name", old.name),
            changes.get("first", old.first),
            changes.get("last", old.last),
            changes.get("workdays", old.workdays),
        )
        return holidays

    def test_nothing_at_all_is_refused(self):
        assert holidays_check(year=2026, holidays=[]).errors == ["Enter at least one holiday."]

    def test_a_range_outside_the_year_is_refused(self):
        holidays = self.replace(0, first=D(2025, 12, 31))
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert any("2025-12-31 is not in 2026" in error for error in errors)

    def test_a_last_day_before_the_first_is_refused(self):
        holidays = self.replace(2, first=D(2026, 4, 6), last=D(2026, 4, 4))
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert errors[0] == "清明节: the last day 2026-04-04 is before the first day 2026-04-06."
        assert "2026-04-05 (Sunday) is a statutory holiday (清明节)" in errors[1]

    def test_a_make_up_workday_on_a_weekday_is_refused(self):
        holidays = self.replace(0, workdays=(D(2026, 1, 5),))
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert errors == [
            "元旦: 2026-01-05 is a Monday, a working day anyway. A make-up workday (调休上班) is a Saturday or Sunday."
        ]

    def test_a_day_both_off_and_worked_is_refused(self):
        holidays = self.replace(0, workdays=(D(2026, 1, 3), D(2026, 1, 4)))
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert errors == ["2026-01-03 is both a day off (元旦) and a make-up workday (元旦)."]

    def test_overlapping_ranges_are_refused(self):
        holidays = self.replace(5, last=D(2026, 10, 1))  # 中秋节 9/25 … 10/1 runs into 国庆节
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert any("both have 2026-10-01 off" in error for error in errors)

    def test_one_make_up_day_claimed_by_two_holidays_is_refused(self):
        holidays = self.replace(3, workdays=(D(2026, 5, 9), D(2026, 2, 28)))
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert any("2026-02-28 is listed as a make-up workday of both" in error for error in errors)

    def test_a_statutory_holiday_left_out_by_a_typo_is_refused(self):
        # "2月16日至23日" typed for "2月15日至23日" still covers 除夕 (2/16); "2月17日" does not.
        holidays = self.replace(1, first=D(2026, 2, 17))
        errors = holidays_check(year=2026, holidays=holidays).errors
        assert errors == [
            "2026-02-16 (Monday) is a statutory holiday (春节), but no range of days off covers it. "
            "Check the dates against the notice."
        ]

    def test_a_statutory_holiday_in_a_range_named_for_another_is_only_a_warning(self):
        holidays = self.holidays(2025)
        holidays[5] = NoticeHoliday("国庆节", holidays[5].first, holidays[5].last, holidays[5].workdays)
        check = holidays_check(year=2025, holidays=holidays)
        assert check.ok
        assert check.warnings == [
            "2025-10-06 is the statutory holiday 中秋节, but it falls in the range named 国庆节."
        ]

    def test_a_very_long_break_is_only_a_warning(self):
        holidays = self.replace(1, last=D(2026, 2, 27))
        check = holidays_check(year=2026, holidays=holidays)
        assert check.ok
        assert check.warnings == ["春节 runs 13 days, from 2026-02-15 to 2026-02-27: check the last day."]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("国办发明电〔2025〕7号", "国办发明电〔2025〕7号"),
        ("国办发明电[2025]7号", "国办发明电〔2025〕7号"),
        ("国办发明电（2025）7号", "国办发明电〔2025〕7号"),
        (" 国办发明电【2025】07号 ", "国办发明电〔2025〕7号"),
        ("  some  other   number ", "some other number"),
        ("", ""),
    ],
)
def test_notice_numbers_are_written_as_printed(typed, expected):
    assert normalize_notice_number(typed) == expected


def test_a_list_of_days_accepts_the_usual_ways_of_writing_dates():
    days, bad = parse_day_list(
        "2026-02-14, 2月28日、2026/1/4；5.9 2026年10月10日（周六） 2026-02-14", year=2026
    )
    assert days == [D(2026, 2, 14), D(2026, 2, 28), D(2026, 1, 4), D(2026, 5, 9), D(2026, 10, 10)]
    assert bad == []


def test_a_list_of_days_returns_what_is_not_a_date():
    days, bad = parse_day_list("2026-02-14, next saturday, 2月30日", year=2026)
    assert days == [D(2026, 2, 14)]
    assert bad == ["next", "saturday", "2月30日"]
