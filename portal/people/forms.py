from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from portal.web.forms import ClearMessagesMixin, Form


class StaffLoginForm(ClearMessagesMixin, AuthenticationForm):
    """Username or mobile, and password. One message for every failure, so the form never
    tells a stranger whether an account exists."""

    username = forms.CharField(
        label=_("Username or mobile"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    error_messages = {
        "invalid_login": _(
            "The username or mobile and the password do not match. Please try again; after "
            "%(limit)s failed tries the account is locked for %(minutes)s minutes."
        ),
        "inactive": _("This account is disabled. Please ask your administrator."),
    }

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        )


class OTPTokenForm(Form):
    """The six digits an authenticator app shows."""

    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class PasswordResetRequestForm(Form):
    """Username or e-mail: the answer never says whether an account matched."""

    handle = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )


class ContactChangeForm(Form):
    """The owner's own e-mail and mobile; a change waits for the owner to confirm the new one."""

    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    mobile = forms.CharField(
        label=_("Mobile"), required=False, max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )


class ContactCodeForm(Form):
    """The six digits texted to the new mobile."""

    code = forms.RegexField(
        label=_("Code from the text message"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits of the text message.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecondFactorResetForm(Form):
    """Why an administrator removes a colleague's authenticator app (kept in the audit log)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: phone lost, reported by telephone on 7 December."),
    )
