"""Forms of the assistant's filing pages (农事村办): pick an item, then one form for the draft.

The draft form only checks what a form can check by itself (the ID number's parts, the mobile,
which villager fields belong together). Registering the villager, storing each file and
submitting are the services' work; the view adds their refusals next to the fields here.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.people.identity import check_id_number, normalise_mobile, validate_mobile
from portal.people.models import Resident
from portal.places.models import Region

from .models import ApplicationFile

ACCEPTED_TYPES = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
CONSENT_FIELD = "consent"
VILLAGER_FIELDS = ("name", "id_number", "mobile")


class ItemSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find an item"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 低保, 宅基地")}),
    )


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class ResidentChoiceField(forms.ModelChoiceField):
    """Registered villagers, shown with the masked ID number only."""

    def __init__(self, *args, show_village: bool = False, **kwargs):
        self.show_village = show_village
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Resident) -> str:
        label = f"{obj.name} · {obj.id_number_masked}"
        return f"{label} · {obj.village.name}" if self.show_village else label


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once for one material (每人一份: each household member's ID card); the
    cleaned value is a list, empty when nothing was chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_TYPES, "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def answer_field(line) -> str:
    return f"answer_{line.pk}"


def line_field(line) -> str:
    return f"line_{line.pk}"


class FilingForm(forms.Form):
    """The draft of one application: where, who, what they ask, and one upload per material.

    `materials` is the item's checklist in order; each gets a file field `material_<pk>`.
    `villages` are the villages the assistant files for: with more than one, a `village` choice.
    `editable_villager` is False after a return (补正): only files may change then.
    `notice_lines`: the lines of the one-time notice it was returned under; each gets a written
    answer `answer_<pk>`, and a line naming no checklist material (其他材料) its own upload slot
    `line_<pk>`.
    """

    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        materials,
        villages,
        residents=None,
        editable_villager: bool = True,
        choose_village: bool = False,
        notice_lines=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        self.notice_lines = list(notice_lines)
        self.editable_villager = editable_villager
        if choose_village:
            self.fields["village"] = VillageChoiceField(
                label=_("Village (村/社区)"),
                queryset=villages,
                required=False,
                empty_label=_("— choose the village —"),
            )
        if editable_villager:
            self.fields["resident"] = ResidentChoiceField(
                label=_("A villager already registered"),
                queryset=residents if residents is not None else Resident.objects.none(),
                required=False,
                empty_label=_("— a new villager (type below) —"),
                show_village=choose_village,
            )
            self.fields["name"] = forms.CharField(
                label=_("Name (姓名)"),
                required=False,
                max_length=50,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields["id_number"] = forms.CharField(
                label=_("Resident ID number (公民身份号码)"),
                required=False,
                max_length=30,
                help_text=_("18 characters, as printed on the ID card; the last may be X."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            )
            self.fields["mobile"] = forms.CharField(
                label=_("Mobile (手机号码)"),
                required=False,
                max_length=20,
                help_text=_("The villager's own phone: the text messages about the application go there."),
                widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}),
            )
            self.fields["request_note"] = forms.CharField(
                label=_("What the villager asks for"),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for material in self.materials:
            self.fields[self.material_field(material)] = MultipleFileField(
                label=material.name, required=False
            )
        for line in self.notice_lines:
            if line.material_id is None:
                self.fields[line_field(line)] = MultipleFileField(label=line.material_name, required=False)
            self.fields[answer_field(line)] = forms.CharField(
                label=_("Or write why no new file is needed (书面说明)"),
                required=False,
                max_length=300,
                initial=line.answer,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields[CONSENT_FIELD] = forms.FileField(
            label=_("Signed authorisation (授权委托书)"),
            required=False,
            help_text=_("The form the villager signed to let you file for them, or a clear photo of it."),
            widget=forms.FileInput(attrs={"accept": ACCEPTED_TYPES}),
        )

    @staticmethod
    def material_field(material) -> str:
        return f"material_{material.pk}"

    def uploads(self):
        """(field name, file kind, material, notice line) for every file input, in the order shown."""
        for material in self.materials:
            yield self.material_field(material), ApplicationFile.Kind.MATERIAL, material, None
        for line in self.notice_lines:
            if line.material_id is None:
                yield line_field(line), ApplicationFile.Kind.MATERIAL, None, line
        yield CONSENT_FIELD, ApplicationFile.Kind.CONSENT, None, None

    def answers(self):
        """(notice line, the answer typed) for every line whose answer was sent, passed and changed
        (a form without the field, an older page, leaves the answer as it is)."""
        for line in self.notice_lines:
            name = answer_field(line)
            if name in self.errors or name not in self.cleaned_data or self.add_prefix(name) not in self.data:
                continue
            typed = " ".join(self.cleaned_data[name].split())
            if typed != line.answer:
                yield line, typed

    def removals(self, stored_pks) -> list[int]:
        """The stored files ticked "remove"; a file no longer stored (a resent form) is skipped."""
        ticked = {int(value) for value in self.data.getlist("remove") if str(value).isdigit()}
        return [pk for pk in stored_pks if pk in ticked]

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "").strip()
        if value:
            value = check_id_number(value).number  # raises, naming the wrong part
        return value

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "").strip()
        if value:
            validate_mobile(value)
            value = normalise_mobile(value)
        return value

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data.get("name", "").split())

    def clean(self):
        data = super().clean()
        if not self.editable_villager:
            return data
        typed = [field for field in VILLAGER_FIELDS if self.data.get(self.add_prefix(field), "").strip()]
        if typed:
            missing = {
                "name": _("Enter the villager's name as on the ID card."),
                "id_number": _("Enter the villager's resident ID number too."),
                "mobile": _("Enter the villager's mobile too."),
            }
            for field in VILLAGER_FIELDS:
                if field not in typed:
                    self.add_error(field, ValidationError(missing[field], code="required"))
        return data

    @property
    def villager_typed(self) -> bool:
        """All three villager fields were typed and passed the form's own checks."""
        if not self.editable_villager:
            return False
        return all(self.cleaned_data.get(field) and field not in self.errors for field in VILLAGER_FIELDS)
