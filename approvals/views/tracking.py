"""The villager's public tracking pages (查询办件进度), "like tracking a parcel": no login.

The form asks for the application number and the last 4 digits of the villager's ID number or
mobile; `approvals.tracking.tracking_lookup` checks them and limits guessing. A match is
remembered in the session (`approvals.tracking_session`: this browser may see these applications), and the detail page shows
only what the villager needs: where it is, by when, whom to call, what is owed, and the history
in plain words. Never a staff member's name, never more of the villager than a masked name,
ID number and mobile. Both pages are `never_cache` (private, no-store): they carry a CSRF token
or personal data, and the public page cache covers /guide/ only.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from certificates import selectors as certificate_selectors
from certificates.printing import certificate_pdf
from portal.offices.selectors import station_contact
from portal.people.identity import mask_name
from portal.printing.responses import pdf_response
from portal.throttle.client_address import client_address
from portal.web.forms import Form
from ratings.panels import rating_panel

from .. import deadlines, selectors
from ..decision_papers import paper_links
from ..models import Application, ApplicationEvent, Notice
from ..states import CLOCK_STATES, Act, State
from ..tracking import (
    CODE_DIGITS,
    TrackingRefused,
    code_sent_answer,
    contains_id_number,
    id_number_refusal,
    normalise_last4,
    normalise_number,
    tracking_code_open,
    tracking_code_send,
    tracking_lookup,
    tracking_notes,
)
from ..tracking_session import allow, browser_value, remember_qr, to_tracking_form, tracked_application

HIDDEN_ACTS = frozenset({Act.CREATE, Act.ASSIGN, Act.REASSIGN, Act.UNLOCK_TRACKING})
"""Bookkeeping the villager does not need (and which would name staff)."""


class TrackingForm(Form):
    number = forms.CharField(label=gettext_lazy("Application number"), max_length=60)
    last4 = forms.CharField(label=gettext_lazy("Last 4 digits of the ID number or mobile"), max_length=12)

    def clean_number(self) -> str:
        value = self.cleaned_data["number"]
        if contains_id_number(value):
            raise forms.ValidationError(id_number_refusal(), code="id_number")
        return value

    def clean_last4(self) -> str:
        value = normalise_last4(self.cleaned_data["last4"])
        if len(value) != 4:
            raise forms.ValidationError(
                _("Enter exactly 4 characters: the last 4 of the ID number or mobile.")
            )
        return value


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tracking_form(request):
    refused = ""
    if request.method == "POST":
        form = TrackingForm(request.POST)
        if form.is_valid():
            try:
                application = tracking_lookup(
                    number=form.cleaned_data["number"],
                    last4=form.cleaned_data["last4"],
                    address=client_address(request),
                )
            except TrackingRefused as refusal:
                refused = str(refusal)
            else:
                allow(request.session, application.pk)
                if request.POST.get("via") == "qr":
                    remember_qr(request.session, application.pk)
                return redirect("tracking:detail", number=application.number)
        return _form_page(
            request,
            form,
            number=request.POST.get("number", "")[:60],
            refused=refused,
            via=request.POST.get("via"),
        )
    number = request.GET.get("number", "")[:60]
    if contains_id_number(number):
        return redirect("tracking:form")  # an ID number in the address bar: take it out
    return _form_page(request, TrackingForm(), number=number, via=request.GET.get("via"))


def _form_page(request, form, *, number: str, refused: str = "", via: str | None = None):
    """The digits are never sent back, and the number only when it holds no ID number."""
    if contains_id_number(number):
        number = ""
    context = {"form": form, "number": number, "refused": refused, "via_qr": via == "qr"}
    return render(request, "approvals/track_form.html", context)


# -- a code by text message ----------------------------------------------------------------------


class CodeRequestForm(Form):
    number = forms.CharField(label=gettext_lazy("Application number"), max_length=60)

    def clean_number(self) -> str:
        value = self.cleaned_data["number"]
        if contains_id_number(value):
            raise forms.ValidationError(id_number_refusal(), code="id_number")
        return value


class CodeEntryForm(CodeRequestForm):
    code = forms.CharField(label=gettext_lazy("Code from the text message"), max_length=20)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tracking_code(request):
    """Ask for a code by text message to the mobile on file. The answer is the same whether or
    not an application has the number: it tells nobody which numbers exist."""
    sent, refused = "", ""
    number = request.GET.get("number", "")[:60]
    if request.method == "POST":
        form = CodeRequestForm(request.POST)
        number = request.POST.get("number", "")[:60]
        if form.is_valid():
            try:
                tracking_code_send(
                    number=form.cleaned_data["number"],
                    address=client_address(request),
                    browser=browser_value(request.session),
                )
            except TrackingRefused as refusal:
                refused = str(refusal)
            else:
                sent = code_sent_answer()
    else:
        form = CodeRequestForm()
    return _code_page(request, form, CodeEntryForm(), number=number, sent=sent, refused=refused)


@never_cache
@require_http_methods(["POST"])
def tracking_code_enter(request):
    """The code from the text message opens the page in this browser, even while guessing by
    number and 4 digits is paused for the number."""
    form = CodeEntryForm(request.POST)
    number = request.POST.get("number", "")[:60]
    refused = ""
    if form.is_valid():
        try:
            application = tracking_code_open(
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
                browser=browser_value(request.session),
            )
        except TrackingRefused as refusal:
            refused = str(refusal)
        else:
            allow(request.session, application.pk)
            return redirect("tracking:detail", number=application.number)
    return _code_page(request, CodeRequestForm(), form, number=number, sent="", refused=refused)


def _code_page(request, form, entry, *, number: str, sent: str, refused: str):
    if contains_id_number(number):
        number = ""
    context = {
        "form": form,
        "entry": entry,
        "number": number,
        "sent": sent,
        "refused": refused,
        "code_digits": CODE_DIGITS,
        "send_url": reverse("tracking:code"),
        "enter_url": reverse("tracking:code_enter"),
        "back_url": reverse("tracking:form"),
    }
    return render(request, "approvals/track_code.html", context)


# -- the detail page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the villager's history."""

    at: datetime.datetime
    text: str


