"""The form editor in the back office: Wagtail StreamField blocks, one per field kind.

The blocks are only the editor's way of writing a definition (`schema`): `definition_from_stream`
reads what was edited, `stream_from_definition` writes a definition (from a spreadsheet) back into
the page. Being a StreamField, the form is saved in the page's revisions and goes through the
same two-person publishing as the rest of the guide.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .schema import KEY_PATTERN, MAX_GROUP_ITEMS, MAX_TEXT_LENGTH, Kind

_key_validator = RegexValidator(
    KEY_PATTERN, _("Start with a small letter; use only a-z, 0-9 and _ (e.g. monthly_income).")
)


def _common() -> list[tuple[str, blocks.Block]]:
    return [
        (
            "key",
            blocks.CharBlock(
                label=_("Key"),
                max_length=40,
                validators=[_key_validator],
                help_text=_(
                    "A short English name the data is kept under, e.g. monthly_income. Do not change "
                    "it once applications use it."
                ),
            ),
        ),
        ("label", blocks.CharBlock(label=_("Label"), max_length=60)),
        ("help_text", blocks.CharBlock(label=_("Help text"), max_length=200, required=False)),
        ("required", blocks.BooleanBlock(label=_("Required"), required=False)),
        (
            "required_when_field",
            blocks.CharBlock(
                label=_("Required when field (key)"),
                max_length=40,
                required=False,
                help_text=_(
                    "Another field's key: this one becomes required when that field has the value below."
                ),
            ),
        ),
        (
            "required_when_value",
            blocks.CharBlock(
                label=_("… has the value"),
                max_length=60,
                required=False,
                help_text=_("An option of that choice, or yes / no."),
            ),
        ),
    ]


def _office_only() -> list[tuple[str, blocks.Block]]:
    return [
        (
            "office_only",
            blocks.BooleanBlock(
                label=_("Filled in by the handling office (核定)"),
                required=False,
                help_text=_(
                    "Not asked of the villager: the clerk enters it before the decision, e.g. 月保障金额."
                ),
            ),
        )
    ]


def _struct(kind: str, extra: list[tuple[str, blocks.Block]], label, *, top: bool) -> blocks.StructBlock:
    return blocks.StructBlock(_common() + extra + (_office_only() if top else []), label=label, icon="form")


def _kinds(*, top: bool) -> list[tuple[str, blocks.Block]]:
    number_range = [
        ("min", blocks.DecimalBlock(label=_("Smallest"), required=False)),
        ("max", blocks.DecimalBlock(label=_("Largest"), required=False)),
    ]
    return [
        (
            Kind.TEXT,
            _struct(
                Kind.TEXT,
                [
                    (
                        "max_length",
                        blocks.IntegerBlock(
                            label=_("Longest (characters)"),
                            default=100,
                            min_value=1,
                            max_value=MAX_TEXT_LENGTH,
                        ),
                    ),
                    (
                        "pattern",
                        blocks.CharBlock(
                            label=_("Pattern (regular expression)"), required=False, max_length=200
                        ),
                    ),
                    (
                        "pattern_message",
                        blocks.CharBlock(
                            label=_("Message when the pattern fails"), required=False, max_length=100
                        ),
                    ),
                    ("multiline", blocks.BooleanBlock(label=_("Several lines"), required=False)),
                ],
                _("Text"),
                top=top,
            ),
        ),
        (
            Kind.NUMBER,
            _struct(
                Kind.NUMBER,
                [
                    (
                        "unit",
                        blocks.CharBlock(
                            label=_("Unit"), required=False, max_length=10, help_text=_("e.g. 人, 平方米, 亩")
                        ),
                    ),
                    *number_range,
                    (
                        "decimals",
                        blocks.IntegerBlock(
                            label=_("Digits after the point"), default=0, min_value=0, max_value=4
                        ),
                    ),
                ],
                _("Number"),
                top=top,
            ),
        ),
        (Kind.MONEY, _struct(Kind.MONEY, number_range, _("Money (yuan)"), top=top)),
        (
            Kind.DATE,
            _struct(
                Kind.DATE,
                [
                    ("past_only", blocks.BooleanBlock(label=_("Not after today"), required=False)),
                ],
                _("Date"),
                top=top,
            ),
        ),
        (
            Kind.CHOICE,
            _struct(
                Kind.CHOICE,
                [
                    (
                        "choices",
                        blocks.ListBlock(blocks.CharBlock(max_length=60), label=_("Options"), min_num=2),
                    ),
                ],
                _("Choice"),
                top=top,
            ),
        ),
        (Kind.YESNO, _struct(Kind.YESNO, [], _("Yes or no"), top=top)),
        (
            Kind.PERSON,
            _struct(
                Kind.PERSON,
                [],
                _("Person (name, ID number, relation)"),
                top=top,
            ),
        ),
        (Kind.BANK_ACCOUNT, _struct(Kind.BANK_ACCOUNT, [], _("Bank account"), top=top)),
        (Kind.ADDRESS, _struct(Kind.ADDRESS, [], _("Address in the county"), top=top)),
    ]


def _group() -> blocks.StructBlock:
    return blocks.StructBlock(
        _common()
        + [
            (
                "max_items",
                blocks.IntegerBlock(
                    label=_("At most (entries)"), default=8, min_value=1, max_value=MAX_GROUP_ITEMS
                ),
            ),
            ("fields", blocks.StreamBlock(_kinds(top=False), label=_("Fields of each entry"))),
        ],
        label=_("Repeating group (e.g. household members)"),
        icon="list-ul",
    )


class SectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Section title"), max_length=60)
    intro = blocks.CharBlock(label=_("Introduction"), max_length=300, required=False)
    fields = blocks.StreamBlock(_kinds(top=True) + [(Kind.GROUP, _group())], label=_("Fields"))

    class Meta:
        icon = "doc-full"
        label = _("Section")


class CertificateLineBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("Printed label"), max_length=30, help_text=_("e.g. 保障人数, 月保障金额")
    )
    field = blocks.CharBlock(label=_("Field key"), max_length=40)
    show = blocks.ChoiceBlock(
        label=_("Print"),
        choices=[("value", _("its value")), ("count", _("how many entries (a group)"))],
        default="value",
    )

    class Meta:
        icon = "doc-full-inverse"
        label = _("Certificate line")


FORM_BLOCKS = [("section", SectionBlock())]
CERTIFICATE_BLOCKS = [("line", CertificateLineBlock())]


def _plain(value: Any) -> Any:
    """A block value as plain JSON: a StreamValue becomes [{"type", "value"}], a StructValue a
    dict, a ListValue a list, a Decimal its text."""
    if isinstance(value, blocks.StreamValue):
        return [{"type": child.block_type, "value": _plain(child.value)} for child in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, blocks.list_block.ListValue)):
        return [_plain(v) for v in value]
    return value


def _field_from_block(kind: str, value: dict) -> dict[str, Any]:
    out = {
        k: v
        for k, v in value.items()
        if k not in ("required_when_field", "required_when_value", "fields") and v not in (None, "", False)
    }
    out["kind"] = kind
    if value.get("required_when_field"):
        out["required_when"] = {
            "field": value["required_when_field"],
            "value": value.get("required_when_value", ""),
        }
    if kind == Kind.GROUP:
        out["fields"] = [
            _field_from_block(entry["type"], entry["value"]) for entry in value.get("fields", [])
        ]
    return out


def definition_from_stream(form_stream, certificate_stream=()) -> dict[str, Any]:
    """The definition the editor wrote, from the page's two StreamFields."""
    sections = []
    for child in form_stream or []:
        value = _plain(child.value)
        fields = [_field_from_block(entry["type"], entry["value"]) for entry in value.get("fields", [])]
        sections.append({"title": value.get("title", ""), "intro": value.get("intro", ""), "fields": fields})
    lines = [_plain(child.value) for child in certificate_stream or []]
    if not sections and not lines:
        return {}
    return {"sections": sections, "certificate": lines}


def _block_from_field(spec: dict[str, Any]) -> dict[str, Any]:
    value = {k: v for k, v in spec.items() if k not in ("kind", "required_when", "fields")}
    when = spec.get("required_when") or {}
    value["required_when_field"] = when.get("field", "")
    value["required_when_value"] = when.get("value", "")
    if spec["kind"] == Kind.GROUP:
        value["fields"] = [_block_from_field(child) for child in spec.get("fields", [])]
    return {"type": spec["kind"], "value": value}


def stream_from_definition(definition: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """The page's two StreamFields' raw data for a checked definition (`FormSpec.to_json()`)."""
    form = [
        {
            "type": "section",
            "value": {
                "title": section["title"],
                "intro": section.get("intro", ""),
                "fields": [_block_from_field(spec) for spec in section["fields"]],
            },
        }
        for section in definition.get("sections", [])
    ]
    lines = [{"type": "line", "value": dict(line)} for line in definition.get("certificate", [])]
    return form, lines
