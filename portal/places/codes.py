"""Rules of the 12-digit statistical division code (统计用区划代码).

The National Bureau of Statistics code is 6 digits of county (县/区), 3 of township (乡镇/街道)
and 3 of village (村/社区). A county's code therefore ends in six zeros, a township's in three,
and a child's code repeats its parent's prefix. Each rule raises its own message so that an
administrator typing a code from a paper list knows which digit is wrong.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE_LENGTH = 12
PREFIX_LENGTH = {"county": 6, "township": 9, "village": 12}
PARENT_LEVEL = {"county": None, "township": "county", "village": "township"}


def normalise_code(raw: str) -> str:
    """Strip spaces and turn full-width digits into ASCII ones (codes are often pasted)."""
    return unicodedata.normalize("NFKC", raw or "").replace(" ", "").strip()


def code_prefix(code: str, level: str) -> str:
    """The significant part of a code: what every descendant's code starts with."""
    return code[: PREFIX_LENGTH[level]]


def validate_division_code(code: str, level: str, parent_code: str | None = None) -> None:
    """Raise ValidationError naming the rule that `code` breaks for a region of `level`."""
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise ValidationError(
            _("The division code must be 12 digits (this one has %(length)d characters).")
            % {"length": len(code)},
            code="length",
        )
    if code[:6].endswith("00") or code[:2] == "00":
        raise ValidationError(
            _("The first 6 digits are the county part and cannot end in 00."),
            code="county_part",
        )
    if level == "county" and code[6:] != "000000":
        raise ValidationError(
            _("A county code must end in six zeros."),
            code="county_tail",
        )
    if level == "township":
        if code[9:] != "000":
            raise ValidationError(
                _("A township code must end in three zeros."),
                code="township_tail",
            )
        if code[6:9] == "000":
            raise ValidationError(
                _("Digits 7 to 9 of a township code cannot all be zero."),
                code="township_part",
            )
    if level == "village" and (code[9:] == "000" or code[6:9] == "000"):
        raise ValidationError(
            _(
                "A village code needs a township part (digits 7 to 9) and a village part (the last 3 digits), neither all zeros."
            ),
            code="village_part",
        )
    if parent_code is not None:
        parent_level = PARENT_LEVEL[level]
        if parent_level and not code.startswith(code_prefix(parent_code, parent_level)):
            raise ValidationError(
                _("The code %(code)s must start with its parent's first %(n)d digits, %(prefix)s.")
                % {
                    "code": code,
                    "n": PREFIX_LENGTH[parent_level],
                    "prefix": code_prefix(parent_code, parent_level),
                },
                code="parent_prefix",
            )
