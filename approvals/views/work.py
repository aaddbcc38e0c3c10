"""Staff pages: the inbox, an application's page, its steps, downloads and exports.

Each view fetches through `approvals.selectors` (so an application outside the user's
jurisdiction is a 404 on every path) and changes state only through `approvals.services`.
"""

import csv
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates import forms as certificate_forms
from certificates import selectors as certificate_selectors
from certificates import services as certificate_services
from certificates.policies import REVOKE, certificate_policy
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.exports import neutral_row
from portal.files.uploads import download_name
from portal.people.identity import mask_name
from portal.web.steps import perform_step
from ratings import panels as rating_panels
from ratings import selectors as rating_selectors
from services_catalog.item_forms.schema import FieldSpec, FormSpec, Kind
from services_catalog.item_forms.values import money_text

from .. import deadlines, forms, item_data, policies, previews, selectors, services
from ..decision_papers import paper_links
from ..models import Application, ApplicationFile, Notice
from ..policies import application_policy
from ..states import BUTTON_LABELS, Act, State
from ..tracking import tracking_paused
from .item_data import form_summary

PAGE_SIZE = 50


def _application(request, pk: int) -> Application:
    try:
        return selectors.application_detail_for(request.user, pk)
    except Application.DoesNotExist as error:
        raise Http404 from error


@login_required
def landing(request):
    """Clerks, supervisors and officers land on their inbox; assistants on their station's list."""
    if application_policy.user_has_permission(request.user, policies.HANDLE):
        return inbox(request)
    if application_policy.user_has_permission(request.user, policies.FILE):
        return redirect("approvals:station")
    return redirect("web:staff_home")


def _filters(request, items, *, drafts: bool = False):
    form = forms.InboxFilterForm(request.GET or None, items=items, drafts=drafts)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.InboxFilter(
            state=data["state"] or "",
            item_id=data["item"],
            mine=data["mine"],
            query=data["q"],
            due=data["due"] or "",
        )
    return form, selectors.InboxFilter()


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, selectors.rows_with_deadlines(page.object_list)


@dataclass(frozen=True)
class _InboxQuery:
    """What the inbox and its export were asked for: the filter form, the list and the chosen
    fields of the item's form to show."""

    form: forms.InboxFilterForm
    item_form: FormSpec
    queryset: QuerySet[Application]
    columns: list[str]


def _chosen_item(request, items) -> int | None:
    """The one item the query string names, if it is one of the list's items."""
    raw = request.GET.get("item", "")
    if not raw.isdigit():
        return None
    return next((item.pk for item in items if item.pk == int(raw)), None)


def _inbox_query(request) -> _InboxQuery:
    """The inbox's filters, with the fields of the item's form when one item is shown. A bad
    value in a field's filter drops that filter only and is shown next to it."""
    items = list(selectors.items_for_filing())
    item_form = selectors.item_list_form(_chosen_item(request, items))
    form = forms.InboxFilterForm(request.GET or None, items=items, item_form=item_form)
    filters, data_filters, columns = selectors.InboxFilter(), [], []
    if form.base_valid():
        data = form.cleaned_data
        filters = selectors.InboxFilter(
            state=data["state"] or "",
            item_id=data["item"],
            mine=data["mine"],
            query=data["q"],
            due=data["due"] or "",
        )
        data_filters, columns = form.data_filters(), form.columns()
    queryset = selectors.inbox_for(request.user, filters)
    queryset = selectors.filter_by_item_data(queryset, item_form, data_filters)
    return _InboxQuery(form, item_form, selectors.with_item_columns(queryset, columns), columns)


def inbox(request):
    query = _inbox_query(request)
    page, rows = _page(request, query.queryset)
    rows = selectors.rows_with_item_columns(rows, query.item_form, query.columns)
    supervises = application_policy.user_has_permission(request.user, policies.SUPERVISE)
    return render(
        request,
        "approvals/work_inbox.html",
        {"form": query.form, "page": page, "rows": rows, "supervises": supervises, "title": _("Work to do")},
    )


@login_required
def overdue(request):
    page, rows = _page(request, selectors.overdue_for(request.user))
    late_rectifications = rating_selectors.overdue_rectifications_for(request.user)
    return render(
        request,
        "approvals/work_inbox.html",
        {
            "page": page,
            "rows": rows,
            "title": _("Overdue work"),
            "supervises": True,
            "late_rectifications": rating_selectors.with_provisional_notes(late_rectifications[:PAGE_SIZE]),
            "today": timezone.localdate(),
        },
    )


