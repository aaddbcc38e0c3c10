"""Staff pages under /work/ledger/: the list, the CSV export, the assistant's register form, an
item's page with its history, its step pages (one action per screen) and its photos.

Each view fetches through `ledger.selectors` (an item outside the user's jurisdiction is a 404
on every path, so its existence is not leaked) and changes state only through `ledger.services`.
"""

import csv
import uuid
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal import workflow
from portal.errors import DomainError
from portal.exports import neutral_row
from portal.files.uploads import download_name
from portal.people.identity import mask_name
from portal.web.steps import perform_step

from .. import forms, selectors, services
from ..models import LedgerItem
from ..policies import ledger_policy
from ..states import BUTTON_LABELS, STAFF_ACTS, Act, Who

PAGE_SIZE = 50


def _item(request, pk: int) -> LedgerItem:
    try:
        return selectors.ledger_item_detail_for(request.user, pk)
    except LedgerItem.DoesNotExist as error:
        raise Http404 from error


def _filters(request, villages):
    form = forms.ListFilterForm(request.GET or None, villages=villages)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.LedgerFilter(
            state=data["state"] or "",
            overdue=data["overdue"],
            village_id=data["village"],
            mine=data["mine"],
            query=data["q"],
        )
    return form, selectors.LedgerFilter()


@login_required
@require_safe
def item_list(request):
    villages = list(selectors.villages_for_list(request.user))
    form, filters = _filters(request, villages)
    today = timezone.localdate()
    page = Paginator(selectors.ledger_list_for(request.user, filters, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ledger/staff_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "registers": selectors.villages_for_registering(request.user).exists(),
            "hotline_waiting": selectors.hotline_orders_waiting_for(request.user).count(),
        },
    )


