"""The State Council's holiday notice as data: reading its text, and checking a year's holidays.

Each year's notice (e.g. 国办发明电〔2025〕7号 for 2026) lists, per holiday, the range of days off
and the weekend days worked instead, in a fixed style:

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。…
    一、元旦：1月1日（周三）放假1天，不调休。

`notice_parse` reads that text into `NoticeHoliday` rows and says, in the user's language, what
it could not read or what looks like a typo: a weekday in parentheses that is not the date's (a
wrong year or date), a "共N天" that is not the range's length. `holidays_check` then checks the
rows, however they were typed (parsed and corrected, or entered field by field), against the
rules of a calendar year and the statutory holidays the law fixes (`statutory_holidays`).

Nothing here reads the database; `notice_entry.calendar_year_enter_from_notice` stores the result.
Dates are never invented: a date the text does not give is a problem to report, not a guess.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from .days import CalendarException
from .holiday_package import MAKE_UP_WORKDAY_SUFFIX, statutory_holidays
from .models import is_default_workday

ONE_DAY = datetime.timedelta(days=1)

# The longest break a notice has given is nine days (春节 2026); a longer range is more likely a
# wrong last day than a real break, so it gets a warning (not a refusal).
LONG_BREAK_DAYS = 10
MAX_NAME_LENGTH = 40

# The notice's weekday words, Monday first: 周一 / 星期一 / 礼拜一 … 周日, 星期天.
_WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")

# After NFKC normalisation, which turns full-width digits and brackets into ASCII ones.
_DATE = (
    r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日(?:\s*\((?P<paren>[^()]*)\))?"
)
_TOKEN = re.compile(
    rf"(?P<date>{_DATE})"
    r"|(?P<to>至|到|~|—|–|-)"
    r"|(?P<rest>放假(?:调休)?(?:(?P<rest_count>\d+)\s*天)?)"
    r"|(?P<work>上班)"
    r"|(?:共\s*(?P<count>\d+)\s*天)"
)
# "一、元旦：" … the start of a holiday's paragraph: an ordinal, a short name and a colon.
_ITEM = re.compile(
    rf"(?:^|(?<=[\s。;]))([一二三四五六七八九十]{{1,3}})\s*[、.]\s*([^:\n。;]{{1,{MAX_NAME_LENGTH}}}?)\s*:"
)
# A line "元旦：1月1日放假" typed without the ordinal.
_PLAIN_ITEM = re.compile(rf"^\s*([^:\n。;0-9]{{1,{MAX_NAME_LENGTH}}}?)\s*:(?=.*放假)", re.MULTILINE)
# "现将2026年元旦、春节…放假调休日期的具体安排通知如下" / "关于2026年部分节假日安排的通知".
_NOTICE_YEAR = re.compile(r"(?:现将|关于)\s*(\d{4})\s*年")
# 国办发明电〔2025〕7号, also typed with [] () 【】 or full-width brackets.
_NOTICE_NUMBER = re.compile(r"([\u4e00-\u9fff]{2,12})\s*[〔\[(【]\s*(\d{4})\s*[〕\])】]\s*(\d{1,4})\s*号")


@dataclass(frozen=True)
class NoticeHoliday:
    """One holiday of the notice: its days off (first to last, weekends included, as the notice
    writes them) and the weekend days worked instead (调休上班)."""

    name: str
    first: datetime.date
    last: datetime.date
    workdays: tuple[datetime.date, ...] = ()

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    def days(self) -> list[datetime.date]:
        return [self.first + ONE_DAY * offset for offset in range(max(self.length, 0))]

    def names(self) -> list[str]:
        """ "国庆节、中秋节" is one break for two holidays."""
        return [part.strip() for part in re.split(r"[、,，和]", self.name) if part.strip()]


@dataclass
class ParsedNotice:
    """What `notice_parse` read, and what it could not."""

    year: int | None = None
    number: str = ""
    year_in_text: int | None = None
    holidays: list[NoticeHoliday] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class HolidaysCheck:
    """Errors refuse the year; warnings are shown next to the preview and do not block saving."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _date_label(day: datetime.date) -> str:
    return formats.date_format(day, "Y-m-d")


def _weekday_label(day: datetime.date) -> str:
    return str(WEEKDAYS[day.weekday()])