def _day(value) -> str:
    """A date (or an ISO date from an event's data) as the page's language writes it."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value) if value else "-"


def _office(event: ApplicationEvent, application: Application) -> str:
    office = event.actor_office or application.current_office
    return office.short_name if office is not None else _("The centre")


def _handler_name(application: Application) -> str:
    """The office that handles the application now (the county department after a revoked
    delegation, not always the township centre), as the villager's pages name it."""
    office = application.current_office or application.handling_office
    return (office.short_name or office.name) if office is not None else _("The centre")


def _changed_fields(data: dict) -> str:
    return "、".join(change.get("field", "") for change in data.get("changes", []) if change.get("field"))


def _step_text(event: ApplicationEvent, application: Application) -> str | None:
    """The event in the villager's words: offices and roles, never a staff member's name."""
    data = event.data or {}
    office = _office(event, application)
    texts = {
        Act.SUBMIT: lambda: (
            _("Your village assistant submitted the application to %(office)s.")
            % {"office": data.get("office") or office}
        ),
        Act.RESUBMIT: lambda: _resubmit_text(data, _handler_name(application)),
        Act.SECOND_RETURN: lambda: (
            _(
                "%(office)s returned the application a second time (再次退回) with a new one-time notice "
                "of what is needed."
            )
            % {"office": office}
        ),
        Act.ACCEPT: lambda: (
            _("%(office)s accepted the application (受理). Promised by %(date)s.")
            % {"office": office, "date": _day(data.get("due_on"))}
        ),
        Act.ACCEPT_WITH_PROMISE: lambda: (
            _(
                "%(office)s accepted the application with some materials to follow (容缺受理). Promised by %(date)s."
            )
            % {"office": office, "date": _day(data.get("due_on"))}
        ),
        Act.DEEM_ACCEPTED: lambda: (
            _(
                "Not answered within %(days)s working days, so it counts as accepted (视为受理). Promised by %(date)s."
            )
            % {"days": deadlines.ACCEPTANCE_WINDOW_DAYS, "date": _day(data.get("due_on"))}
        ),
        Act.RETURN: lambda: (
            _("%(office)s returned the application with a one-time notice (一次性告知) of what is needed.")
            % {"office": office}
        ),
        Act.SUPPLY: lambda: (
            _("Your village assistant handed in a promised material: %(material)s.")
            % {"material": data.get("material", "")}
        ),
        # The form's changes name their fields only: the values (incomes, members) stay off a
        # page opened by a number and a code.
        Act.DATA_SUPPLEMENTED: lambda: (
            _("Your village assistant supplemented the application form: %(fields)s.")
            % {"fields": _changed_fields(data)}
        ),
        Act.DATA_CORRECTED: lambda: (
            _("%(office)s corrected the application form: %(fields)s. Ask your village assistant why.")
            % {"office": office, "fields": _changed_fields(data)}
        ),
        Act.DATA_ASSESSED: lambda: (
            _("%(office)s entered %(fields)s (核定).") % {"office": office, "fields": _changed_fields(data)}
        ),
        Act.PAUSE: lambda: (
            _("%(procedure)s started. Its days do not count towards the time limit.")
            % {"procedure": data.get("procedure", "")}
        ),
        Act.RESUME: lambda: (
            _("%(procedure)s ended. Promised by %(date)s.")
            % {"procedure": data.get("procedure", ""), "date": _day(data.get("due_on"))}
        ),
        Act.REVIEW: lambda: (
            _("%(office)s reviewed the application and sent it for approval (审批).") % {"office": office}
        ),
        Act.SEND_BACK: lambda: _("%(office)s is checking the application again.") % {"office": office},
        Act.FORWARD: lambda: (
            _("%(office)s passed the application to %(to)s (上报), which decides it.")
            % {"office": office, "to": data.get("to", "")}
        ),
        Act.APPROVE: lambda: _("%(office)s approved the application (准予).") % {"office": office},
        Act.REJECT: lambda: _("%(office)s did not approve the application (不予).") % {"office": office},
        Act.WITHDRAW: lambda: _("The application was withdrawn (撤回)."),
        Act.TERMINATE: lambda: _(
            "The application was ended (终止): promised materials were not handed in on time."
        ),
        Act.ISSUE_CERTIFICATE: lambda: (
            _("%(office)s issued the certificate %(serial)s (出证).")
            % {"office": office, "serial": data.get("serial", "")}
        ),
        Act.REVOKE_CERTIFICATE: lambda: (
            _("Certificate %(serial)s was revoked (撤销).") % {"serial": data.get("serial", "")}
        ),
        Act.HAND_OVER: lambda: (
            _("The certificate %(serial)s was handed to the villager on %(date)s (送达).")
            % {"serial": data.get("serial", ""), "date": _day(data.get("on"))}
        ),
        Act.DEADLINE_MOVED: lambda: (
            _("The holiday calendar changed, so the date moved to %(date)s.")
            % {"date": _day(_moved_to(data))}
        ),
    }
    text = texts.get(event.act)
    return text() if text is not None else None