@login_required
@require_safe
def export(request):
    """The list (with its filters) as CSV for spreadsheets and the weekly meeting. Names masked,
    no mobiles."""
    _form, filters = _filters(request, selectors.villages_for_list(request.user))
    today = timezone.localdate()
    rows = selectors.ledger_list_for(request.user, filters, today=today)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = [
        _("Request number (编号)"),
        _("Village"),
        _("Villager"),
        _("Kind"),
        _("State"),
        _("Promise"),
        _("Promised date"),
        _("Responsible"),
        _("Overdue"),
    ]

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for item in rows.iterator(chunk_size=500):
            yield writer.writerow(
                neutral_row(
                    [
                        item.number,
                        item.village.name,
                        mask_name(item.villager_name),
                        item.get_kind_display(),
                        item.get_state_display(),
                        item.promise,
                        item.promised_on or "",
                        item.assignee.get_full_name() if item.assignee else item.helper_name,
                        _("yes") if item.is_overdue(today) else "",
                    ]
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ledger-{today:%Y%m%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request):
    """The assistant registers a villager's need or wish (one of their villages)."""
    villages = selectors.villages_for_registering(request.user)
    if not villages.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = forms.RegisterForm(request.POST, request.FILES, villages=villages)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.ledger_item_register(
                    actor=request.user,
                    village=data["village"],
                    villager_name=data["name"],
                    villager_mobile=data["mobile"],
                    need=data["need"],
                    kind=data["kind"],
                    photo=data["photo"],
                    client_token=data["client_token"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Registered as %(number)s. The villager gets the number by text message.")
                    % {"number": item.number},
                )
                return redirect("ledger:detail", pk=item.pk)
        status = 400
    else:
        form = forms.RegisterForm(villages=villages, initial={"client_token": uuid.uuid4()})
        first = villages.first()
        if first is not None:
            form.fields["village"].initial = first.pk
        status = 200
    photo_lost = status == 400 and bool(request.FILES)  # a browser cannot be sent a file back
    return render(
        request, "ledger/staff_register.html", {"form": form, "photo_lost": photo_lost}, status=status
    )


@login_required
@require_safe
def detail(request, pk: int):
    item = _item(request, pk)
    capacities = ledger_policy.capacities_of(request.user, item)
    return render(
        request,
        "ledger/staff_detail.html",
        {
            "item": item,
            "steps": selectors.steps_for(request.user, item),
            "events": selectors.timeline(item),
            "photos": selectors.photos_of(item),
            "overdue": item.is_overdue(),
            "public_label": selectors.responsible_label(item) if item.promised_on else "",
            "files_for": Who.FILER in capacities,
        },
    )


@login_required
@require_safe
def photo(request, pk: int, photo_pk: int):
    try:
        record = selectors.photo_for_download(request.user, pk, photo_pk)
    except Exception as error:  # DoesNotExist: outside the jurisdiction, or no such photo
        raise Http404 from error
    response = FileResponse(record.file.open("rb"), content_type=record.content_type)
    response["Content-Disposition"] = (
        f"inline; filename=\"photo\"; filename*=UTF-8''{quote(download_name(record.display_name, record.content_type))}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# -- steps ---------------------------------------------------------------------------------------


def _step_form(request, item: LedgerItem, act: str):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    kwargs = {"data": data, "files": files, "initial": {"version": item.version}}
    if act == Act.ASSIGN:
        return forms.AssignForm(item=item, staff=selectors.staff_of_township(item), **kwargs)
    if act == Act.CLAIM:
        return forms.ClaimForm(item=item, **kwargs)
    if act == Act.NOTE:
        return forms.NoteForm(**kwargs)
    if act == Act.MARK_DONE:
        return forms.DoneForm(**kwargs)
    if act == Act.RECORD_NOT_DONE:
        return forms.NotDoneForm(**kwargs)
    if act == Act.CANCEL:
        return forms.CancelForm(**kwargs)
    return forms.CommentForm(**kwargs)


def _perform(request, item: LedgerItem, act: str, form) -> str:
    """Call the service for `act` with the form's data; returns the success message."""
    data = form.cleaned_data
    common = {"actor": request.user, "item": item, "expected_version": data["version"]}
    comment = data.get("comment", "")
    if act in (Act.ASSIGN, Act.CLAIM):
        promise = {
            "promise": data["promise"],
            "promised_on": data["promised_on"],
            "helper": data["helper"],
            "helper_name": data.get("helper_name", ""),
            "comment": comment,
        }
        if act == Act.ASSIGN:
            to = data.get("to") if data["helper"] == "staff" else None
            services.ledger_item_assign(**common, to=to, **promise)
            return _("Assigned, promised by %(date)s.") % {"date": data["promised_on"]}
        services.ledger_item_claim(**common, **promise)
        return _("You have taken it on, promised by %(date)s.") % {"date": data["promised_on"]}
    if act == Act.NOTE:
        services.ledger_item_note(**common, comment=comment, photo=data.get("photo"))
        return _("Progress note added.")
    if act == Act.MARK_DONE:
        services.ledger_item_mark_done(**common, comment=comment, photo=data.get("photo"))
        return _("Marked done. The villager is asked by text message to confirm.")
    if act == Act.RECORD_CONFIRMATION:
        services.ledger_item_record_confirmation(**common, comment=comment)
        return _("Closed (销号) on the villager's confirmation.")
    if act == Act.RECORD_NOT_DONE:
        services.ledger_item_record_not_done(**common, comment=comment)
        return _("Reopened: it is back in progress.")
    if act == Act.CANCEL:
        services.ledger_item_cancel(**common, reason=data["reason"])
        return _("Cancelled.")
    raise Http404


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def act(request, pk: int, act: str):
    item = _item(request, pk)
    if act not in STAFF_ACTS:
        raise Http404
    allowed = {step.act for step in selectors.steps_for(request.user, item)}
    if act not in allowed and request.method != "POST":
        messages.error(  # the reason that fails (role, condition or state), in the services' words
            request,
            workflow.refusal(item, act, request.user)
            or _("“%(act)s” is not possible for you on %(number)s now (it is “%(state)s”).")
            % {"act": Act(act).label, "number": item.number, "state": item.get_state_display()},
        )
        return redirect("ledger:detail", pk=pk)
    form = _step_form(request, item, act)
    done = perform_step(
        request, form, lambda: _perform(request, item, act, form), reverse("ledger:detail", args=[pk])
    )
    if done is not None:
        return done
    return render(
        request,
        "ledger/staff_act.html",
        {
            "item": item,
            "act": Act(act),
            "button": BUTTON_LABELS.get(act, Act(act).label),
            "form": form,
            "back": reverse("ledger:detail", args=[pk]),
            "photo_lost": request.method == "POST" and bool(request.FILES),
        },
        status=200 if request.method != "POST" else 400,
    )


urlpatterns = [
    path("", item_list, name="list"),
    path("export.csv", export, name="export"),
    path("new/", register, name="register"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/act/<str:act>/", act, name="act"),
    path("<int:pk>/photos/<int:photo_pk>/", photo, name="photo"),
]
