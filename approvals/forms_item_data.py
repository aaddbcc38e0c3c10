"""The item's application form (申请表) as input boxes, for the filing page and the clerk's
correction page.

This form only shows inputs and carries refusals back to them: every rule is checked by
`services_catalog.item_forms.values.parse` (through the services), so a value is judged the same
way whichever page or partner sent it. The inputs are plain text boxes, selects and radio
buttons named by their path (`d-household.1.member.id_number`), so the page works without
JavaScript: a repeating group shows its entries and one empty row, and "add another" simply saves
and shows the next empty row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.web.forms import Form
from services_catalog.item_forms.display import field_text, group_row_text
from services_catalog.item_forms.schema import PARTS, RELATIONS, FieldSpec, FormSpec, Kind
from services_catalog.item_forms.values import NO, YES, group_rows, input_label, inputs

PREFIX = "d"


def raw_input(data: Mapping[str, Any]) -> dict[str, str]:
    """The form's inputs out of a POST, by path (the `d-` prefix taken off)."""
    start = f"{PREFIX}-"
    return {name[len(start) :]: data.get(name, "") for name in data if name.startswith(start)}


def _text_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


def _field(spec: FieldSpec, part: str | None, regions: Mapping[str, str]) -> forms.Field:
    """The Django field of one input (required is shown, never enforced here)."""
    label = str(dict(PARTS[spec.kind])[part]) if part else spec.label
    common: dict[str, Any] = {"label": label, "required": False}
    if spec.kind == Kind.PERSON:
        if part == "relation":
            return forms.ChoiceField(choices=[("", _("— choose —"))] + [(r, r) for r in RELATIONS], **common)
        if part == "id_number":
            return forms.CharField(
                widget=_text_input(autocapitalize="characters", maxlength=30),
                **common,
                help_text=gettext_lazy("18 characters, as printed on the ID card; the last may be X."),
            )
        return forms.CharField(widget=_text_input(maxlength=50), **common)
    if spec.kind == Kind.BANK_ACCOUNT:
        if part == "account":
            return forms.CharField(widget=_text_input(inputmode="numeric", maxlength=40), **common)
        return forms.CharField(widget=_text_input(maxlength=60), **common)
    if spec.kind == Kind.ADDRESS:
        if part == "region":
            return forms.ChoiceField(
                choices=[("", _("— choose the village —"))] + list(regions.items()), **common
            )
        return forms.CharField(widget=_text_input(maxlength=100), **common)
    common["help_text"] = spec.help_text
    if spec.kind == Kind.TEXT:
        widget = (
            forms.Textarea(attrs={"rows": 3, "maxlength": spec.max_length})
            if spec.multiline
            else _text_input(maxlength=spec.max_length)
        )
        return forms.CharField(widget=widget, **common)
    if spec.kind == Kind.NUMBER:
        mode = "decimal" if spec.decimals else "numeric"
        return forms.CharField(widget=_text_input(inputmode=mode, maxlength=30), **common)
    if spec.kind == Kind.MONEY:
        return forms.CharField(widget=_text_input(inputmode="decimal", maxlength=30), **common)
    if spec.kind == Kind.DATE:
        return forms.CharField(widget=_text_input(type="date", maxlength=12), **common)
    if spec.kind == Kind.CHOICE:
        choices = [(c, c) for c in spec.choices]
        if len(choices) <= 4:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", _("— choose —"))] + choices, **common)
    if spec.kind == Kind.YESNO:
        return forms.ChoiceField(choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common)
    raise ValueError(spec.kind)  # pragma: no cover


@dataclass
class Entry:
    """One field as the page shows it: its inputs, or (not editable here) its value as text."""

    spec: FieldSpec
    inputs: list[forms.BoundField] = field(default_factory=list)
    text: str = ""
    unit: str = ""
    condition: str = ""  # "required when 家里有机动车 is 是", in words

    @property
    def required(self) -> bool:
        return self.spec.required


@dataclass
class GroupRow:
    number: int  # from 1, as people count
    entries: list[Entry]


@dataclass
class Group:
    spec: FieldSpec
    rows: list[GroupRow] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # not editable here: one line per entry
    can_add: bool = False


@dataclass
class SectionView:
    title: str
    intro: str
    items: list[Entry | Group]


