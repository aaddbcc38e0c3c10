"""The application form's data for the office: the readable summary on the application's page,
and the page where the handling clerk corrects one field (更正, with a written reason) or enters
an office field (核定, e.g. 月保障金额).

What the page shows is the masked data (`Application.item_data`): an ID or account number in an
input box shows its first and last digits only. Left as shown, it stands for the number already
kept (`_unmasked`), so correcting a household member's income never reveals, or asks the clerk to
retype, their ID number. The rules (who, when, the reason) are `services.item_data_correct`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from services_catalog.item_forms.schema import PARTS, RELATIONS, FieldSpec, FormSpec, Kind
from services_catalog.item_forms.values import NO, YES, flatten, input_label, inputs

from .. import item_data, selectors, services
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


# -- the inputs of one field ---------------------------------------------------------------------


@dataclass
class Input:
    name: str
    label: str
    value: str
    widget: str = "text"  # text, textarea, select
    options: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    heading: str = ""  # a group's row title, on the row's first input


def _options(spec: FieldSpec, part: str, places: dict[str, str]) -> list[tuple[str, str]] | None:
    choose = [("", _("Choose…"))]
    if spec.kind == Kind.PERSON and part == "relation":
        return choose + [(r, r) for r in RELATIONS]
    if spec.kind == Kind.ADDRESS and part == "region":
        return choose + list(places.items())
    if spec.kind == Kind.CHOICE:
        return choose + [(c, c) for c in spec.choices]
    if spec.kind == Kind.YESNO:
        return choose + [(YES, _("Yes")), (NO, _("No"))]
    return None


def _one(form: FormSpec, spec: FieldSpec, path: str, values, errors, places) -> list[Input]:
    out = []
    for name in inputs(spec, path):
        part = name.rsplit(".", 1)[-1] if spec.kind in PARTS else ""
        options = _options(spec, part, places)
        widget = "select" if options else ("textarea" if spec.multiline else "text")
        out.append(
            Input(
                name=name,
                label=input_label(form, name),
                value=values.get(name, ""),
                widget=widget,
                options=options or [],
                errors=errors.get(name, []),
            )
        )
    return out


def field_inputs(form: FormSpec, spec: FieldSpec, values, errors, places, *, rows: int) -> list[Input]:
    """The input boxes of one top-level field; a group shows `rows` rows (the stored ones and a
    spare one to add a member)."""
    if spec.kind != Kind.GROUP:
        return _one(form, spec, spec.key, values, errors, places)
    out = []
    for number in range(rows):
        row = [
            box
            for child in spec.fields
            for box in _one(form, child, f"{spec.key}.{number}.{child.key}", values, errors, places)
        ]
        if row:
            row[0].heading = f"{spec.label} {number + 1}"
        out.extend(row)
    return out


def _rows_sent(values, key: str) -> int:
    numbers = [
        int(name.split(".")[1])
        for name in values
        if name.startswith(f"{key}.") and name.split(".")[1].isdigit()
    ]
    return max(numbers) + 1 if numbers else 0


def _unmasked(form: FormSpec, application: Application, raw: dict[str, str]) -> dict[str, str]:
    """What was sent, with each masked number left as shown put back to the number kept."""
    shown = flatten(form, application.item_data or {})
    kept = flatten(form, item_data.full_data(application))
    return {
        name: kept.get(name, text) if "*" in text and shown.get(name) == text else text
        for name, text in raw.items()
    }


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
    stored = (application.item_data or {}).get(key)
    empty_before = stored in (None, "", [])
    step = CorrectionForm(
        request.POST or None,
        initial={"version": application.version},
        reason_required=not (spec.office_only and empty_before),
    )
    places = item_data.regions() if _needs_places(spec) else {}
    if request.method == "POST":
        values = {
            name: value for name, value in request.POST.items() if name == key or name.startswith(f"{key}.")
        }
    else:
        values = {
            name: value
            for name, value in flatten(form, application.item_data or {}).items()
            if name == key or name.startswith(f"{key}.")
        }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        status = 400
        if step.is_valid():
            try:
                parsed = services.item_data_correct(
                    actor=request.user,
                    application=application,
                    key=key,
                    raw=_unmasked(form, application, values),
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
                errors = parsed.errors
    rows = 0
    if spec.kind == Kind.GROUP:
        rows = max(len(stored) if isinstance(stored, list) else 0, _rows_sent(values, key)) + 1
    boxes = field_inputs(form, spec, values, errors, places, rows=rows)
    return render(
        request,
        "approvals/work_item_data.html",
        {
            "application": application,
            "spec": spec,
            "form": step,
            "inputs": boxes,
            "problems": [
                f"{input_label(form, name)}: {message}"
                for name, messages_ in errors.items()
                for message in messages_
            ],
            "back": detail,
            "masked": any("*" in box.value for box in boxes),
            "version_number": application.form_version.number if application.form_version else None,
        },
        status=status,
    )


urlpatterns = [
    path("<int:pk>/data/<slug:key>/", correct, name="item_data"),
]
