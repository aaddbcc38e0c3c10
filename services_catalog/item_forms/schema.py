"""The form definition: sections of fields of well-known kinds, and the certificate's lines.

A definition is JSON, the same whether it came from the page editor's StreamField, a catalogue
spreadsheet's 申请表 column or an earlier `ItemFormVersion`::

    {"sections": [{"title": "家庭成员", "intro": "", "fields": [
        {"key": "household", "kind": "group", "label": "共同生活的家庭成员", "max_items": 8,
         "required": true, "fields": [
            {"key": "member", "kind": "person", "label": "成员", "required": true},
            {"key": "monthly_income", "kind": "money", "label": "月收入", "min": "0"}]}]}],
     "certificate": [{"label": "保障人数", "field": "household", "show": "count"}]}

Why a small vocabulary of kinds rather than free-form fields: each kind carries a rule the
county relies on (an ID number's check digit inside a household member, money that is never
negative and is kept in fen, a village that is one of the county's), and the papers, the lists
and the export know how to show each kind. `parse_definition` is the only reader, so a bad
definition is refused the same way on the page, in an import row and at a partner's door.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 120
MAX_GROUP_ITEMS = 30
MAX_TEXT_LENGTH = 2000


class Kind:
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    YESNO = "yesno"
    PERSON = "person"
    BANK_ACCOUNT = "bank_account"
    ADDRESS = "address"
    GROUP = "group"


KIND_LABELS = {
    Kind.TEXT: gettext_lazy("Text"),
    Kind.NUMBER: gettext_lazy("Number"),
    Kind.MONEY: gettext_lazy("Money (yuan)"),
    Kind.DATE: gettext_lazy("Date"),
    Kind.CHOICE: gettext_lazy("Choice"),
    Kind.YESNO: gettext_lazy("Yes or no"),
    Kind.PERSON: gettext_lazy("Person (name, ID number, relation)"),
    Kind.BANK_ACCOUNT: gettext_lazy("Bank account"),
    Kind.ADDRESS: gettext_lazy("Address in the county"),
    Kind.GROUP: gettext_lazy("Repeating group"),
}
SCALAR_KINDS = frozenset({Kind.TEXT, Kind.NUMBER, Kind.MONEY, Kind.DATE, Kind.CHOICE, Kind.YESNO})
ALL_KINDS = frozenset(KIND_LABELS)

# Relations to the applicant (与申请人关系), as the household register writes them.
RELATIONS = ("本人", "配偶", "子女", "父母", "祖父母", "孙子女", "兄弟姐妹", "儿媳", "女婿", "其他")

# The parts of a compound field: (part, label). Labels are translated where shown.
PARTS = {
    Kind.PERSON: (
        ("name", pgettext_lazy("a person's", "Name")),
        ("id_number", gettext_lazy("ID number")),
        ("relation", gettext_lazy("Relation to the applicant")),
    ),
    Kind.BANK_ACCOUNT: (
        ("bank", gettext_lazy("Bank")),
        ("account", gettext_lazy("Account number")),
        ("holder", gettext_lazy("Account holder")),
    ),
    Kind.ADDRESS: (
        ("region", gettext_lazy("Village")),
        ("detail", gettext_lazy("House number and details")),
    ),
}


class CertificateShow:
    VALUE = "value"
    COUNT = "count"


class DefinitionError(ValueError):
    """A definition that cannot be used; `problems` name each field by its place."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: str
    label: str
    help_text: str = ""
    required: bool = False
    required_when: tuple[str, str] | None = None  # (other key, value as typed)
    office_only: bool = False  # filled by the handling office (核定), never by the filer
    # text
    max_length: int = 200
    pattern: str = ""
    pattern_message: str = ""
    multiline: bool = False
    # number, money (Decimal: exact, in yuan for money)
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int = 0
    # date
    past_only: bool = False
    # choice
    choices: tuple[str, ...] = ()
    # group
    max_items: int = 10
    fields: tuple[FieldSpec, ...] = ()

    @property
    def is_scalar(self) -> bool:
        return self.kind in SCALAR_KINDS

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "kind": self.kind, "label": self.label}
        if self.help_text:
            out["help_text"] = self.help_text
        if self.required:
            out["required"] = True
        if self.required_when:
            out["required_when"] = {"field": self.required_when[0], "value": self.required_when[1]}
        if self.office_only:
            out["office_only"] = True
        if self.kind == Kind.TEXT:
            out["max_length"] = self.max_length
            if self.pattern:
                out["pattern"] = self.pattern
            if self.pattern_message:
                out["pattern_message"] = self.pattern_message
            if self.multiline:
                out["multiline"] = True
        if self.kind in (Kind.NUMBER, Kind.MONEY):
            if self.unit:
                out["unit"] = self.unit
            if self.minimum is not None:
                out["min"] = str(self.minimum)
            if self.maximum is not None:
                out["max"] = str(self.maximum)
            if self.kind == Kind.NUMBER and self.decimals:
                out["decimals"] = self.decimals
        if self.kind == Kind.DATE and self.past_only:
            out["past_only"] = True
        if self.kind == Kind.CHOICE:
            out["choices"] = list(self.choices)
        if self.kind == Kind.GROUP:
            out["max_items"] = self.max_items
            out["fields"] = [child.to_json() for child in self.fields]
        return out