def _resubmit_text(data: dict, office: str) -> str:
    """What the assistant really did for each line of the notice: the files handed in and the
    lines answered in writing, never "handed in what was missing" for a line left as it was.
    `office` handles it now (`_handler_name`)."""
    date = _day(data.get("accept_by"))
    supplied, answered = "、".join(data.get("supplied") or ()), "、".join(data.get("answered") or ())
    values = {"supplied": supplied, "answered": answered, "date": date, "office": office}
    if supplied and answered:
        return (
            _(
                "Your village assistant handed in new files for %(supplied)s and explained %(answered)s "
                "in writing. %(office)s accepts or returns it by %(date)s."
            )
            % values
        )
    if supplied:
        return (
            _(
                "Your village assistant handed in new files for %(supplied)s. %(office)s accepts or "
                "returns it by %(date)s."
            )
            % values
        )
    if answered:
        return (
            _(
                "Your village assistant explained %(answered)s in writing. %(office)s accepts or returns "
                "it by %(date)s."
            )
            % values
        )
    # An event written before the lines were recorded (issue 18).
    return (
        _("Your village assistant handed in what was missing. %(office)s accepts or returns it by %(date)s.")
        % values
    )


def _moved_to(data: dict):
    for key in ("due_on", "accept_by"):
        moved = data.get(key)
        if isinstance(moved, dict):
            return moved.get("to")
    return None


def _history(application: Application) -> list[Step]:
    steps = []
    for event in selectors.timeline(application, with_people=False):
        if event.act in HIDDEN_ACTS:
            continue
        text = _step_text(event, application)
        if text:
            steps.append(Step(at=event.at, text=text))
    return steps


def _delivered_on(certificates) -> datetime.date | None:
    """The day the certificate in force reached the villager (送达), or None: not yet."""
    in_force = next((c for c in certificates if c.revoked_at is None), None)
    return in_force.handed_over_on if in_force is not None else None


