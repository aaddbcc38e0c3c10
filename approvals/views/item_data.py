"""The application form's data for the office: the readable summary on the application's page,
and the page where the handling clerk corrects one field (更正, with a written reason) or enters
an office field (核定, e.g. 月保障金额).

What the page shows is the masked data (`Application.item_data`): an ID or account number in an
input box shows its first and last digits only. Left as shown, it stands for the number already
kept (`item_data.unmask_sent`), so correcting a household member's income never reveals, or asks the clerk to
retype, their ID number. The rules (who, when, the reason) are `services.item_data_correct`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.errors import DomainError
from portal.web.forms import Form
from services_catalog.item_forms.display import summary
from services_catalog.item_forms.schema import FieldSpec, FormSpec, Kind
from services_catalog.item_forms.values import flatten

from .. import item_data, selectors, services
from ..forms_item_data import ItemDataForm, raw_input
from ..models import Application
from ..policies import may_act_as
from ..states import Who

# -- the summary on the application's page -------------------------------------------------------


def _needs_places(spec: FieldSpec) -> bool:
    return spec.kind == Kind.ADDRESS or any(child.kind == Kind.ADDRESS for child in spec.fields)


def _places(form: FormSpec) -> dict[str, str]:
    """The villages by code, read only when the form has an address (one query)."""
    return item_data.regions() if any(_needs_places(spec) for spec in form.fields()) else {}


@dataclass(frozen=True)
class SummaryRow:
    label: str
    text: str
    office_only: bool
    link: str  # the correction page, on the field's first row, for whoever may use it


def form_summary(user, application: Application) -> dict[str, Any] | None:
    """What the application's page shows of its form: the version it was filed under and each
    section's answers (masked), with a link to correct (更正) or enter (核定) a field for the
    clerk who may. None when the application answers no form."""
    form = item_data.form_of(application)
    if form.is_empty:
        return None
    correctable = services.item_data_correctable_by(user, application)
    sections = []
    for section in summary(form, application.item_data or {}, regions=_places(form)):
        rows, linked = [], set()
        for row in section.rows:
            spec = form.field(row.key)
            office_only = bool(spec and spec.office_only)
            link = ""
            if correctable and row.key not in linked:
                link = reverse("approvals:item_data", args=[application.pk, row.key])
                linked.add(row.key)
            rows.append(SummaryRow(row.label, row.text, office_only, link))
        sections.append({"title": section.title, "rows": rows})
    version = application.form_version
    return {"number": version.number if version else None, "sections": sections}


# -- the correction page -------------------------------------------------------------------------


class CorrectionForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label=gettext_lazy("Why it is changed (更正理由)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the history, with the value before and after."),
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


def _open(request, pk: int, key: str) -> tuple[Application, FormSpec, FieldSpec]:
    """The application and field, for its handler only: 404 for anyone else, as for the
    revealed ID number (an application one may not see is not admitted to exist)."""
    try:
        application = selectors.application_detail_for(request.user, pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if not may_act_as(request.user, application, Who.HANDLER):
        raise Http404
    form = item_data.form_of(application)
    spec = form.field(key)
    if spec is None:
        raise Http404
    return application, form, spec


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def correct(request, pk: int, key: str):
    application, form, spec = _open(request, pk, key)
    detail = reverse("approvals:detail", args=[pk])
    if not services.item_data_correctable_by(request.user, application):
        messages.error(
            request,
            _("The form of application %(ref)s can no longer be changed: it is “%(state)s”.")
            % {"ref": application.reference, "state": application.get_state_display()},
        )
        return redirect(detail)
    stored = application.item_data or {}
    posted = request.POST if request.method == "POST" else None
    step = CorrectionForm(
        posted,
        initial={"version": application.version},
        reason_required=not (spec.office_only and stored.get(key) in (None, "", [])),
    )
    shown = flatten(form, stored)  # masked, as every page shows the data
    data_form = ItemDataForm(
        posted, spec=form, regions=_places(form), stored=stored, keys={key}, initial_flat=shown
    )
    status = 200
    if posted is not None and "add_row" not in posted:  # "add another row" only shows one more
        status = 400
        if step.is_valid():
            sent = {
                name: text
                for name, text in raw_input(posted).items()
                if name == key or name.startswith(f"{key}.")
            }
            try:
                parsed = services.item_data_correct(
                    actor=request.user,
                    application=application,
                    key=key,
                    raw=item_data.unmask_sent(form, application, sent),
                    reason=step.cleaned_data["reason"],
                    expected_version=step.cleaned_data["version"],
                )
            except DomainError as error:
                messages.error(request, str(error))
            else:
                if not parsed.errors:
                    messages.success(
                        request,
                        (
                            _("“%(field)s” is entered (核定); the history keeps it.")
                            if spec.office_only
                            else _("“%(field)s” is corrected; the history keeps the reason.")
                        )
                        % {"field": spec.label},
                    )
                    return redirect(detail)
                data_form.add_refusals(parsed.errors)
    return render(
        request,
        "approvals/work_item_data.html",
        {
            "application": application,
            "spec": spec,
            "form": step,
            "data_form": data_form,
            "back": detail,
            "masked": any("*" in text for name, text in shown.items() if name.startswith(f"{key}.")),
            "version_number": application.form_version.number if application.form_version else None,
        },
        status=status,
    )


urlpatterns = [
    path("<int:pk>/data/<slug:key>/", correct, name="item_data"),
]