def normalize_notice_number(number: str) -> str:
    """国办发明电[2025]7号, 国办发明电（2025）7号 … → 国办发明电〔2025〕7号; anything else stripped."""
    text = unicodedata.normalize("NFKC", number or "").strip()
    match = _NOTICE_NUMBER.fullmatch(text)
    if match is None:
        return " ".join(number.split())
    issuer, year, serial = match.groups()
    return f"{issuer}〔{year}〕{int(serial)}号"


def _items(text: str) -> list[tuple[str, str]]:
    """The holiday paragraphs of the text: (name, body). A body runs to the next holiday; its
    end within that (the notice's closing paragraph, the signature) is found by `_parse_body`."""
    starts = list(_ITEM.finditer(text)) or list(_PLAIN_ITEM.finditer(text))
    items = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        name = " ".join(match.group(match.lastindex).split())
        items.append((name, text[match.end() : end]))
    return items


@dataclass
class _Span:
    first: datetime.date
    last: datetime.date


def _parse_body(name: str, body: str, year: int, problems: list[str]) -> list[NoticeHoliday]:
    """The spans of days off and the worked days of one holiday's paragraph.

    Each sentence of a holiday's paragraph has dates: 放假 after the days off, 上班 after the
    days worked. The first sentence without a date is the notice's own prose (the closing
    paragraph, the signature and its date): the holiday ended before it.
    """
    rest_spans: list[_Span] = []
    workdays: list[datetime.date] = []
    counts: list[int] = []
    previous: datetime.date | None = None
    for index, sentence in enumerate(re.split(r"[。;]", body)):
        tokens = list(_TOKEN.finditer(sentence))
        if not any(token.group("date") for token in tokens):
            if index > 0 and sentence.strip():
                break
            continue
        pending: list[_Span] = []
        joining = False
        for token in tokens:
            if token.group("date"):
                day = _read_date(token, previous, year, name, problems)
                joining_now, joining = joining, False
                if day is None:
                    continue
                previous = day
                if joining_now and pending:
                    pending[-1].last = day
                else:
                    pending.append(_Span(day, day))
            elif token.group("to"):
                joining = bool(pending)
            elif token.group("rest"):
                rest_spans.extend(pending)
                pending = []
                if token.group("rest_count"):
                    counts.append(int(token.group("rest_count")))
            elif token.group("work"):
                for span in pending:
                    workdays.extend(
                        span.first + ONE_DAY * offset for offset in range((span.last - span.first).days + 1)
                    )
                pending = []
            elif token.group("count"):
                counts.append(int(token.group("count")))
        problems.extend(
            _(
                "%(name)s: is %(date)s a day off or a workday? Write 放假 or 上班 after it, as the notice does."
            )
            % {"name": name, "date": _date_label(span.first)}
            for span in pending
        )
    if not rest_spans:
        problems.append(_("%(name)s: no days off found (“…月…日至…日放假”).") % {"name": name})
        return []
    if counts and len(rest_spans) == 1:
        span = rest_spans[0]
        length = (span.last - span.first).days + 1
        if length > 0 and counts[-1] != length:
            problems.append(
                _(
                    "%(name)s: the notice says %(count)s days, but %(first)s to %(last)s is %(length)s "
                    "days. Check the dates."
                )
                % {
                    "name": name,
                    "count": counts[-1],
                    "first": _date_label(span.first),
                    "last": _date_label(span.last),
                    "length": length,
                }
            )
    return [
        NoticeHoliday(
            name=name,
            first=span.first,
            last=span.last,
            workdays=tuple(dict.fromkeys(workdays)) if index == 0 else (),
        )
        for index, span in enumerate(rest_spans)
    ]


