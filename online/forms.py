"""The forms of 网办: the assistant's "send a link" form and the villager's small forms (a code,
one file, the signature). Rules live in `online.services`; these only carry input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import Form

from .models import Consent

CAMERA_ATTRS = {
    # The page renders the input through files/_phone_photo_input.html (the phone-side scaling
    # and the retry); these hold where a form is rendered whole.
    "accept": "image/*,application/pdf",
    "capture": "environment",
}


class SendLinkForm(Form):
    mobile = forms.CharField(
        label=_("Send to mobile"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Leave empty for the mobile on file; type another if the villager uses another number."),
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials to upload"), required=False, widget=forms.CheckboxSelectMultiple
    )
    answers = forms.MultipleChoiceField(
        label=_("Answers to fill in"), required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label=_("Sign the authorisation (授权委托书)"), required=False, initial=True)
    note = forms.CharField(
        label=_("Note to the villager (what to redo, what to look for)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
    )

    def __init__(self, *args, materials=(), fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(str(m.pk), m.name) for m in materials]
        self.fields["answers"].choices = [(key, label) for key, label in fields]


class CodeForm(Form):
    code = forms.CharField(
        label=_("6-digit code from the text message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*", "size": 8}
        ),
    )


class UploadForm(Form):
    file = forms.FileField(label=_("Photo or PDF"), widget=forms.ClearableFileInput(attrs=CAMERA_ATTRS))


class SignForm(Form):
    name = forms.CharField(label=_("Your name, as on your ID card"), max_length=50)
    method = forms.ChoiceField(choices=Consent.Method.choices, widget=forms.HiddenInput, initial="typed")
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code from the text message (without the signature box)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}),
    )