@dataclass(frozen=True)
class SectionSpec:
    title: str
    intro: str = ""
    fields: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True)
class CertificateLine:
    """A line the certificate prints: a field's value, or how many rows a group has."""

    label: str
    field: str
    show: str = CertificateShow.VALUE


@dataclass(frozen=True)
class FormSpec:
    sections: tuple[SectionSpec, ...] = ()
    certificate: tuple[CertificateLine, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not any(section.fields for section in self.sections)

    def fields(self) -> Iterator[FieldSpec]:
        """The top-level fields, in order."""
        for section in self.sections:
            yield from section.fields

    def field(self, key: str) -> FieldSpec | None:
        return next((spec for spec in self.fields() if spec.key == key), None)

    def scalar_fields(self) -> list[FieldSpec]:
        """The top-level fields a list can filter on or show as a column."""
        return [spec for spec in self.fields() if spec.is_scalar]

    def to_json(self) -> dict[str, Any]:
        return {
            "sections": [
                {"title": s.title, "intro": s.intro, "fields": [f.to_json() for f in s.fields]}
                for s in self.sections
            ],
            "certificate": [
                {"label": line.label, "field": line.field, "show": line.show} for line in self.certificate
            ],
        }


EMPTY = FormSpec()


def digest(definition: Mapping[str, Any]) -> str:
    """A stable fingerprint of a definition: a new version is made only when it changes."""
    text = json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- reading a definition ------------------------------------------------------------------------


def parse_definition(data: Any) -> FormSpec:
    """The form a definition describes, or DefinitionError naming every problem."""
    if data in (None, "", {}):
        return EMPTY
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise DefinitionError(
                [_("The form definition is not valid JSON: %(error)s") % {"error": error}]
            ) from None
    problems: list[str] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("sections", []), list):
        raise DefinitionError([_("The form definition must be an object with a list of “sections”.")])
    sections = []
    keys: set[str] = set()
    count = 0
    for number, raw in enumerate(data.get("sections", []), start=1):
        where = _("section %(number)s") % {"number": number}
        if not isinstance(raw, Mapping):
            problems.append(_("%(where)s is not an object.") % {"where": where})
            continue
        title = _text(raw.get("title"))
        if not title:
            problems.append(_("%(where)s has no title.") % {"where": where})
        fields = _fields(raw.get("fields"), where, keys, problems, in_group=False)
        count += sum(1 + len(spec.fields) for spec in fields)
        sections.append(SectionSpec(title=title, intro=_text(raw.get("intro")), fields=tuple(fields)))
    if count > MAX_FIELDS:
        problems.append(
            _("A form may have at most %(max)s fields; this one has %(count)s.")
            % {"max": MAX_FIELDS, "count": count}
        )
    spec = FormSpec(sections=tuple(sections))
    _check_conditions(spec, problems)
    certificate = _certificate(data.get("certificate", []), spec, problems)
    if problems:
        raise DefinitionError(problems)
    return FormSpec(sections=spec.sections, certificate=tuple(certificate))


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _fields(
    raw_list: Any, where: str, keys: set[str], problems: list[str], *, in_group: bool
) -> list[FieldSpec]:
    if raw_list in (None, ""):
        return []
    if not isinstance(raw_list, list):
        problems.append(_("%(where)s: “fields” must be a list.") % {"where": where})
        return []
    out = []
    for raw in raw_list:
        spec = _field(raw, where, problems, in_group=in_group)
        if spec is None:
            continue
        if spec.key in keys:
            problems.append(
                _("%(where)s: the key “%(key)s” is used twice.") % {"where": where, "key": spec.key}
            )
            continue
        keys.add(spec.key)
        out.append(spec)
    return out