def _read_date(
    token: re.Match, previous: datetime.date | None, year: int, name: str, problems: list[str]
) -> datetime.date | None:
    """A date of the text; the month and year come from the date before it when not written
    ("1月1日至3日"), the year from the calendar year being entered."""
    written = token.group("date").strip()
    if token.group("m") is None and previous is None:
        problems.append(_("%(name)s: “%(text)s” has no month.") % {"name": name, "text": written})
        return None
    day_year = int(token.group("y")) if token.group("y") else year
    month = int(token.group("m")) if token.group("m") else previous.month
    if token.group("m") is None and token.group("y") is None and previous is not None:
        day_year = previous.year
    try:
        day = datetime.date(day_year, month, int(token.group("d")))
    except ValueError:
        problems.append(_("%(name)s: “%(text)s” is not a date.") % {"name": name, "text": written})
        return None
    said = _WEEKDAY.findall(token.group("paren") or "")
    if said and _WEEKDAY_NUMBERS[said[-1]] != day.weekday():
        problems.append(
            _(
                "%(name)s: %(date)s is a %(weekday)s, but the notice says 周%(said)s. "
                "Check the year and the date."
            )
            % {
                "name": name,
                "date": _date_label(day),
                "weekday": _weekday_label(day),
                "said": said[-1],
            }
        )
    return day


