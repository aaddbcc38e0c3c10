"""Resident ID numbers (公民身份号码, GB 11643-1999) and mobile numbers.

The check digit and the area-code table come from python-stdnum (`stdnum.cn.ric`), which
implements ISO 7064 MOD 11-2 and ships the national area-code list. The order of the checks is
deliberate: each failure names the part of the number that is wrong (length, characters, birth
date, check digit), which is what an assistant copying a card needs to hear.

The area code (地址码, the first six digits) is never a refusal and rarely a warning; see
`area_code_warning` for why the national list is not asked about the year of birth.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
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
    warning = area_code_warning(number[:6])
    return IdNumberCheck(number=number, birth_date=birth_date, warnings=[warning] if warning else [])


# The provinces of GB/T 2260 (and 81/82/83, the Hong Kong, Macao and Taiwan residence permits'
# codes, which also carry a valid GB 11643 number).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82", "83"}
)


def _is_listed(code: str) -> bool:
    """Is `code` in the national list (python-stdnum's GB/T 2260 table) in any year?"""
    return any(props.get("county") for _part, props in numdb.get("cn/loc").info(code))


def _has_gbt2260_shape(code: str) -> bool:
    """Digits 3-4 name a prefecture (01-70) or the province's directly administered counties
    (90); digits 5-6 a district (01-20), county (21-80) or county-level city (81-99), or 00."""
    prefecture, county = int(code[2:4]), int(code[4:6])
    return (1 <= prefecture <= 70 or prefecture == 90) and 0 <= county <= 99


def area_code_warning(code: str) -> str | None:
    """A sentence asking the assistant to check the first six digits against the card, or None.

    Why the rule is this loose: the area code is where the number was first given out (GB 11643
    §4.2, the place of first registration), and the number never changes afterwards, even when the
    area is merged, renamed or abolished. python-stdnum's check (`ric.get_birth_place`) asks
    whether the code existed *in the year of birth*; but most people now over 60 were given their
    number decades after their birth (cards from 1984, 18-digit numbers from 1999), so a villager
    born in 1950 correctly carries 120115 (宝坻区, a code of 2001) and every elderly villager of
    the county was warned. Codes of abolished areas (120224 宝坻县) stay on cards for life.

    So any code in the national list of any year passes, and so does a code of a known province
    with the GB/T 2260 shape (the list we ship may lack a short-lived code). Only a code that no
    area could ever have had is worth a second look: an unknown province (99xxxx, 00xxxx) or an
    impossible prefecture (1280xx). It stays a warning: the check digit already passed."""
    if code[:2] in PROVINCE_CODES and (_is_listed(code) or _has_gbt2260_shape(code)):
        return None
    return _(
        "The area code (first 6 digits) %(code)s is not a code any county has had. "
        "Please check the number against the ID card."
    ) % {"code": code}


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
