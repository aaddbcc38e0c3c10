"""Forms for the ledger's pages. They only shape input; the rules are in `ledger.services`.

A form that fails keeps what was typed (Django re-renders bound fields); a photo cannot be sent
back by a browser, so the page says to choose it again.
"""

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.people.identity import normalise_mobile, validate_mobile
from portal.web.forms import Form
from portal.workdays.calendar import WorkCalendar, window_for_working_days
from portal.workdays.provisional import provisional_note, with_provisional_note

from .models import Helper, Kind
from .services import NEED_MAX_LENGTH, PROMISE_MAX_LENGTH, photo_check
from .states import State

DEFAULT_PROMISE_WORKING_DAYS = 5


class VersionForm(Form):
    """Every step form carries the version the page showed, so a step on a changed item is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PhotoField(forms.FileField):
    """An optional photo, checked by its bytes (JPEG or PNG); the cleaned value is a CheckedPhoto."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photo (optional)"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        return photo_check(uploaded)


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = normalise_mobile(super().clean(value))
        if value:
            validate_mobile(value)
        return value


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, village):
        return f"{village.parent.name} · {village.name}" if village.parent_id else village.name


class TokenField(forms.CharField):
    """The hidden token that makes a double-clicked submit register one item. A missing or
    mangled one is no reason to refuse a villager's form: it becomes None (no protection)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        try:
            return uuid.UUID(str(super().clean(value))[:64])
        except (ValueError, ValidationError):
            return None


class WishForm(Form):
    """The public form: a villager's own need or wish. Short on purpose (one screen)."""

    client_token = TokenField()
    name = forms.CharField(
        label=_("Your name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    mobile = MobileField(
        label=_("Your mobile number"), help_text=_("We text you the number of your request.")
    )
    village = VillageChoiceField(label=_("Your village"), queryset=None, empty_label=_("Choose your village"))
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=Kind.choices, initial=Kind.WISH, widget=forms.RadioSelect
    )
    need = forms.CharField(
        label=_("What is needed"),
        max_length=NEED_MAX_LENGTH,
        help_text=_("For example: the street lamp at the east end of the village is broken."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = PhotoField()

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class RegisterForm(WishForm):
    """The assistant's form: the same fields, for a villager of one of the assistant's villages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Villager's name")
        self.fields["mobile"].label = _("Villager's mobile")
        self.fields["mobile"].help_text = _("The villager gets the number by text message.")
        self.fields["village"].empty_label = None


class CommentForm(VersionForm):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequiredCommentForm(VersionForm):
    comment = forms.CharField(label=_("Comment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(VersionForm):
    comment = forms.CharField(
        label=_("What has been done so far"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = PhotoField()


class DoneForm(CommentForm):
    photo = PhotoField(label=_("Photo of the result (optional)"))


class NotDoneForm(VersionForm):
    comment = forms.CharField(
        label=_("What the villager says is still not done"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CancelForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason (不属实, 重复登记, 不属于办理范围 …)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _default_promise_date() -> tuple[datetime.date, str]:
    """The suggested date, DEFAULT_PROMISE_WORKING_DAYS working days from today, and the note
    that says it is provisional when those days run through a year without a confirmed calendar."""
    today = timezone.localdate()
    calendar = WorkCalendar.for_range(
        first=today, last=today + window_for_working_days(DEFAULT_PROMISE_WORKING_DAYS)
    )
    suggested = calendar.add_working_days(today, DEFAULT_PROMISE_WORKING_DAYS)
    return suggested, provisional_note(calendar.unconfirmed_years(today, suggested))


class PromiseForm(VersionForm):
    promise = forms.CharField(
        label=_("What is promised (shown on the public list)"),
        max_length=PROMISE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    promised_on = forms.DateField(
        label=_("Promised date (承诺时限)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    helper = forms.ChoiceField(label=_("Who carries it out"), widget=forms.RadioSelect)
    helper_name = forms.CharField(
        label=_("Name of the volunteer or organisation"),
        required=False,
        max_length=60,
        help_text=_("A volunteer's name is masked on the public list; an organisation's is shown."),
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=1000)

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        suggested, note = _default_promise_date()
        self.fields["promised_on"].initial = suggested
        self.fields["promised_on"].help_text = with_provisional_note(
            _("Suggested: %(days)s working days from today.") % {"days": DEFAULT_PROMISE_WORKING_DAYS}, note
        )
        if item is not None and item.state == State.IN_PROGRESS:
            self.fields["promise"].initial = item.promise
            self.fields["promised_on"].initial = item.promised_on

    def clean(self):
        data = super().clean()
        if (
            data.get("helper") in (Helper.VOLUNTEER, Helper.ORGANISATION)
            and not data.get("helper_name", "").strip()
        ):
            self.add_error("helper_name", _("Name the volunteer or the organisation."))
        return data


class ClaimForm(PromiseForm):
    """认领: for yourself, or recording a volunteer's or organisation's claim by name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].choices = [
            (Helper.STAFF, _("I do it myself")),
            (Helper.VOLUNTEER, Helper.VOLUNTEER.label),
            (Helper.ORGANISATION, Helper.ORGANISATION.label),
        ]
        self.fields["helper"].initial = Helper.STAFF


class AssignForm(PromiseForm):
    """交办: to a staff member of the township, or to a named volunteer or organisation."""

    to = forms.ModelChoiceField(label=_("Staff member"), queryset=None, required=False, empty_label=_("—"))
    field_order = ["to", "helper", "helper_name", "promise", "promised_on", "comment"]

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = staff
        self.fields["to"].label_from_instance = lambda user: user.get_full_name()
        self.fields["helper"].choices = list(Helper.choices)
        self.fields["helper"].initial = Helper.STAFF
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        if data.get("helper") == Helper.STAFF and not data.get("to"):
            self.add_error("to", _("Choose the staff member, or name a volunteer or organisation."))
        return data


class VillagerAnswerForm(Form):
    """The villager's answer on the public page."""

    answer = forms.ChoiceField(choices=[("done", "done"), ("not_done", "not_done")])
    comment = forms.CharField(
        label=_("What is still not done? (needed if it is not done)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "not_done" and not data.get("comment", "").strip():
            self.add_error("comment", _("Tell us what is still not done, so it can be put right."))
        return data


class LookupForm(Form):
    number = forms.CharField(label=_("Request number"), max_length=40)
    last4 = forms.CharField(label=_("Last 4 digits of the mobile"), max_length=12)

    def clean_last4(self) -> str:
        value = "".join((self.cleaned_data["last4"] or "").split())
        if len(value) != 4 or not value.isdigit():
            raise ValidationError(_("Enter the last 4 digits of the mobile: 4 digits."))
        return value


STATE_FILTER_CHOICES = [("", _("Open (not closed)")), *State.choices, ("all", _("Everything"))]


class ListFilterForm(Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_FILTER_CHOICES)
    village = forms.TypedChoiceField(label=_("Village"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Number or name"), required=False, max_length=40)
    overdue = forms.BooleanField(label=_("Only overdue (逾期)"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("All villages"))] + [
            (village.pk, f"{village.parent.name} · {village.name}") for village in villages
        ]