def _decimal(raw: Mapping, name: str, where: str, problems: list[str]) -> Decimal | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.append(_("%(where)s: “%(name)s” must be a number.") % {"where": where, "name": name})
        return None
    if not number.is_finite():
        problems.append(_("%(where)s: “%(name)s” must be a number.") % {"where": where, "name": name})
        return None
    return number


def _int(raw: Mapping, name: str, default: int, low: int, high: int, where: str, problems: list[str]) -> int:
    value = raw.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        problems.append(
            _("%(where)s: “%(name)s” must be a whole number from %(low)s to %(high)s.")
            % {"where": where, "name": name, "low": low, "high": high}
        )
        return default
    return number


def _field(raw: Any, where: str, problems: list[str], *, in_group: bool) -> FieldSpec | None:
    if not isinstance(raw, Mapping):
        problems.append(_("%(where)s: a field is not an object.") % {"where": where})
        return None
    key = str(raw.get("key") or "")
    label = _text(raw.get("label"))
    here = f"{where} · {label or key or '?'}"
    if not KEY_PATTERN.match(key):
        problems.append(
            _(
                "%(where)s: the key “%(key)s” must start with a small letter and use only a-z, 0-9 and _ "
                "(at most 40)."
            )
            % {"where": here, "key": key}
        )
        return None
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in ALL_KINDS:
        problems.append(
            _("%(where)s: unknown kind “%(kind)s” (one of %(kinds)s).")
            % {"where": here, "kind": kind, "kinds": ", ".join(sorted(ALL_KINDS))}
        )
        return None
    if kind == Kind.GROUP and in_group:
        problems.append(_("%(where)s: a group cannot hold another group.") % {"where": here})
        return None
    if not label:
        problems.append(_("%(where)s: the field has no label.") % {"where": here})
    when = raw.get("required_when")
    required_when = None
    if when not in (None, "", {}):
        if not isinstance(when, Mapping) or not when.get("field") or when.get("value") in (None, ""):
            problems.append(_("%(where)s: “required_when” needs a “field” and a “value”.") % {"where": here})
        else:
            required_when = (str(when["field"]), str(when["value"]))
    options: dict[str, Any] = {}
    if kind == Kind.TEXT:
        options["max_length"] = _int(raw, "max_length", 200, 1, MAX_TEXT_LENGTH, here, problems)
        pattern = str(raw.get("pattern") or "")
        if pattern:
            try:
                re.compile(pattern)
            except re.error as error:
                problems.append(
                    _("%(where)s: the pattern is not a valid regular expression (%(error)s).")
                    % {"where": here, "error": error}
                )
        options.update(
            pattern=pattern,
            pattern_message=_text(raw.get("pattern_message")),
            multiline=bool(raw.get("multiline")),
        )
    if kind in (Kind.NUMBER, Kind.MONEY):
        low, high = _decimal(raw, "min", here, problems), _decimal(raw, "max", here, problems)
        if kind == Kind.MONEY and (low is None or low < 0):
            low = Decimal(0)  # money is never negative, whatever the editor wrote
        if low is not None and high is not None and low > high:
            problems.append(_("%(where)s: “min” is larger than “max”.") % {"where": here})
        options.update(unit=_text(raw.get("unit")), minimum=low, maximum=high)
        if kind == Kind.NUMBER:
            options["decimals"] = _int(raw, "decimals", 0, 0, 4, here, problems)
    if kind == Kind.DATE:
        options["past_only"] = bool(raw.get("past_only"))
    if kind == Kind.CHOICE:
        choices = raw.get("choices")
        if isinstance(choices, str):
            choices = [line for line in re.split(r"[\n|；;]", choices)]
        if not isinstance(choices, (list, tuple)):
            choices = []  # a number or an object is no list of options
        cleaned = tuple(dict.fromkeys(_text(choice) for choice in choices or [] if _text(choice)))
        if len(cleaned) < 2:
            problems.append(_("%(where)s: a choice needs at least two options.") % {"where": here})
        options["choices"] = cleaned
    if kind == Kind.GROUP:
        options["max_items"] = _int(raw, "max_items", 10, 1, MAX_GROUP_ITEMS, here, problems)
        children = _fields(raw.get("fields"), here, set(), problems, in_group=True)
        if not children:
            problems.append(_("%(where)s: a group needs at least one field.") % {"where": here})
        options["fields"] = tuple(children)
    return FieldSpec(
        key=key,
        kind=kind,
        label=label,
        help_text=_text(raw.get("help_text")),
        required=bool(raw.get("required")),
        required_when=required_when,
        office_only=bool(raw.get("office_only")) and not in_group,
        **options,
    )


