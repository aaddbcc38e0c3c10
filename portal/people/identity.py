"""Resident ID numbers (公民身份号码, GB 11643-1999) and mobile numbers.

The check digit and the area-code table come from python-stdnum (`stdnum.cn.ric`), which
implements ISO 7064 MOD 11-2 and ships the national area-code list. The order of the checks is
deliberate: each failure names the part of the number that is wrong (length, characters, birth
date, check digit), which is what an assistant copying a card needs to hear.

An unknown or retired area code is only a warning: areas are merged and renamed, but the numbers
already printed on cards never change (GB 11643 §4.2), so refusing them would refuse real people.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

ID_NUMBER_LENGTH = 18
_WHITESPACE = re.compile(r"\s+")


def normalise_id_number(raw: str) -> str:
    """Full-width digits and letters to ASCII, spaces removed, a lower-case x made upper-case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return _WHITESPACE.sub("", text).replace("-", "").upper()


@dataclass(frozen=True)
class IdNumberCheck:
    """A number that passed, in its normal form, with warnings that do not block it."""

    number: str
    birth_date: datetime.date
    warnings: list[str] = field(default_factory=list)


def check_id_number(raw: str, *, today: datetime.date | None = None) -> IdNumberCheck:
    """Validate a resident ID number; raise ValidationError naming the failing part."""
    number = normalise_id_number(raw)
    if len(number) != ID_NUMBER_LENGTH:
        raise ValidationError(
            _("The ID number must have 18 characters; this one has %(count)d.") % {"count": len(number)},
            code="length",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("The first 17 characters must be digits and the last a digit or X."),
            code="format",
        )
    today = today or timezone.localdate()
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError:
        birth_date = None
    if birth_date is None or birth_date > today or birth_date.year < 1880:
        raise ValidationError(
            _("Characters 7 to 14 must be a real birth date (YYYYMMDD); %(value)s is not.")
            % {"value": number[6:14]},
            code="birth_date",
        )
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValidationError(
            _("The check digit (the last character) is wrong: please check the number against the card."),
            code="check_digit",
        )
    warnings = []
    try:
        ric.get_birth_place(number)
    except StdnumError:
        warnings.append(
            _(
                "The area code %(code)s is not in the national list for that year of birth. Old and renamed codes stay valid on cards, so please check the number against the card."
            )
            % {"code": number[:6]}
        )
    return IdNumberCheck(number=number, birth_date=birth_date, warnings=warnings)


def mask_id_number(number: str) -> str:
    """Show the first four and last four characters only, e.g. 4521**********1234."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 张小明 → 张*明, for pages that anyone may read."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def normalise_mobile(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = _WHITESPACE.sub("", text).replace("-", "")
    if text.startswith("+86"):
        text = text[3:]
    return text


def validate_mobile(value: str) -> None:
    """A mainland mobile number: 11 digits starting with 1."""
    number = normalise_mobile(value)
    if len(number) != 11 or not number.isdigit() or not number.startswith("1"):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 1."),
            code="mobile",
        )