def notice_parse(text: str, *, year: int | None = None) -> ParsedNotice:
    """Read a notice's text into holidays, for the calendar year `year`.

    Without `year`, the year the text names ("现将2026年…") is used. The result's `problems` are
    sentences for the user, each quoting the paragraph it is about; the holidays read so far are
    returned with them, so that the user can correct them instead of typing everything again.
    """
    normalized = unicodedata.normalize("NFKC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    result = ParsedNotice()
    number = _NOTICE_NUMBER.search(normalized)
    if number is not None:
        result.number = normalize_notice_number(number.group(0))
    year_match = _NOTICE_YEAR.search(normalized)
    result.year_in_text = int(year_match.group(1)) if year_match else None
    result.year = year or result.year_in_text
    if result.year is None:
        result.problems.append(_("Say which year the notice is for: the text does not name it."))
        return result
    if result.year_in_text is not None and result.year_in_text != result.year:
        result.problems.append(
            _("The text is the notice for %(text_year)s, not for %(year)s.")
            % {"text_year": result.year_in_text, "year": result.year}
        )
    items = _items(normalized)
    if not items:
        result.problems.append(
            _(
                "No holiday found in the text. Paste the notice's numbered paragraphs as published, "
                "e.g. “一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。”"
            )
        )
        return result
    for name, body in items:
        result.holidays.extend(_parse_body(name, body, result.year, result.problems))
    return result


def holidays_check(*, year: int, holidays: Sequence[NoticeHoliday]) -> HolidaysCheck:
    """Check a year's holidays before they are previewed or stored.

    Refused (errors): no holiday at all; a date outside the year (a notice's 元旦 may begin on 31
    December: that day belongs to the year before, and is entered there); a last day before the
    first; a worked day that is not a Saturday or Sunday, or that is also a day off; two holidays
    whose days off overlap, or that both claim one worked day; and a statutory holiday (《全国年节
    及纪念日放假办法》) that no range covers, which is a typo in the notice as typed.
    Warned: a statutory holiday inside a range named for another holiday, and a very long break.
    """
    check = HolidaysCheck()
    if not holidays:
        check.errors.append(_("Enter at least one holiday."))
        return check
    statutory = statutory_holidays(year)
    rest_owner: dict[datetime.date, NoticeHoliday] = {}
    work_owner: dict[datetime.date, NoticeHoliday] = {}
    for holiday in holidays:
        label = holiday.name or _("(no name)")
        dates_ok = True
        for day in (holiday.first, holiday.last, *holiday.workdays):
            if day.year != year:
                dates_ok = False
                check.errors.append(
                    _(
                        "%(name)s: %(date)s is not in %(year)s. A day of another year belongs to that "
                        "year's calendar; here enter only the days from 1 January to 31 December %(year)s."
                    )
                    % {"name": label, "date": _date_label(day), "year": year}
                )
        if holiday.last < holiday.first:
            check.errors.append(
                _("%(name)s: the last day %(last)s is before the first day %(first)s.")
                % {"name": label, "first": _date_label(holiday.first), "last": _date_label(holiday.last)}
            )
            continue
        if not dates_ok:
            continue
        if holiday.length > LONG_BREAK_DAYS:
            check.warnings.append(
                _("%(name)s runs %(days)s days, from %(first)s to %(last)s: check the last day.")
                % {
                    "name": label,
                    "days": holiday.length,
                    "first": _date_label(holiday.first),
                    "last": _date_label(holiday.last),
                }
            )
        for day in holiday.days():
            other = rest_owner.get(day)
            if other is not None and other is not holiday:
                check.errors.append(
                    _("%(name)s and %(other)s both have %(date)s off: their ranges overlap.")
                    % {"name": label, "other": other.name, "date": _date_label(day)}
                )
                break
            rest_owner[day] = holiday
        for day in holiday.workdays:
            if is_default_workday(day):
                check.errors.append(
                    _(
                        "%(name)s: %(date)s is a %(weekday)s, a working day anyway. A make-up workday "
                        "(调休上班) is a Saturday or Sunday."
                    )
                    % {"name": label, "date": _date_label(day), "weekday": _weekday_label(day)}
                )
            other = work_owner.get(day)
            if other is not None and other is not holiday:
                check.errors.append(
                    _("%(date)s is listed as a make-up workday of both %(name)s and %(other)s.")
                    % {"name": label, "other": other.name, "date": _date_label(day)}
                )
            work_owner[day] = holiday
    for day, holiday in work_owner.items():
        if day in rest_owner:
            check.errors.append(
                _("%(date)s is both a day off (%(rest)s) and a make-up workday (%(work)s).")
                % {"date": _date_label(day), "rest": rest_owner[day].name, "work": holiday.name}
            )
    for day, name in statutory.items():
        holiday = rest_owner.get(day)
        if holiday is None:
            check.errors.append(
                _(
                    "%(date)s (%(weekday)s) is a statutory holiday (%(name)s), but no range of days off "
                    "covers it. Check the dates against the notice."
                )
                % {"date": _date_label(day), "weekday": _weekday_label(day), "name": name}
            )
        elif not set(name.split("、")) & set(holiday.names()):
            check.warnings.append(
                _("%(date)s is the statutory holiday %(name)s, but it falls in the range named %(range)s.")
                % {"date": _date_label(day), "name": name, "range": holiday.name}
            )
    return check


def holidays_differences(holidays: Iterable[NoticeHoliday]) -> dict[datetime.date, CalendarException]:
    """What a year's holidays change in the default week, by date: the rows to store.

    Days off on Monday to Friday become rest days named for their holiday; worked Saturdays and
    Sundays become workdays named "<holiday>调休上班", as the notice calls them. Days off on a
    weekend differ from nothing and are left out. Assumes `holidays_check` passed.
    """
    differences: dict[datetime.date, CalendarException] = {}
    for holiday in holidays:
        for day in holiday.days():
            if is_default_workday(day):
                differences[day] = CalendarException(date=day, is_workday=False, name=holiday.name)
        for day in holiday.workdays:
            if not is_default_workday(day):
                differences[day] = CalendarException(
                    date=day, is_workday=True, name=f"{holiday.name}{MAKE_UP_WORKDAY_SUFFIX}"
                )
    return dict(sorted(differences.items()))


def parse_day_list(text: str, *, year: int) -> tuple[list[datetime.date], list[str]]:
    """Dates typed in one field: "2026-01-04, 2026-02-14", "1月4日、2月14日", "2/14" …

    Returns the dates in order, without repeats, and the pieces that are not dates.
    """
    normalized = unicodedata.normalize("NFKC", text or "")
    days: list[datetime.date] = []
    bad: list[str] = []
    for piece in re.split(r"[,、;\s]+", normalized):
        piece = piece.strip().rstrip("。.")
        if not piece:
            continue
        day = _parse_one_day(piece, year)
        if day is None:
            bad.append(piece)
        elif day not in days:
            days.append(day)
    return days, bad


_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_SHORT_DAY = re.compile(r"(\d{1,2})[-/.](\d{1,2})")
_CHINESE_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日?(?:\([^()]*\))?")


def _parse_one_day(piece: str, year: int) -> datetime.date | None:
    for pattern, parts in ((_ISO_DAY, 3), (_CHINESE_DAY, 3), (_SHORT_DAY, 2)):
        match = pattern.fullmatch(piece)
        if match is None:
            continue
        groups = match.groups()
        try:
            if parts == 3:
                return datetime.date(int(groups[0] or year), int(groups[1]), int(groups[2]))
            return datetime.date(year, int(groups[0]), int(groups[1]))
        except ValueError:
            return None
    return None
