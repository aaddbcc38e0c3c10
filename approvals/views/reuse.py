"""免提交: reuse, with the villager's consent, what they handed in for an earlier application.

<pk>/reuse/ lists the villager's earlier material files (居民身份证, 户口簿 …) that match the
item's checklist and, on a draft, earlier answers to fields of its form (a bank account, a
household member …), one checkbox each, with the consent checkbox and how the villager agreed.
One button reuses the ticked ones (`services.material_reuse`, `services.fact_reuse`) and goes
back to the form. What is offered is `selectors.reuse_offers`; a ticked value that is not among
the offers (any more) is refused like any unknown choice, so nothing about it is told.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.errors import DomainError
from portal.people.models import User

from .. import policies, selectors, services
from ..models import Application
from ..policies import application_policy
from ..states import State

EDITABLE_STATES = (State.DRAFT, State.RETURNED)


def _own(user: User, pk: int) -> Application:
    """An application the user may file for (its station's assistant), or 404."""
    try:
        application = selectors.application_detail_for(user, pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if not application_policy.user_has_permission_for_instance(user, policies.FILE, application):
        raise Http404
    return application


def _file_label(offer: selectors.FileOffer) -> str:
    return _("%(material)s: %(file)s, handed in for %(ref)s on %(date)s") % {
        "material": offer.material.name,
        "file": offer.source.display_name,
        "ref": offer.source.application.reference,
        "date": f"{offer.given_on:%Y-%m-%d}",
    }


def _fact_label(offer: selectors.FactOffer) -> str:
    return _("%(field)s: %(value)s, given for %(ref)s on %(date)s") % {
        "field": offer.label,
        "value": offer.text,
        "ref": offer.source.reference,
        "date": f"{offer.given_on:%Y-%m-%d}",
    }


class ReuseForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label=gettext_lazy("Earlier materials (以前提交的材料)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    answers = forms.MultipleChoiceField(
        label=gettext_lazy("Earlier answers (以前填写的信息)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=gettext_lazy("The villager agrees to using what they handed in before"), required=False
    )
    consent_note = forms.CharField(
        label=gettext_lazy("How the villager agreed"),
        help_text=gettext_lazy("Kept in the history. For example: 村民当面口头同意, or 村民签字同意."),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, offers: selectors.ReuseOffers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = offers
        self.fields["materials"].choices = [(str(o.source.pk), _file_label(o)) for o in offers.files]
        self.fields["answers"].choices = [(o.token, _fact_label(o)) for o in offers.facts]
        if not offers.files:
            del self.fields["materials"]
        if not offers.facts:
            del self.fields["answers"]

    def clean(self):
        data = super().clean()
        if not data.get("materials") and not data.get("answers") and not self.errors:
            raise forms.ValidationError(_("Tick what the villager agrees to reuse."))
        if not data.get("consent"):
            self.add_error(
                "consent",
                _("Ask the villager first: nothing is reused without their consent (村民同意)."),
            )
        return data

    def chosen(self) -> tuple[list[selectors.FileOffer], list[selectors.FactOffer]]:
        files = set(self.cleaned_data.get("materials") or ())
        facts = set(self.cleaned_data.get("answers") or ())
        return (
            [o for o in self.offers.files if str(o.source.pk) in files],
            [o for o in self.offers.facts if o.token in facts],
        )

    def consent_text(self) -> str:
        """What the history keeps of the consent: the typed note, else "agreed in person"."""
        return self.cleaned_data.get("consent_note", "").strip() or _default_note()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reuse(request, pk: int):
    """The list of what can be reused and the consent; one button reuses the ticked ones."""
    application = _own(request.user, pk)
    if application.state not in EDITABLE_STATES:
        return redirect("approvals:detail", application.pk)
    offers = selectors.reuse_offers(request.user, application)
    form = ReuseForm(request.POST or None, offers=offers, initial={"consent_note": _default_note()})
    if request.method == "POST" and form.is_valid():
        files, facts = form.chosen()
        note = form.consent_text()
        done, refused = 0, []
        for offer in files:
            try:
                services.material_reuse(
                    actor=request.user, application=application, source_file=offer.source, consent_note=note
                )
                done += 1
            except DomainError as error:
                refused.append(f"{offer.material.name}: {error}")
        for fact in facts:
            try:
                services.fact_reuse(
                    actor=request.user,
                    application=application,
                    source_application=fact.source,
                    key=fact.key,
                    consent_note=note,
                )
                done += 1
            except DomainError as error:
                refused.append(f"{fact.label}: {error}")
        for message in refused:
            messages.error(request, message)
        if done:
            messages.success(
                request,
                _("%(count)s earlier materials or answers were reused with the villager's consent (免提交).")
                % {"count": done},
            )
        return redirect("approvals:edit", application.pk)
    context = {"application": application, "form": form, "offers": offers}
    return render(request, "approvals/reuse.html", context)


def _default_note() -> str:
    return _("Agreed in person, by word of mouth")


urlpatterns = [
    path("<int:pk>/reuse/", reuse, name="reuse"),
]
