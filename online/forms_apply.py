"""The villager's forms to apply online (网上申请): who, the texted code, the village. Rules live
in `online.apply`; these only carry input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import Form


class ApplicantForm(Form):
    name = forms.CharField(
        label=_("Your name, as on your ID card"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        help_text=_(
            "We text a 6-digit code to it. Your village assistant calls this number about the application."
        ),
    )


class ApplyCodeForm(Form):
    code = forms.CharField(
        label=_("6-digit code from the text message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*", "size": 8}
        ),
    )


class VillageForm(Form):
    village = forms.TypedChoiceField(label=_("Your village"), coerce=int)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[int, str]]] = {}
        for village in villages:
            groups.setdefault(village.parent.name if village.parent else "", []).append(
                (village.pk, village.name)
            )
        self.fields["village"].choices = [("", _("Choose…")), *groups.items()]