def _state_text(application: Application, certificates=()) -> str:
    office = _handler_name(application)
    state = application.state
    delivered_on = _delivered_on(certificates) if state == State.APPROVED else None
    if delivered_on is not None:
        return _("Approved (准予). The result was delivered to you on %(date)s (送达).") % {
            "date": _day(delivered_on)
        }
    if state == State.SUBMITTED:
        return _("%(office)s has your papers and will accept or return them by %(date)s.") % {
            "office": office,
            "date": _day(application.accept_by),
        }
    if state in CLOCK_STATES:
        text = _("Accepted; promised by %(date)s.") % {"date": _day(application.due_on)}
        if state == State.REVIEWED:
            text += " " + _("It is waiting for the centre head's approval (审批).")
        elif state == State.FORWARDED:
            text += " " + _("%(office)s decides it.") % {"office": office}
        if application.paused_since:
            text += " " + _("On hold for %(procedure)s: these days do not count.") % {
                "procedure": application.pause_name
            }
        return text
    return {
        State.RETURNED: _("Returned: your village assistant will bring what is needed to %(office)s.")
        % {"office": office},
        State.APPROVED: _("Approved (准予). Your village assistant will bring you the result."),
        State.REJECTED: _("Not approved (不予)."),
        State.WITHDRAWN: _("Withdrawn (撤回)."),
        State.TERMINATED: _("Terminated (终止): promised materials were not handed in on time."),
    }.get(state, "")


@dataclass(frozen=True)
class Holiday:
    name: str
    first: datetime.date
    last: datetime.date


def _holidays(skipped) -> list[Holiday]:
    """Weekday rest days not counted, grouped into runs of the same name (国庆节 1–7 Oct)."""
    groups: list[Holiday] = []
    for day in skipped:
        if groups and groups[-1].name == day.name and (day.date - groups[-1].last).days <= 3:
            groups[-1] = Holiday(day.name, groups[-1].first, day.date)
        else:
            groups.append(Holiday(day.name, day.date, day.date))
    return groups


def _deadline(application: Application):
    if not (application.state == State.SUBMITTED or application.state in CLOCK_STATES):
        return None
    today = timezone.localdate()
    calendar = deadlines.calendar_around(
        today,
        application.received_on,
        application.accepted_on,
        application.accept_by,
        application.due_on,
        working_days=0,
    )
    return deadlines.deadline_of(application, today, calendar, with_skipped=True)


def _owed(application: Application):
    """What the villager still has to hand in: the latest one-time notice after a return, or the
    materials promised at a 容缺 acceptance that are not in yet."""
    if application.state == State.RETURNED:
        notices = [
            n
            for n in selectors.notices_of(application, with_people=False)
            if n.kind == Notice.Kind.SUPPLEMENT
        ]
        return list(notices[-1].items.all()) if notices else []
    if application.state in CLOCK_STATES:
        return [
            item
            for notice in selectors.notices_of(application, with_people=False)
            if notice.kind == Notice.Kind.PROMISE
            for item in notice.items.all()
            if item.supplied_at is None
        ]
    return []


def _mask_mobile(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else ""


@never_cache
@require_safe
def tracking_detail(request, number: str):
    number = normalise_number(number)
    application = tracked_application(request.session, number)
    if application is None:
        return to_tracking_form(number)
    contact = station_contact(application.village)
    deadline = _deadline(application)
    certificates = certificate_selectors.certificates_for_villager(application)
    context = {
        "application": application,
        "state_text": _state_text(application, certificates),
        "deadline": deadline,
        "holidays": _holidays(deadline.skipped) if deadline else [],
        "owed": _owed(application),
        "steps": _history(application),
        "office": application.current_office,
        "handler_name": _handler_name(application),
        "station": contact.station,
        "assistant_mobiles": [user.mobile for user in contact.assistants if user.mobile],
        "name": mask_name(application.applicant_name),
        "id_number": application.resident.id_number_masked if application.resident_id else "",
        "mobile": _mask_mobile(application.applicant_mobile),
        "certificates": certificates,
        "notes": tracking_notes(application),
        "written_papers": paper_links(application),
        **rating_panel(application),
    }
    return render(request, "approvals/track_detail.html", context)


@never_cache
@require_safe
def tracking_certificate(request, number: str, certificate_pk: int):
    """The villager's own certificate in force, as a PDF, after the same proof as the page."""
    number = normalise_number(number)
    application = tracked_application(request.session, number)
    if application is None:
        return to_tracking_form(number)
    certificate = certificate_selectors.certificate_in_force_for_villager(application, certificate_pk)
    if certificate is None:
        raise Http404
    certificate.application = application
    return pdf_response(certificate_pdf(certificate), f"{certificate.licence_number}.pdf")


urlpatterns = [
    path("", tracking_form, name="form"),
    path("code/", tracking_code, name="code"),
    path("code/enter/", tracking_code_enter, name="code_enter"),
    path("<str:number>/", tracking_detail, name="detail"),
    path("<str:number>/certificates/<int:certificate_pk>.pdf", tracking_certificate, name="certificate"),
]


# The villager's words for an event and for where an application stands, for whoever shows
# the same public status elsewhere (the JSON API): one wording, written above.
public_step_text = _step_text
public_state_text = _state_text
