"""Forms for rating and for working bad ratings. They check the shape of what was typed; the
rules (who, when, how long) are in `ratings.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.offices.models import Office
from portal.web.forms import Form

from .models import Channel, Level, RatingAppeal, Reason, Rectification

LEVEL_CHOICES = [(level.value, level.label) for level in Level]


class RatingForm(Form):
    level = forms.TypedChoiceField(
        label=_("How was the service? (服务评价)"),
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five levels.")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("Why? Tick any that apply (optional)"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Anything else you want to say (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assistant_level = forms.TypedChoiceField(
        label=_("How did your village assistant help? (optional)"),
        choices=[("", _("Not rated"))] + LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class AssistedRatingForm(RatingForm):
    channel = forms.ChoiceField(
        label=_("How did the villager give it?"),
        choices=[
            (Channel.ASSISTANT.value, Channel.ASSISTANT.label),
            (Channel.PAPER.value, Channel.PAPER.label),
        ],
        initial=Channel.ASSISTANT.value,
        widget=forms.RadioSelect,
    )


class AnswerForm(Form):
    answer = forms.CharField(
        label=_("What was done about it (整改情况)"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class RevisitForm(Form):
    satisfied = forms.TypedChoiceField(
        label=_("Is the villager satisfied now? (回访结果)"),
        choices=[("yes", _("Yes, satisfied now")), ("no", _("No, still not satisfied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What the villager said (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealForm(Form):
    reason = forms.CharField(
        label=_("Why the rating is malicious or mistaken (申诉理由)"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AppealDecisionForm(Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (RatingAppeal.Outcome.UPHELD.value, RatingAppeal.Outcome.UPHELD.label),
            (RatingAppeal.Outcome.SET_ASIDE.value, RatingAppeal.Outcome.SET_ASIDE.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RulesForm(Form):
    rectification_days = forms.IntegerField(
        label=_("Working days to answer a bad rating"), min_value=1, max_value=60
    )
    change_window_hours = forms.IntegerField(
        label=_("Hours in which a villager may change a rating"), min_value=0, max_value=720
    )
    revisit_office = forms.ModelChoiceField(
        label=_("Office that calls villagers back (回访)"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("The county administrator"),
        help_text=_("Never the office that was rated: its own staff do not revisit their own case."),
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["revisit_office"].queryset = offices


class RectificationFilterForm(Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open (to rectify or revisit)"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Open (to rectify or revisit)"))] + list(
            Rectification.State.choices
        )
