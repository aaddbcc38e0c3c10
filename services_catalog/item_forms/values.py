"""Typed values from what was typed, and back: the one place a field's rules are checked.

Input is flat: one text per input box, named by its path (`income`, `household.1.member.id_number`,
`bank.account`), which is what an HTML form sends without JavaScript and what `flatten` makes of
stored data, so the filing page, a clerk's correction and a partner's JSON go through the same
checks. Stored values are JSON: text and dates as strings (ISO dates), numbers as numbers, money
as whole fen (分) so sums and filters are exact, yes/no as booleans, compound fields as objects,
groups as lists of objects.

`partial=True` is a draft: wrong values are refused, missing ones are not.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.people.identity import check_id_number

from .schema import PARTS, RELATIONS, FieldSpec, FormSpec, Kind

YES, NO = "yes", "no"
_SPACES = re.compile(r"\s+")
_MONEY_NOISE = re.compile(r"[,，\s]|元$|¥|￥")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
_MAX_DIGITS = 15  # digits before the point of any number read
MAX_MONEY_FEN = 10**12  # a trillion fen: any amount a township handles, and no overflow in a list


@dataclass
class Parsed:
    """The typed data, and for each input that was refused, why (keyed by the input's path)."""

    data: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)


def _clean(raw: Any) -> str:
    """Full-width characters to their plain forms, spaces squeezed, as typed on a phone."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raw = str(raw)
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip()


def group_rows(raw: Mapping[str, Any], key: str) -> list[int]:
    """The row numbers sent for group `key` (`key.<n>.…`), in order."""
    prefix = f"{key}."
    rows = set()
    for name in raw:
        if name.startswith(prefix):
            head = name[len(prefix) :].split(".", 1)[0]
            if head.isdigit() and len(head) < 4:
                rows.add(int(head))
    return sorted(rows)


def inputs(spec: FieldSpec, path: str) -> list[str]:
    """The input names of a (non-group) field at `path`."""
    if spec.kind in PARTS:
        return [f"{path}.{part}" for part, _label in PARTS[spec.kind]]
    return [path]


def parse(
    form: FormSpec,
    raw: Mapping[str, Any],
    *,
    partial: bool,
    today: datetime.date,
    regions: Mapping[str, str],
    keys: Iterable[str] | None = None,
    previous: Mapping[str, Any] | None = None,
) -> Parsed:
    """Check what was typed against the form.

    `keys` are the top-level fields this person may set (None: every field the filer fills, not
    the office's 核定 fields); the others keep their `previous` value whatever was sent, so a
    crafted POST cannot set a field its sender may not. `regions` are the county's villages by
    code, for address fields.
    """
    allowed = set(keys) if keys is not None else {f.key for f in form.fields() if not f.office_only}
    previous = dict(previous or {})
    out = Parsed(data={})
    top = {f.key: f for f in form.fields()}
    for key, value in previous.items():
        if key not in allowed and key in top:
            out.data[key] = value
    context = _Context(partial=partial, today=today, regions=regions)
    for spec in form.fields():
        if spec.key not in allowed:
            continue
        if spec.kind == Kind.GROUP:
            _parse_group(spec, raw, out, context)
            continue
        value = _parse_one(spec, spec.key, raw, out, context, siblings=raw, sibling_prefix="", row=None)
        if value is not None:
            out.data[spec.key] = value
    return out


@dataclass(frozen=True)
class _Context:
    partial: bool
    today: datetime.date
    regions: Mapping[str, str]


def _is_required(spec: FieldSpec, siblings: Mapping[str, Any], prefix: str, partial: bool) -> bool:
    if partial:
        return False
    if spec.required:
        return True
    if spec.required_when:
        other, value = spec.required_when
        return _clean(siblings.get(f"{prefix}{other}")) == _clean(value)
    return False


def _parse_group(spec: FieldSpec, raw: Mapping[str, Any], out: Parsed, context: _Context) -> None:
    rows = []
    numbers = []  # the input row number of each entry kept
    for number in group_rows(raw, spec.key):
        prefix = f"{spec.key}.{number}."
        typed = any(
            _clean(raw.get(name)) for child in spec.fields for name in inputs(child, prefix + child.key)
        )
        if not typed:
            continue  # an empty row (the spare one a page offers) is not a member
        row: dict[str, Any] = {}
        for child in spec.fields:
            value = _parse_one(
                child, prefix + child.key, raw, out, context, siblings=raw, sibling_prefix=prefix, row=number
            )
            if value is not None:
                row[child.key] = value
        if row:
            rows.append(row)
            numbers.append(number)
    if len(rows) > spec.max_items:
        # Named at the first input of the first entry too many, an input the page shows.
        out.add(
            inputs(spec.fields[0], f"{spec.key}.{numbers[spec.max_items]}.{spec.fields[0].key}")[0],
            _("At most %(max)s entries; %(count)s were given.") % {"max": spec.max_items, "count": len(rows)},
        )
        rows = rows[: spec.max_items]
    if not rows and _is_required(spec, raw, "", context.partial):
        out.add(spec.key, _("Fill in at least one entry."))
    if rows:
        out.data[spec.key] = rows


def _parse_one(
    spec: FieldSpec,
    path: str,
    raw: Mapping[str, Any],
    out: Parsed,
    context: _Context,
    *,
    siblings: Mapping[str, Any],
    sibling_prefix: str,
    row: int | None,
) -> Any:
    required = _is_required(spec, siblings, sibling_prefix, context.partial)
    if spec.kind in PARTS:
        return _parse_compound(spec, path, raw, out, context, required)
    text = _clean(raw.get(path))
    if not text:
        if required:
            out.add(path, _missing(spec))
        return None
    try:
        return _typed(spec, text, context)
    except ValidationError as error:
        for message in error.messages:
            out.add(path, message)
        return None


def _missing(spec: FieldSpec) -> str:
    if spec.kind in (Kind.CHOICE, Kind.YESNO):
        return _("Choose one.")
    return _("Fill this in.")


def _typed(spec: FieldSpec, text: str, context: _Context) -> Any:
    if spec.kind == Kind.TEXT:
        if len(text) > spec.max_length:
            raise ValidationError(_too_long(spec.max_length, text))
        if spec.pattern and not re.fullmatch(spec.pattern, text):
            raise ValidationError(spec.pattern_message or _("This is not in the expected form."))
        return text
    if spec.kind == Kind.NUMBER:
        number = _number(text)
        places = Decimal(1).scaleb(-spec.decimals)
        if number != number.quantize(places, rounding=ROUND_HALF_UP):
            raise ValidationError(
                _("Use a whole number.")
                if not spec.decimals
                else _("At most %(places)s digits after the point.") % {"places": spec.decimals}
            )
        _check_range(spec, number, spec.unit)
        return int(number) if not spec.decimals else float(number)
    if spec.kind == Kind.MONEY:
        number = _number(_MONEY_NOISE.sub("", text), money=True)
        if number < 0:
            raise ValidationError(_("An amount of money cannot be negative."))
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(_("At most two digits after the point (fen)."))
        _check_range(spec, number, _("yuan"))
        fen = int(number * 100)
        if fen > MAX_MONEY_FEN:
            raise ValidationError(_("This amount is too large."))
        return fen
    if spec.kind == Kind.DATE:
        day = parse_date(text)
        if day is None:
            raise ValidationError(_("Enter a date such as 2026-03-18."))
        if spec.past_only and day > context.today:
            raise ValidationError(_("This date cannot be after today."))
        if day.year < 1900:
            raise ValidationError(_("Enter a date after 1900."))
        return day.isoformat()
    if spec.kind == Kind.CHOICE:
        # Compared as typed input is cleaned (一级（重度） arrives as 一级(重度)), kept as written.
        chosen = next((choice for choice in spec.choices if _clean(choice) == text), None)
        if chosen is None:
            raise ValidationError(_("Choose one of the options given."))
        return chosen
    if spec.kind == Kind.YESNO:
        if text not in (YES, NO):
            raise ValidationError(_("Choose yes or no."))
        return text == YES
    raise ValidationError(_("This field cannot be filled in here."))  # pragma: no cover


def _number(text: str, *, money: bool = False) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(text) > 30:
        raise ValidationError(
            _("Enter an amount in yuan, such as 1280 or 1280.50.")
            if money
            else _("Enter a number, such as 3.")
        )
    if number.adjusted() >= _MAX_DIGITS:  # 1e30: rounding it would overflow a Decimal's precision
        raise ValidationError(_("This amount is too large.") if money else _("Enter a number, such as 3."))
    return number


def _check_range(spec: FieldSpec, number: Decimal, unit: str) -> None:
    if spec.minimum is not None and number < spec.minimum:
        raise ValidationError(_("At least %(min)s %(unit)s.") % {"min": _plain(spec.minimum), "unit": unit})
    if spec.maximum is not None and number > spec.maximum:
        raise ValidationError(_("At most %(max)s %(unit)s.") % {"max": _plain(spec.maximum), "unit": unit})


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_date(text: str) -> datetime.date | None:
    for pattern in _DATE_FORMS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _parse_compound(
    spec: FieldSpec, path: str, raw: Mapping[str, Any], out: Parsed, context: _Context, required: bool
) -> dict[str, str] | None:
    parts = {part: _clean(raw.get(f"{path}.{part}")) for part, _label in PARTS[spec.kind]}
    if not any(parts.values()):
        if required:
            first = PARTS[spec.kind][0][0]
            out.add(f"{path}.{first}", _missing(spec))
        return None
    errors_before = sum(len(messages) for messages in out.errors.values())
    if spec.kind == Kind.PERSON:
        value = _person(path, parts, out, context)
    elif spec.kind == Kind.BANK_ACCOUNT:
        value = _bank_account(path, parts, out, context)
    else:
        value = _address(path, parts, out, context)
    if sum(len(messages) for messages in out.errors.values()) > errors_before:
        return None
    return value


def _person(path: str, parts: dict[str, str], out: Parsed, context: _Context) -> dict[str, str]:
    name, number, relation = parts["name"], parts["id_number"], parts["relation"]
    if not name and not context.partial:
        out.add(f"{path}.name", _("Enter the name as on the ID card."))
    elif len(name) > 50:
        out.add(f"{path}.name", _too_long(50, name))
    if number:
        try:
            number = check_id_number(number, today=context.today).number
        except ValidationError as error:
            for message in error.messages:
                out.add(f"{path}.id_number", message)
    elif not context.partial:
        out.add(f"{path}.id_number", _("Enter the resident ID number."))
    if relation and relation not in RELATIONS:
        out.add(f"{path}.relation", _("Choose one of the options given."))
    elif not relation and not context.partial:
        out.add(f"{path}.relation", _("Choose one."))
    return {"name": name, "id_number": number, "relation": relation}


def _too_long(limit: int, text: str) -> str:
    return _("At most %(max)s characters; this has %(count)s.") % {"max": limit, "count": len(text)}


def _bank_account(path: str, parts: dict[str, str], out: Parsed, context: _Context) -> dict[str, str]:
    bank, account, holder = parts["bank"], parts["account"].replace(" ", "").replace("-", ""), parts["holder"]
    if not bank and not context.partial:
        out.add(f"{path}.bank", _("Enter the bank, such as 农村商业银行宝坻支行."))
    elif len(bank) > 60:
        out.add(f"{path}.bank", _too_long(60, bank))
    if account and not (account.isdigit() and 8 <= len(account) <= 30):
        out.add(f"{path}.account", _("An account number has 8 to 30 digits and nothing else."))
    elif not account and not context.partial:
        out.add(f"{path}.account", _("Enter the account number."))
    if not holder and not context.partial:
        out.add(f"{path}.holder", _("Enter the account holder's name."))
    elif len(holder) > 50:
        out.add(f"{path}.holder", _too_long(50, holder))
    return {"bank": bank, "account": account, "holder": holder}


def _address(path: str, parts: dict[str, str], out: Parsed, context: _Context) -> dict[str, str]:
    region, detail = parts["region"], parts["detail"]
    if region and region not in context.regions:
        out.add(f"{path}.region", _("Choose a village of the county."))
    elif not region and not context.partial:
        out.add(f"{path}.region", _("Choose the village."))
    if len(detail) > 100:
        out.add(f"{path}.detail", _too_long(100, detail))
    return {"region": region, "detail": detail}


# -- back to text --------------------------------------------------------------------------------


def money_text(fen: int) -> str:
    """1234.5 yuan from 123450 fen, without a trailing .00 (how a clerk writes an amount)."""
    yuan = Decimal(int(fen)) / 100
    return _plain(yuan.quantize(Decimal("0.01")))


def scalar_text(spec: FieldSpec, value: Any) -> str:
    """What an input box shows for a stored scalar value."""
    if value is None:
        return ""
    if spec.kind == Kind.MONEY:
        return money_text(value)
    if spec.kind == Kind.YESNO:
        return YES if value else NO
    return str(value)


def flatten(form: FormSpec, data: Mapping[str, Any]) -> dict[str, str]:
    """The input boxes' texts for stored data (the inverse of `parse`, for a form shown again and
    for a partner's JSON checked by the same rules)."""
    flat: dict[str, str] = {}

    def one(spec: FieldSpec, path: str, value: Any) -> None:
        if value is None:
            return
        if spec.kind in PARTS:
            if isinstance(value, Mapping):
                for part, _label in PARTS[spec.kind]:
                    flat[f"{path}.{part}"] = _clean(value.get(part))
            else:
                flat[f"{path}.{PARTS[spec.kind][0][0]}"] = _clean(value)
            return
        if isinstance(value, (dict, list)):
            flat[path] = "?"  # a wrong shape is refused by the checks, not dropped
            return
        if spec.kind == Kind.MONEY and isinstance(value, int) and not isinstance(value, bool):
            flat[path] = money_text(value)
        elif spec.kind == Kind.YESNO and isinstance(value, bool):
            flat[path] = YES if value else NO
        else:
            flat[path] = _clean(value)

    for spec in form.fields():
        value = data.get(spec.key)
        if spec.kind == Kind.GROUP:
            for number, row in enumerate(value if isinstance(value, list) else []):
                if isinstance(row, Mapping):
                    for child in spec.fields:
                        one(child, f"{spec.key}.{number}.{child.key}", row.get(child.key))
        else:
            one(spec, spec.key, value)
    return flat


def input_label(form: FormSpec, path: str) -> str:
    """ "家庭成员 2 · 成员 · 身份证号" for `household.1.member.id_number`: what an error names."""
    names = path.split(".")
    spec = form.field(names[0])
    if spec is None:
        return path
    words = [spec.label]
    rest = names[1:]
    if spec.kind == Kind.GROUP and rest and rest[0].isdigit():
        words[0] = f"{spec.label} {int(rest[0]) + 1}"
        child = next((c for c in spec.fields if len(rest) > 1 and c.key == rest[1]), None)
        if child is None:
            return " · ".join(words)
        words.append(child.label)
        spec, rest = child, rest[2:]
    if rest and spec.kind in PARTS:
        words.append(str(dict(PARTS[spec.kind]).get(rest[0], rest[0])))
    return " · ".join(words)
