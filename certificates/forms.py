"""Forms of the certificate's steps on the application's work page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.forms import VersionForm

from .models import HandOver


class HandOverForm(VersionForm):
    """送达: when and how the certificate reached the villager, and the proof of receipt.

    The proof is the villager's signature drawn on the assistant's phone (`signature`: a PNG data
    URL that static/certificates/signature.js writes into the hidden field) or, without
    JavaScript, a photo or scan of the receipt signed on paper (`photo`). The service checks both;
    the form only carries them, so its refusal is the service's, in the project's words."""

    on = forms.DateField(
        label=_("Handed over on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the day the villager received the paper."),
            "invalid": _("Enter the day as year-month-day, for example 2026-12-07."),
        },
    )
    how = forms.ChoiceField(
        label=_("How"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how the certificate reached the villager.")},
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=200)
    signature = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-signature-field": ""}))
    photo = forms.FileField(
        label=_("Or: a photo of the receipt the villager signed on paper"),
        required=False,
        allow_empty_file=True,  # the upload check says so in its own words
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["how"].choices = HandOver.choices
        self.fields["on"].initial = timezone.localdate()
        self.fields["how"].initial = HandOver.ASSISTANT
