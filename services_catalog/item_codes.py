"""The item code (事项编码): one rule, used by the catalogue import and the page editor.

A code is the county's six-digit division code, the two-letter code of the item's type and a
number of three to five digits, joined by hyphens: `120115-XK-002`. The address of the item's
page is the code in lower case (`/guide/120115-xk-002/`), so a code must be exact: a code with
spaces, a letter O for a zero, full-width digits (１２０１１５) or a Cyrillic letter that looks like
a Latin one would publish a second, wrong address for the same item. Each is refused with a
message that names what is wrong, so a county clerk can fix the cell.

The type codes are in services_catalog.item_types.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .item_types import ITEM_TYPE_CODES, ItemType

TYPE_OF_CODE = {code: item_type for item_type, code in ITEM_TYPE_CODES.items()}

_SHAPE = re.compile(r"(?P<county>[^-]*)-(?P<type>[^-]*)-(?P<number>[^-]*)")
EXAMPLE = "120115-XK-002"


def _type_codes_text() -> str:
    return "、".join(f"{code} {ItemType(item_type).label}" for item_type, code in ITEM_TYPE_CODES.items())


def item_code_problem(code: str, *, county_code: str, item_type: str | None = None) -> str | None:
    """What is wrong with `code` for an item of the county `county_code` (six digits, or the
    twelve-digit division code), in words for the person who typed it; None when it is right.

    `item_type` (an ItemType value), when given, must be the type the code's letters name."""
    county = county_code[:6]
    for position, character in enumerate(code, start=1):
        if character.isascii():
            continue
        folded = unicodedata.normalize("NFKC", character)
        if folded.isascii() and folded.strip():
            return gettext(
                "“%(code)s” has a full-width character “%(character)s” at position %(position)s: type the "
                "code with the input method in half-width (English) mode, e.g. %(example)s."
            ) % {"code": code, "character": character, "position": position, "example": EXAMPLE}
        if character.isspace():
            return gettext(
                "“%(code)s” contains a space: write the code without spaces, e.g. %(example)s."
            ) % {"code": code, "example": EXAMPLE}
        return gettext(
            "“%(code)s” has the character “%(character)s” (%(name)s) at position %(position)s: only "
            "Latin capital letters, digits and hyphens are allowed, even where another letter looks "
            "the same."
        ) % {
            "code": code,
            "character": character,
            "name": unicodedata.name(character, f"U+{ord(character):04X}"),
            "position": position,
        }
    if any(character.isspace() for character in code):
        return gettext("“%(code)s” contains a space: write the code without spaces, e.g. %(example)s.") % {
            "code": code,
            "example": EXAMPLE,
        }
    shape = _SHAPE.fullmatch(code)
    if shape is None:
        return gettext(
            "“%(code)s” is not an item code: write the county code, the type code and a number, "
            "joined by hyphens, e.g. %(example)s."
        ) % {"code": code, "example": EXAMPLE}
    if not re.fullmatch(r"\d{6}", shape["county"]):
        return gettext("“%(code)s” must begin with the six digits of the county code, %(county)s.") % {
            "code": code,
            "county": county,
        }
    if shape["county"] != county:
        return gettext(
            "“%(code)s” begins with %(given)s, another county's code: the items of this county begin "
            "with %(county)s."
        ) % {"code": code, "given": shape["county"], "county": county}
    type_code = shape["type"]
    if type_code.upper() in TYPE_OF_CODE and type_code != type_code.upper():
        return gettext("“%(code)s”: write the type code in capitals, %(type)s.") % {
            "code": code,
            "type": type_code.upper(),
        }
    if type_code not in TYPE_OF_CODE:
        return gettext("“%(code)s”: “%(type)s” is not a type code. The type codes are %(codes)s.") % {
            "code": code,
            "type": type_code,
            "codes": _type_codes_text(),
        }
    if item_type and TYPE_OF_CODE[type_code] != item_type:
        return gettext(
            "“%(code)s”: %(type)s is the code of %(code_type)s, but the item is of the type %(item_type)s "
            "(its code is %(right)s)."
        ) % {
            "code": code,
            "type": type_code,
            "code_type": ItemType(TYPE_OF_CODE[type_code]).label,
            "item_type": ItemType(item_type).label,
            "right": ITEM_TYPE_CODES[item_type],
        }
    number = shape["number"]
    if not re.fullmatch(r"\d{3,5}", number):
        letters = "".join(sorted({c for c in number if not c.isdigit()}))
        if letters and re.fullmatch(r"[\dOoIlZS]{3,5}", number):
            return gettext(
                "“%(code)s”: the number “%(number)s” has the letter(s) %(letters)s where a digit belongs "
                "(a letter O for a zero, a letter I or l for a one?)."
            ) % {"code": code, "number": number, "letters": letters}
        return gettext("“%(code)s”: the number “%(number)s” must be three to five digits, e.g. 002.") % {
            "code": code,
            "number": number,
        }
    return None


def validate_item_code(code: str, *, county_code: str, item_type: str | None = None) -> None:
    """`item_code_problem` as a Django validation: raises ValidationError (code "item_code")."""
    problem = item_code_problem(code, county_code=county_code, item_type=item_type)
    if problem is not None:
        raise ValidationError(problem, code="item_code")


def item_code_slug(code: str) -> str:
    """The page's address segment: the checked code in lower case (120115-xk-002)."""
    return code.lower()