class ItemDataForm(Form):
    """The inputs of `spec` that `keys` may set (None: every field the filer answers); the other
    fields are shown as text. `stored` is the data as the page had it (full numbers, for the
    filer's own draft), `rows` how many entries each group shows (one more than it has)."""

    def __init__(
        self,
        *args,
        spec: FormSpec,
        regions: Mapping[str, str],
        stored: Mapping[str, Any],
        keys: Iterable[str] | None = None,
        initial_flat: Mapping[str, str] | None = None,
        **kwargs,
    ):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, initial=dict(initial_flat or {}), **kwargs)
        self.spec = spec
        self.regions = regions
        self.stored = stored
        self.keys = set(keys) if keys is not None else {f.key for f in spec.fields() if not f.office_only}
        sent = raw_input(self.data) if self.is_bound else {}
        for top in spec.fields():
            if top.key not in self.keys:
                continue
            if top.kind == Kind.GROUP:
                have = len(stored.get(top.key) or []) if isinstance(stored.get(top.key), list) else 0
                numbers = group_rows(sent, top.key) if self.is_bound else []
                count = max(have, (max(numbers) + 1) if numbers else 0)
                count = min(top.max_items, count + 1) if count < top.max_items else top.max_items
                for number in range(max(count, 1)):
                    for child in top.fields:
                        self._add(child, f"{top.key}.{number}.{child.key}")
            else:
                self._add(top, top.key)

    def _add(self, spec: FieldSpec, path: str) -> None:
        for name in inputs(spec, path):
            part = name.rsplit(".", 1)[1] if spec.kind in PARTS else None
            self.fields[name] = _field(spec, part, self.regions)

    def add_refusals(self, errors: Mapping[str, list[str]]) -> None:
        """Put each refusal of `parse` next to its input (or, for a whole group, its first)."""
        for path, messages in errors.items():
            target = (
                path
                if path in self.fields
                else next((name for name in self.fields if name.startswith(f"{path}.")), None)
            )
            for message in messages:
                if target is None:
                    self.add_error(None, f"{input_label(self.spec, path)}: {message}")
                else:
                    self.add_error(target, message)

    def error_list(self) -> list[tuple[str, str, str]]:
        """(input id, what it is called, the refusal) for the summary at the top of the page."""
        out = []
        for name, messages in self.errors.items():
            if name == "__all__":
                out.extend(("", "", message) for message in messages)
                continue
            bound = self[name]
            out.extend((bound.id_for_label, input_label(self.spec, name), message) for message in messages)
        return out

    def sections(self) -> list[SectionView]:
        views = []
        for section in self.spec.sections:
            items: list[Entry | Group] = []
            for top in section.fields:
                if top.kind == Kind.GROUP:
                    items.append(self._group(top))
                elif top.key in self.keys:
                    items.append(
                        Entry(top, [self[name] for name in inputs(top, top.key)], unit=self._unit(top))
                    )
                else:
                    items.append(
                        Entry(top, text=field_text(top, self.stored.get(top.key), regions=self.regions))
                    )
            views.append(SectionView(section.title, section.intro, items))
        return views

    @staticmethod
    def _condition(spec: FieldSpec, siblings: tuple[FieldSpec, ...]) -> str:
        if not spec.required_when:
            return ""
        key, value = spec.required_when
        other = next((f for f in siblings if f.key == key), None)
        if other is None:
            return ""
        shown = {YES: _("Yes"), NO: _("No")}.get(value, value) if other.kind == Kind.YESNO else value
        return _("Required when “%(field)s” is “%(value)s”.") % {"field": other.label, "value": shown}

    def _unit(self, spec: FieldSpec) -> str:
        if spec.kind == Kind.MONEY:
            return _("yuan")
        return spec.unit

    def _group(self, top: FieldSpec) -> Group:
        group = Group(top)
        if top.key not in self.keys:
            rows = self.stored.get(top.key) if isinstance(self.stored.get(top.key), list) else []
            group.texts = [group_row_text(top, row, regions=self.regions, public=False) for row in rows]
            return group
        numbers = sorted({int(name.split(".")[1]) for name in self.fields if name.startswith(f"{top.key}.")})
        for number in numbers:
            entries = [
                Entry(
                    child,
                    [self[name] for name in inputs(child, f"{top.key}.{number}.{child.key}")],
                    unit=self._unit(child),
                )
                for child in top.fields
            ]
            group.rows.append(GroupRow(number + 1, entries))
        group.can_add = len(numbers) < top.max_items
        return group
