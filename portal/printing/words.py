"""Words that every official paper writes the same way, whichever app prints it."""

import datetime

from django.utils.formats import date_format

PAPER_LANGUAGE = "zh-hans"
"""Official Chinese papers are written in Simplified Chinese whatever language the reader uses."""

_DIGITS = "〇一二三四五六七八九"


def _number_in_words(number: int) -> str:
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(day: datetime.date) -> str:
    """The date as official papers write it under the seal: 二〇二六年十二月二日."""
    year = "".join(_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{_number_in_words(day.month)}月{_number_in_words(day.day)}日"


def day_text(day: datetime.date | None) -> str:
    """A date in a paper's table, or a dash when there is none."""
    return date_format(day) if day else "—"