@login_required
def station(request):
    if not application_policy.user_has_permission(request.user, policies.FILE):
        raise Http404
    form, filters = _filters(request, (), drafts=True)
    page, rows = _page(request, selectors.station_applications_for(request.user, filters))
    shown = dict(form.fields["state"].choices).get(filters.state) if filters.state else None
    # 网上申请: villagers' drafts handed in and waiting for an assistant, the oldest first.
    waiting = list(selectors.villager_drafts_waiting_for(request.user)[: PAGE_SIZE + 1])
    return render(
        request,
        "approvals/work_station.html",
        {
            "page": page,
            "rows": rows,
            "shown": shown,
            "waiting": waiting[:PAGE_SIZE],
            "more_waiting": len(waiting) > PAGE_SIZE,
        },
    )


def _csv_label(spec: FieldSpec) -> str:
    """A column's heading; money says it is in yuan, so a spreadsheet can add the plain numbers."""
    return f"{spec.label}（{_('yuan (元)')}）" if spec.kind == Kind.MONEY else spec.label


def _csv_text(spec: FieldSpec, value) -> str:
    """A value as a spreadsheet wants it: money as a plain number of yuan, yes/no as a word."""
    if value is None or value == "":
        return ""
    if spec.kind == Kind.MONEY:
        return money_text(value)
    if spec.kind == Kind.YESNO:
        return _("Yes (是)") if value else _("No (否)")
    return str(value)


@login_required
def export(request):
    """The inbox (with its filters) as CSV for spreadsheets. Names masked, no ID numbers."""
    query = _inbox_query(request)
    rows = query.queryset
    specs = [spec for key in query.columns if (spec := query.item_form.field(key)) is not None]

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = [_("Number"), _("Item"), _("Villager"), _("Village"), _("State"), _("Deadline"), _("Clerk")]
    header += [_csv_label(spec) for spec in specs]

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for application in rows.iterator(chunk_size=500):
            yield writer.writerow(
                neutral_row(
                    [
                        application.number,
                        application.item_title,
                        mask_name(application.applicant_name),
                        application.village.name,
                        application.get_state_display(),
                        application.deadline or "",
                        application.assignee.get_full_name() if application.assignee else "",
                        *(_csv_text(s, selectors.item_column_value(application, s.key)) for s in specs),
                    ]
                )
            )

    audit_record(event="export_download", detail={"export": "applications.csv"})
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{timezone.localdate():%Y%m%d}.csv"'
    return response


@login_required
def detail(request, pk: int):
    application = _application(request, pk)
    if application.state == State.DRAFT and application_policy.user_has_permission_for_instance(
        request.user, policies.FILE, application
    ):
        return redirect("approvals:edit", pk=pk)
    today = timezone.localdate()
    calendar = deadlines.calendar_around(
        today, application.received_on, application.accepted_on, working_days=application.limit_days or 10
    )
    certificates = certificate_selectors.certificates_of(application)
    files_for = application_policy.user_has_permission_for_instance(request.user, policies.FILE, application)
    rating = rating_panels.rating_panel(application, assisted=True)
    notices = selectors.notices_of(application)
    returned_before = application.state == State.SUBMITTED and any(
        n.kind == Notice.Kind.SUPPLEMENT for n in notices
    )
    return render(
        request,
        "approvals/work_detail.html",
        {
            "second_return_agreement": services.second_return_agreement(application)
            if returned_before
            else None,
            "returned_before": returned_before,
            "application": application,
            "deadline": deadlines.deadline_of(application, today, calendar, with_skipped=True),
            "steps": selectors.steps_for(request.user, application),
            "duplicates": selectors.application_duplicates(request.user, [application]).get(
                application.pk, []
            ),
            "events": selectors.timeline(application),
            "item_form": form_summary(request.user, application),
            "files": selectors.files_of(application),
            "notices": notices,
            "handles": application_policy.user_has_permission_for_instance(
                request.user, policies.HANDLE, application
            ),
            "files_for": files_for,
            **rating,
            "rating_open_for_filer": files_for and rating["rating_open"],
            "rectifications": list(rating["rating"].rectifications.all()) if rating["rating"] else [],
            "id_number": _revealed_id_number(request, application),
            "tracking_paused": application.tracking_locked_at is None and tracking_paused(application.number),
            "certificates": certificates,
            "written_papers": paper_links(application),
            "revocable": {
                c.pk
                for c in certificates
                if not c.is_revoked
                and certificate_policy.user_has_permission_for_instance(request.user, REVOKE, c)
            },
        },
    )


def _revealed_id_number(request, application) -> str | None:
    """The full ID number, once, after a logged reveal (`id_number`) by someone who still
    handles the application; read from the database, never from the session."""
    if not request.session.pop(f"id_number:{application.pk}", None):
        return None
    if application.resident is None or not application_policy.user_has_permission_for_instance(
        request.user, policies.REVEAL_ID_NUMBER, application
    ):
        return None
    return application.resident.id_number


