"""Forms for the clerk's and supervisor's steps. They only shape input: the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import Form
from services_catalog.item_forms.schema import EMPTY, FieldSpec, FormSpec, Kind

from .selectors import DataFilter, DataOp
from .services import MissingItem
from .states import State


class VersionForm(Form):
    """Every step form carries the version the page showed, so a step on a changed file is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CommentForm(VersionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RequiredCommentForm(VersionForm):
    comment = forms.CharField(label=_("Comment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))


class RejectForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for refusing"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    basis = forms.CharField(label=_("Legal basis"), max_length=300)


class SecondReturnAgreementForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it must be returned a second time (再次退回的理由)"),
        max_length=1000,
        help_text=_(
            "A one-time notice lists everything at once; say what the first notice could not have "
            "known. A clerk of the centre then returns it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawForm(VersionForm):
    comment = forms.CharField(
        label=_("Why the villager withdraws"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(VersionForm):
    to = forms.ModelChoiceField(label=_("Give it to"), queryset=None, empty_label=None)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, *args, clerks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = clerks
        self.fields["to"].label_from_instance = lambda user: user.get_full_name()


class PauseForm(VersionForm):
    procedure = forms.ChoiceField(label=_("Special procedure"))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [(p.name, str(p)) for p in procedures]


class MaterialsNoticeForm(VersionForm):
    """One row per checklist material (tick, reason[, date]) plus one free row: a one-time notice
    lists everything at once, so the form shows every material on one screen. A return may also
    name a field of the application form (`form_fields`: its top-level fields the villager
    answers), e.g. "申请表：家庭成员" with "家庭成员 2 的收入证明与填写的月收入不符"."""

    note = forms.CharField(
        label=_("Note for the villager"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    other_name = forms.CharField(label=_("Other material"), required=False, max_length=200)
    other_reason = forms.CharField(label=_("What is wrong or missing"), required=False, max_length=300)

    def __init__(self, *args, materials=(), with_dates=False, form_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        self.with_dates = with_dates
        self.form_fields = [spec for spec in form_fields if not spec.office_only]
        for spec in self.form_fields:
            self.fields[f"f_{spec.key}"] = forms.BooleanField(
                label=_("Application form: %(field)s") % {"field": spec.label}, required=False
            )
            self.fields[f"fr_{spec.key}"] = forms.CharField(
                label=_("What is wrong or missing"), required=False, max_length=300
            )
        for material in self.materials:
            self.fields[f"m{material.pk}"] = forms.BooleanField(label=material.name, required=False)
            self.fields[f"r{material.pk}"] = forms.CharField(
                label=_("What is wrong or missing"), required=False, max_length=300
            )
            if with_dates:
                self.fields[f"d{material.pk}"] = forms.DateField(
                    label=_("Hand in by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
        if with_dates:
            del self.fields["other_name"], self.fields["other_reason"]

    def rows(self):
        """(material, tick, reason, date) bound fields for the template."""
        for material in self.materials:
            yield (
                material,
                self[f"m{material.pk}"],
                self[f"r{material.pk}"],
                self[f"d{material.pk}"] if self.with_dates else None,
            )

    def field_rows(self):
        """(field, tick, reason) bound fields for the template."""
        for spec in self.form_fields:
            yield spec, self[f"f_{spec.key}"], self[f"fr_{spec.key}"]

    def clean(self):
        data = super().clean()
        for spec in self.form_fields:
            if data.get(f"f_{spec.key}") and not data.get(f"fr_{spec.key}", "").strip():
                self.add_error(f"fr_{spec.key}", _("Say what is wrong with this answer."))
        for material in self.materials:
            if data.get(f"m{material.pk}") and not data.get(f"r{material.pk}", "").strip():
                self.add_error(f"r{material.pk}", _("Say what is wrong with this material."))
            if self.with_dates and data.get(f"m{material.pk}") and not data.get(f"d{material.pk}"):
                self.add_error(f"d{material.pk}", _("Give the date by which it must be handed in."))
        if not self.with_dates and bool(data.get("other_name", "").strip()) != bool(
            data.get("other_reason", "").strip()
        ):
            self.add_error("other_reason", _("Give both the material and what is wrong with it."))
        return data

    def missing_items(self):
        items = [
            MissingItem(
                material,
                self.cleaned_data[f"r{material.pk}"],
                due_on=self.cleaned_data.get(f"d{material.pk}"),
            )
            for material in self.materials
            if self.cleaned_data.get(f"m{material.pk}")
        ]
        items.extend(
            MissingItem(None, self.cleaned_data[f"fr_{spec.key}"], name=spec.label, field_key=spec.key)
            for spec in self.form_fields
            if self.cleaned_data.get(f"f_{spec.key}")
        )
        if self.cleaned_data.get("other_name", "").strip():
            items.append(
                MissingItem(None, self.cleaned_data["other_reason"], name=self.cleaned_data["other_name"])
            )
        return items


class PromiseForm(MaterialsNoticeForm):
    promise = forms.FileField(label=_("Signed promise (容缺受理承诺书)"))


class SupplyForm(VersionForm):
    owed = forms.ChoiceField(label=_("Material"))
    upload = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args, owed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owed = {str(item.pk): item for item in owed}
        self.fields["owed"].choices = [
            (str(item.pk), f"{item.material_name} · {item.due_on}") for item in owed
        ]


class InboxFilterForm(Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    item = forms.TypedChoiceField(label=_("Item"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Number or name"), required=False, max_length=40)
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any deadline")),
            ("soon", _("Due soon (即将超期)")),
            ("overdue", _("Overdue (已超期)")),
        ],
    )

    def __init__(self, *args, items=(), drafts: bool = False, item_form: FormSpec = EMPTY, **kwargs):
        super().__init__(*args, **kwargs)
        open_states = [State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.REVIEWED, State.FORWARDED]
        if drafts:  # the station's list also holds its drafts
            open_states.insert(0, State.DRAFT)
        self.fields["state"].choices = [("", _("All open work"))] + [(s.value, s.label) for s in open_states]
        self.fields["item"].choices = [("", _("All items"))] + [(i.pk, i.title) for i in items]
        # The item's own fields, when the list shows one item (fields belong to an item's form).
        self.data_specs = item_form.scalar_fields()
        for spec in self.data_specs:
            self.fields.update(_data_fields(spec))
        if self.data_specs:
            self.fields[SHOW] = forms.MultipleChoiceField(
                label=_("Show these fields (显示这些字段)"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(spec.key, spec.label) for spec in self.data_specs],
            )

    BASE_FIELDS = ("state", "item", "q", "mine", "due")

    def base_valid(self) -> bool:
        """Whether the ordinary filters are usable; a bad value in a form field's filter only
        drops that filter (its error is shown next to it), never the rest of the list's."""
        if not self.is_bound:
            return False
        return self.is_valid() or not set(self.errors) & set(self.BASE_FIELDS)

    def clean(self):
        data = super().clean()
        for spec in self.data_specs:
            name = f"f.{spec.key}"
            for low, high in ((f"{name}.min", f"{name}.max"), (f"{name}.from", f"{name}.to")):
                if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                    self.add_error(high, _("The upper bound is below the lower bound."))
                    data.pop(low, None)  # neither bound is meant; the list is not narrowed
        return data

    def data_groups(self) -> list[tuple[FieldSpec, list]]:
        """For the template: each form field with its inputs (one, or a from/to pair)."""
        return [(spec, [self[name] for name in _data_fields(spec)]) for spec in self.data_specs]

    def data_filters(self) -> list[DataFilter]:
        """The conditions on the form's fields that were typed correctly, typed as stored."""
        if not self.is_bound or not self.data_specs:
            return []
        self.is_valid()
        data = self.cleaned_data
        found = []
        for spec in self.data_specs:
            name = f"f.{spec.key}"
            if spec.kind == Kind.TEXT:
                text = data.get(name)
                if text:
                    op = DataOp.EXACT if data.get(f"{name}.how") == DataOp.EXACT else DataOp.CONTAINS
                    found.append(DataFilter(spec.key, op, text))
            elif spec.kind == Kind.CHOICE:
                if data.get(name):
                    found.append(DataFilter(spec.key, DataOp.EXACT, data[name]))
            elif spec.kind == Kind.YESNO:
                if data.get(name):
                    found.append(DataFilter(spec.key, DataOp.EXACT, data[name] == "yes"))
            else:
                bounds = ("from", "to") if spec.kind == Kind.DATE else ("min", "max")
                for bound, op in zip(bounds, (DataOp.AT_LEAST, DataOp.AT_MOST), strict=True):
                    value = data.get(f"{name}.{bound}")
                    if value is not None and f"{name}.{bound}" not in self.errors:
                        found.append(DataFilter(spec.key, op, _stored(spec, value)))
        return found

    def data_in_use(self) -> bool:
        """Whether the form's fields narrow or widen the list now: their box is then shown open
        (on a phone the list is not pushed below a screenful of unused filters)."""
        if not self.is_bound or not self.data_specs:
            return False
        names = {name for spec in self.data_specs for name in _data_fields(spec)} | {SHOW}
        return any(self.data.get(name) for name in names if not name.endswith(".how"))

    def columns(self) -> list[str]:
        """The chosen fields to show, in the form's order."""
        if not self.is_bound or SHOW not in self.fields:
            return []
        self.is_valid()
        chosen = set(self.cleaned_data.get(SHOW) or ())
        return [spec.key for spec in self.data_specs if spec.key in chosen]


SHOW = "show"


def _data_fields(spec: FieldSpec) -> dict[str, forms.Field]:
    """The filter inputs of one of the item's fields, named `f.<key>[.<part>]`: a key is
    lower-case letters, digits and underscores, so a dotted name never meets another field's."""
    name = f"f.{spec.key}"
    if spec.kind == Kind.TEXT:
        return {
            name: forms.CharField(label=spec.label, required=False, max_length=spec.max_length),
            f"{name}.how": forms.ChoiceField(
                label=_("how (方式)"),
                required=False,
                choices=[(DataOp.CONTAINS, _("contains (包含)")), (DataOp.EXACT, _("is exactly (等于)"))],
            ),
        }
    if spec.kind in (Kind.CHOICE, Kind.YESNO):
        if spec.kind == Kind.CHOICE:
            options = [(choice, choice) for choice in spec.choices]
        else:
            options = [("yes", _("Yes (是)")), ("no", _("No (否)"))]
        return {name: forms.ChoiceField(label=spec.label, required=False, choices=[("", _("Any (不限)"))] + options)}
    if spec.kind == Kind.DATE:
        return {
            f"{name}.from": forms.DateField(
                label=_("%(field)s from (从)") % {"field": spec.label},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            ),
            f"{name}.to": forms.DateField(
                label=_("up to (到)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
        }
    places = 2 if spec.kind == Kind.MONEY else None
    unit = _("yuan (元)") if spec.kind == Kind.MONEY else spec.unit
    label = f"{spec.label}（{unit}）" if unit else spec.label
    return {
        f"{name}.min": forms.DecimalField(
            label=_("%(field)s at least (最小)") % {"field": label},
            required=False,
            max_digits=16,
            decimal_places=places,
        ),
        f"{name}.max": forms.DecimalField(
            label=_("at most (最大)"), required=False, max_digits=16, decimal_places=places
        ),
    }


def _stored(spec: FieldSpec, value):
    """A bound as the data stores it: money in fen, a date as ISO text, a number as JSON has it."""
    if spec.kind == Kind.DATE:
        return value.isoformat()
    if spec.kind == Kind.MONEY:
        return int(value * 100)
    return int(value) if value == value.to_integral_value() else float(value)