def _check_conditions(spec: FormSpec, problems: list[str]) -> None:
    """ "Required when" must name a choice, yes/no or text field beside it (top level, or the same
    group), with a value that field can have."""

    def check(fields: tuple[FieldSpec, ...], where: str) -> None:
        siblings = {f.key: f for f in fields}
        for f in fields:
            if f.required_when:
                other = siblings.get(f.required_when[0])
                if (
                    other is None
                    or other.key == f.key
                    or other.kind not in (Kind.CHOICE, Kind.YESNO, Kind.TEXT)
                ):
                    problems.append(
                        _(
                            "%(where)s · %(label)s: “required when” names “%(key)s”, which is not a choice, "
                            "yes/no or text field beside it."
                        )
                        % {"where": where, "label": f.label, "key": f.required_when[0]}
                    )
                elif other.kind == Kind.CHOICE and f.required_when[1] not in other.choices:
                    problems.append(
                        _("%(where)s · %(label)s: “%(value)s” is not one of the options of “%(other)s”.")
                        % {
                            "where": where,
                            "label": f.label,
                            "value": f.required_when[1],
                            "other": other.label,
                        }
                    )
                elif other.kind == Kind.YESNO and f.required_when[1] not in ("yes", "no"):
                    problems.append(
                        _("%(where)s · %(label)s: a yes/no field's value is “yes” or “no”.")
                        % {"where": where, "label": f.label}
                    )
            if f.kind == Kind.GROUP:
                check(f.fields, f"{where} · {f.label}")

    check(tuple(spec.fields()), _("form"))


def _certificate(raw_lines: Any, spec: FormSpec, problems: list[str]) -> list[CertificateLine]:
    if raw_lines in (None, ""):
        return []
    if not isinstance(raw_lines, list):
        problems.append(_("“certificate” must be a list of lines."))
        return []
    out = []
    for number, raw in enumerate(raw_lines, start=1):
        where = _("certificate line %(number)s") % {"number": number}
        if not isinstance(raw, Mapping):
            problems.append(_("%(where)s is not an object.") % {"where": where})
            continue
        label, key = _text(raw.get("label")), str(raw.get("field") or "")
        show = raw.get("show") or CertificateShow.VALUE
        target = spec.field(key)
        if not label:
            problems.append(_("%(where)s has no label.") % {"where": where})
        if target is None:
            problems.append(
                _("%(where)s names “%(key)s”, which is not a field of the form.")
                % {"where": where, "key": key}
            )
            continue
        if show not in (CertificateShow.VALUE, CertificateShow.COUNT):
            problems.append(_("%(where)s: “show” is “value” or “count”.") % {"where": where})
            continue
        if show == CertificateShow.COUNT and target.kind != Kind.GROUP:
            problems.append(_("%(where)s: only a group can be counted.") % {"where": where})
            continue
        if show == CertificateShow.VALUE and target.kind == Kind.GROUP:
            problems.append(_("%(where)s: a group is printed as a count.") % {"where": where})
            continue
        out.append(CertificateLine(label=label, field=key, show=show))
    return out