@login_required
def download(request, pk: int, file_pk: int):
    try:
        record = selectors.file_for_download(request.user, file_pk)
    except Exception as error:  # DoesNotExist: outside the jurisdiction, or no such file
        raise Http404 from error
    if record.application_id != pk:
        raise Http404
    audit_record(event="material_download", obj=record)
    response = FileResponse(record.file.open("rb"), content_type=record.content_type, as_attachment=True)
    # Named by the detected type, never by the extension the uploader gave (finding 12).
    response["Content-Disposition"] = _attachment_header(
        download_name(record.display_name, record.content_type)
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def thumbnail(request, pk: int, file_pk: int):
    """A small PNG preview of an uploaded file (a PDF's first page, an image), for the clerk:
    the same check as the download (404 outside the jurisdiction), never cached publicly."""
    try:
        record = selectors.file_for_download(request.user, file_pk)
    except ApplicationFile.DoesNotExist as error:
        raise Http404 from error
    if record.application_id != pk:
        raise Http404
    png = previews.thumbnail_of(record)
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment_header(name: str) -> str:
    return f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"


@require_POST
@login_required
def id_number(request, pk: int):
    """Reveal the full ID number once, on the next view of the page; the reveal is logged."""
    application = _application(request, pk)
    if not application_policy.user_has_permission_for_instance(
        request.user, policies.REVEAL_ID_NUMBER, application
    ):
        raise Http404
    services.id_number_reveal(actor=request.user, application=application)
    # The session keeps only the one-time grant, never the number: sessions are rows in the
    # database (and in its backups). The next view reads the number afresh, checks again.
    request.session[f"id_number:{pk}"] = True
    return redirect("approvals:detail", pk=pk)


@require_POST
@login_required
def unlock(request, pk: int):
    application = _application(request, pk)
    try:
        services.tracking_unlock(actor=request.user, application=application)
        messages.success(request, _("The villager can look the application up online again."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("approvals:detail", pk=pk)


# -- steps ---------------------------------------------------------------------------------------


def _step_form(application, act: str, data=None, files=None):
    initial = {"version": application.version}
    kwargs = {"data": data, "files": files, "initial": initial}
    if act == Act.AGREE_SECOND_RETURN:
        return forms.SecondReturnAgreementForm(**kwargs)
    if act in (Act.RETURN, Act.SECOND_RETURN, Act.ACCEPT_WITH_PROMISE):
        materials = application.item.materials.all()
        if act == Act.ACCEPT_WITH_PROMISE:
            return forms.PromiseForm(
                materials=[m for m in materials if m.may_be_missing], with_dates=True, **kwargs
            )
        return forms.MaterialsNoticeForm(
            materials=materials, form_fields=list(item_data.form_of(application).fields()), **kwargs
        )
    if act == Act.REJECT:
        basis = "；".join(application.item.legal_bases.values_list("text", flat=True))
        kwargs["initial"] = {**initial, "basis": basis}
        return forms.RejectForm(**kwargs)
    if act == Act.WITHDRAW:
        return forms.WithdrawForm(**kwargs)
    if act == Act.REASSIGN:
        return forms.ReassignForm(clerks=selectors.clerks_of(application), **kwargs)
    if act == Act.PAUSE:
        return forms.PauseForm(procedures=application.item.special_procedures.all(), **kwargs)
    if act == Act.SUPPLY:
        owed = services.promised_materials(application).order_by("due_on")
        return forms.SupplyForm(owed=list(owed), **kwargs)
    if act == Act.HAND_OVER:
        return certificate_forms.HandOverForm(**kwargs)
    if act in (Act.REVIEW, Act.SEND_BACK, Act.FORWARD):
        return forms.RequiredCommentForm(**kwargs)
    return forms.CommentForm(**kwargs)


def _perform(request, application, act: str, form) -> str:
    """Call the service for `act` with the form's data; returns the success message."""
    data = form.cleaned_data
    common = {"actor": request.user, "application": application, "expected_version": data["version"]}
    comment = data.get("comment", "")
    if act == Act.ASSIGN:
        services.application_assign(**common)
        return _("You are handling this application now.")
    if act == Act.REASSIGN:
        services.application_reassign(**common, to=data["to"], comment=comment)
        return _("Reassigned to %(name)s.") % {"name": data["to"].get_full_name()}
    if act == Act.ACCEPT:
        services.application_accept(**common, comment=comment)
        return _("Accepted. The promised time limit runs from today.")
    if act == Act.ACCEPT_WITH_PROMISE:
        services.application_accept_with_promise(
            **common, items=form.missing_items(), promise_file=data["promise"], comment=data.get("note", "")
        )
        return _("Accepted with materials to follow.")
    if act == Act.RETURN:
        services.application_return(**common, items=form.missing_items(), note=data.get("note", ""))
        return _("Returned with a one-time notice. Print it for the villager.")
    if act == Act.AGREE_SECOND_RETURN:
        services.application_agree_second_return(**common, reason=data["reason"])
        return _("Your reason is recorded: a clerk of the centre can now return it a second time.")
    if act == Act.SECOND_RETURN:
        services.application_return_again(**common, items=form.missing_items(), note=data.get("note", ""))
        return _("Returned a second time with a new one-time notice. Print it for the villager.")
    if act == Act.SUPPLY:
        services.application_supply(**common, notice_item=form.owed[data["owed"]], uploaded=data["upload"])
        return _("The promised material has been handed in.")
    if act == Act.PAUSE:
        services.application_pause(**common, procedure=data["procedure"], comment=comment)
        return _("The clock is paused for the special procedure.")
    if act == Act.RESUME:
        services.application_resume(**common, comment=comment)
        return _("The special procedure has ended; the due date has moved accordingly.")
    if act == Act.REVIEW:
        services.application_review(**common, comment=comment)
        return _("Sent to the supervisor for approval.")
    if act == Act.SEND_BACK:
        services.application_send_back(**common, comment=comment)
        return _("Sent back to the clerk.")
    if act == Act.FORWARD:
        services.application_forward(**common, comment=comment)
        return _("Forwarded to the county department.")
    if act == Act.APPROVE:
        services.application_approve(**common, comment=comment)
        return _("Approved.")
    if act == Act.REJECT:
        services.application_reject(**common, reason=data["reason"], basis=data["basis"])
        return _("Refused, with the reason and legal basis recorded.")
    if act == Act.WITHDRAW:
        services.application_withdraw(**common, reason=comment)
        return _("Withdrawn.")
    if act == Act.HAND_OVER:
        certificate = certificate_services.application_hand_over(
            **common,
            on=data["on"],
            how=data["how"],
            note=data.get("note", ""),
            signature=data.get("signature", ""),
            photo=data.get("photo"),
        )
        return _("Hand-over of %(serial)s recorded.") % {"serial": certificate.licence_number}
    raise Http404


# Steps that have their own pages elsewhere (the filing form).
_ELSEWHERE = {Act.SUBMIT: "approvals:edit", Act.RESUBMIT: "approvals:edit"}


@login_required
def act(request, pk: int, act: str):
    application = _application(request, pk)
    if act not in Act.values:
        raise Http404
    if act in _ELSEWHERE:
        return redirect(_ELSEWHERE[act], pk=pk)
    allowed = {step.act for step in selectors.steps_for(request.user, application)}
    if act not in allowed and request.method != "POST":
        # The reason that fails (the role or office, the item, or the state), in the services' words.
        messages.error(
            request,
            selectors.step_refusal(request.user, application, act)
            or _("“%(act)s” is not possible for you on this application now (it is “%(state)s”).")
            % {"act": Act(act).label, "state": application.get_state_display()},
        )
        return redirect("approvals:detail", pk=pk)
    form = _step_form(application, act, request.POST or None, request.FILES or None)
    done = perform_step(
        request,
        form,
        lambda: _perform(request, application, act, form),
        reverse("approvals:detail", args=[pk]),
    )
    if done is not None:
        return done
    hand_over = act == Act.HAND_OVER
    returning = act in (Act.RETURN, Act.SECOND_RETURN, Act.AGREE_SECOND_RETURN)
    notices = selectors.notices_of(application) if act in (Act.SECOND_RETURN, Act.AGREE_SECOND_RETURN) else []
    return render(
        request,
        "approvals/work_hand_over.html" if hand_over else "approvals/work_act.html",
        {
            "checklist": selectors.material_checklist(application) if returning else None,
            "earlier_notices": [n for n in notices if n.kind == Notice.Kind.SUPPLEMENT],
            "agreement": services.second_return_agreement(application) if act == Act.SECOND_RETURN else None,
            "application": application,
            "act": Act(act),
            "button": BUTTON_LABELS.get(act, Act(act).label),
            "form": form,
            "back": reverse("approvals:detail", args=[pk]),
            "certificate": certificate_services.current_certificate(application) if hand_over else None,
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


urlpatterns = [
    path("", landing, name="inbox"),
    path("station/", station, name="station"),
    path("overdue/", overdue, name="overdue"),
    path("export.csv", export, name="export"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/", download, name="file"),
    path("<int:pk>/files/<int:file_pk>/preview.png", thumbnail, name="thumbnail"),
    path("<int:pk>/id-number/", id_number, name="id_number"),
    path("<int:pk>/unlock/", unlock, name="unlock"),
    path("<int:pk>/act/<str:act>/", act, name="act"),
]
