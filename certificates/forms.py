"""Forms of the certificate's steps on the application's work page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.forms import VersionForm

from .models import HandOver


class HandOverForm(VersionForm):
    """送达: when and how the certificate reached the villager."""

    on = forms.DateField(label=_("Handed over on"), widget=forms.DateInput(attrs={"type": "date"}))
    how = forms.ChoiceField(label=_("How"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["how"].choices = HandOver.choices
        self.fields["on"].initial = timezone.localdate()
