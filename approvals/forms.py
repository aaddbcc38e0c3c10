"""Forms for the clerk's and supervisor's steps. They only shape input: the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import Form

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

    def __init__(self, *args, items=(), drafts: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        open_states = [State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.REVIEWED, State.FORWARDED]
        if drafts:  # the station's list also holds its drafts
            open_states.insert(0, State.DRAFT)
        self.fields["state"].choices = [("", _("All open work"))] + [(s.value, s.label) for s in open_states]
        self.fields["item"].choices = [("", _("All items"))] + [(i.pk, i.title) for i in items]
