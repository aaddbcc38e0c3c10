"""The village assistant's filing pages (农事村办): the villager talks, the assistant files.

new/ lists the items an assistant may file (村级代办); new/<item>/ starts a draft; <pk>/edit/ is the
same form for a draft or, after a return (退回补正), for the supplement; <pk>/submit/ submits from
the detail page; <pk>/receipt/ is the villager's printable receipt (回执).

The form is saved piece by piece, and nothing that passed is lost when something else did not:
the first POST starts the draft even if other fields are wrong, the villager is registered when
their three fields are right, every good file is stored at once (a browser cannot send a file
again when a page is shown a second time), and each refusal is shown next to its field.
Filing is free: no page here shows or asks for a fee.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.errors import DomainError
from portal.files.uploads import max_upload_bytes
from portal.offices.models import Office, OfficeKind
from portal.outbox.models import mask_mobile
from portal.people.identity import mask_name
from portal.people.models import User
from portal.people.selectors import offices_user_may_file_for, residents_visible_to
from portal.people.services import resident_register
from portal.places.models import Region
from services_catalog.item_forms.values import flatten
from services_catalog.models import DelegationMode
from services_catalog.selectors import item_form_current, service_item_route

from .. import deadlines, extensions, item_data, policies, selectors, services
from ..forms_filing import CONSENT_FIELD, VILLAGER_FIELDS, FilingForm, ItemSearchForm, answer_field
from ..forms_item_data import ItemDataForm, raw_input
from ..models import Application, ApplicationFile, Notice
from ..papers import data_received, materials_received
from ..policies import application_policy
from ..reuse import reuse_sources_for
from ..states import State

EDITABLE_STATES = (State.DRAFT, State.RETURNED)


# -- access --------------------------------------------------------------------------------------


def filing_villages(user: User) -> QuerySet[Region]:
    """The villages whose active station the user may file for, by code."""
    stations = offices_user_may_file_for(user).filter(kind=OfficeKind.STATION, is_active=True)
    return Region.objects.filter(offices__in=stations).select_related("parent").distinct().order_by("code")


def _visible(user: User, pk: int) -> Application:
    """An application the user may see, or 404 (its existence is not leaked)."""
    try:
        return selectors.application_detail_for(user, pk)
    except Application.DoesNotExist:
        raise Http404 from None


def _own(user: User, pk: int) -> Application:
    """An application the user may file for (its station's assistant), or 404."""
    application = _visible(user, pk)
    if not application_policy.user_has_permission_for_instance(user, policies.FILE, application):
        raise Http404
    return application


def _already_submitted(request, application: Application):
    """A form sent again after its application went in: say so and show the receipt."""
    if application.number:
        messages.info(
            request,
            _("Application %(number)s was already submitted; nothing was sent twice.")
            % {"number": application.number},
        )
        return redirect("approvals:receipt", application.pk)
    return redirect("approvals:detail", application.pk)


# -- pick an item --------------------------------------------------------------------------------


@login_required
@require_safe
def item_list(request):
    """Items an assistant may file, grouped by department, filtered by ?q= (one query for the list)."""
    if not application_policy.user_has_permission(request.user, policies.FILE):
        raise PermissionDenied
    form = ItemSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    items = selectors.items_for_filing().order_by("department__name", "title")
    if query:
        items = items.filter(
            Q(title__icontains=query) | Q(item_code__icontains=query) | Q(summary__icontains=query)
        )
    return render(
        request, "approvals/filing_items.html", {"form": form, "query": query, "items": list(items)}
    )


# -- the draft form ------------------------------------------------------------------------------


def _form_kwargs(
    user: User, *, villages: QuerySet[Region], village: Region | None, editable: bool, materials
):
    residents = None
    if editable:
        residents = residents_visible_to(user).order_by("name", "pk")
        residents = residents.filter(village=village) if village else residents.filter(village__in=villages)
    return {
        "materials": materials,
        "villages": villages,
        "residents": residents,
        "editable_villager": editable,
        "choose_village": village is None,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request, item_id: int):
    """The form that starts a draft; its first POST creates it (one per client_token)."""
    villages = filing_villages(request.user)
    village_list = list(villages)
    if not village_list:
        raise PermissionDenied
    item = get_object_or_404(selectors.items_for_filing(), pk=item_id)
    materials = list(item.materials.all())
    fixed = village_list[0] if len(village_list) == 1 else None
    kwargs = _form_kwargs(request.user, villages=villages, village=fixed, editable=True, materials=materials)
    page = {"item": item, "village": fixed}
    if request.method != "POST":
        form = FilingForm(initial={"client_token": uuid.uuid4()}, **kwargs)
        return _render(request, form, application=None, **page)

    form = FilingForm(request.POST, request.FILES, **kwargs)
    form.is_valid()
    page["data_form"] = _data_form(None, item, data=request.POST)  # what was typed, if shown again
    village = fixed or _chosen_village(form, village_list)
    if village is None:
        form.add_error(
            "village" if "village" in form.fields else None,
            _("Choose the villager's village. Nothing was saved yet: choose the files again afterwards."),
        )
        return _render(request, form, application=None, **page)
    try:
        application = services.draft_start(
            actor=request.user, item=item, village=village, client_token=form.cleaned_data.get("client_token")
        )
    except DomainError as error:
        messages.error(request, str(error))
        return _render(request, form, application=None, **page)
    if application.state not in EDITABLE_STATES:  # the start form sent again after submission
        return _already_submitted(request, application)
    if application.state != State.DRAFT:
        return redirect("approvals:edit", application.pk)
    return _save(request, form, application)


def _chosen_village(form: FilingForm, villages: list[Region]) -> Region | None:
    village = form.cleaned_data.get("village")
    if village is None:
        # A registered villager was chosen but not the village: theirs is meant.
        resident = form.cleaned_data.get("resident")
        if resident is not None and not any(form.data.get(field, "").strip() for field in VILLAGER_FIELDS):
            village = resident.village
    return village if village in villages else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk: int):
    """The draft form for a draft, or the supplement form after a return; else the detail page."""
    application = _own(request.user, pk)
    if application.state not in EDITABLE_STATES:
        if request.method == "POST":
            return _already_submitted(request, application)
        return redirect("approvals:detail", application.pk)
    if application.awaits_taking:  # a villager's online draft: read and take it first
        return redirect("approvals:handed_in", application.pk)
    editable = application.state == State.DRAFT
    materials = list(application.item.materials.all())
    kwargs = _form_kwargs(
        request.user,
        villages=Region.objects.filter(pk=application.village_id),
        village=application.village,
        editable=editable,
        materials=materials,
    )
    kwargs["notice_lines"] = services.open_notice_lines(application, settled=True)
    if request.method == "POST":
        form = FilingForm(request.POST, request.FILES, **kwargs)
        form.is_valid()
        return _save(request, form, application)
    initial = (
        {"resident": application.resident_id, "request_note": application.request_note} if editable else {}
    )
    form = FilingForm(initial=initial, **kwargs)
    return _render(request, form, application=application)


def _save(request, form: FilingForm, application: Application):
    """Keep what passed, put each refusal next to its field, then submit or save as asked."""
    user = request.user
    try:
        if application.state == State.DRAFT:
            _save_villager(request, form, application)
        stored = selectors.files_of(application)
        ticked = form.removals([file.pk for file in stored])
        for file in stored:
            if file.pk in ticked:
                services.file_remove(actor=user, application=application, file=file)
        for field, kind, material, line in form.uploads():
            value = form.cleaned_data.get(field) if field not in form.errors else None
            for uploaded in value if isinstance(value, list) else [value] if value else []:
                try:
                    services.file_attach(
                        actor=user,
                        application=application,
                        kind=kind,
                        material=material,
                        notice_item=line,
                        uploaded=uploaded,
                    )
                except ValidationError as error:
                    form.add_error(field, error)
                except DomainError as error:
                    form.add_error(field, str(error))
        for line, answer in form.answers():
            try:
                services.notice_item_answer(
                    actor=user, application=application, notice_item=line, answer=answer
                )
            except DomainError as error:
                form.add_error(answer_field(line), str(error))
        data_form = _save_item_data(request, application)
    except DomainError as error:
        messages.error(request, str(error))
        return _render(request, form, application=_own(user, application.pk))

    application = _own(user, application.pk)  # what the services changed
    if application.state not in EDITABLE_STATES:
        return _already_submitted(request, application)
    if form.errors or (data_form is not None and data_form.errors):
        return _render(
            request,
            form,
            application=application,
            problems=_problems_besides(form, application, data_form),
            tried_submit="submit" in request.POST,
            data_form=data_form,
        )
    if "submit" not in request.POST:
        messages.success(
            request,
            _("Saved. You can come back to %(ref)s from your list of applications.")
            % {"ref": application.reference},
        )
        anchor = request.POST.get("add_row", "")
        url = reverse("approvals:edit", args=[application.pk])
        return redirect(f"{url}#group-{anchor}" if anchor.isidentifier() else url)

    problems = _problems_of(application)
    if problems:
        if data_form is not None:
            # Name each missing answer next to its box, not only in the list at the top.
            spec = data_form.spec
            checked = item_data.check(
                application,
                spec,
                flatten(spec, item_data.full_data(application)),
                partial=False,
                keys=data_form.keys,
                today=services.today(),
            )
            data_form.add_refusals(checked.errors)
        return _render(
            request,
            form,
            application=application,
            problems=_problems_besides(form, application, data_form),
            tried_submit=True,
            data_form=data_form,
        )
    comment = ""
    if application.state == State.DRAFT:
        duplicates = _duplicates(user, application)
        if duplicates and not _duplicate_confirmed(request):
            messages.warning(request, _duplicate_question(duplicates))
            return _render(request, form, application=application, tried_submit=True)
        comment = _duplicate_comment(duplicates)
    try:
        if application.state == State.RETURNED:
            services.application_resubmit(actor=user, application=application)
            messages.success(
                request,
                _("Application %(number)s was sent back to %(office)s with the supplement.")
                % {"number": application.number, "office": _route_office(application, None, None) or ""},
            )
        else:
            application, _submitted = services.application_submit(
                actor=user, application=application, comment=comment
            )
            messages.success(
                request,
                _("Application %(number)s was submitted. Give the villager this receipt.")
                % {"number": application.number},
            )
    except DomainError as error:
        messages.error(request, str(error))
        return _render(request, form, application=_own(user, application.pk), tried_submit=True)
    return redirect("approvals:receipt", application.pk)


def _problems_of(application: Application) -> list[str]:
    """What stops a submission, or after a return the resubmission (open notice lines too)."""
    if application.state == State.RETURNED:
        return services.resubmission_problems(application)
    return services.missing_for_submission(application)


def _duplicates(user: User, application: Application) -> list[selectors.Duplicate]:
    return selectors.application_duplicates(user, [application]).get(application.pk, [])


def _duplicate_confirmed(request) -> bool:
    return request.POST.get("confirm_duplicate") == "1"


def _duplicate_question(duplicates: list[selectors.Duplicate]) -> str:
    return _(
        "Not submitted yet: the villager already has %(refs)s for this item. If this is meant "
        "(a renewal, a changed situation), tick “I know, and file it anyway” and submit again."
    ) % {"refs": "、".join(d.application.reference for d in duplicates)}


def _duplicate_comment(duplicates: list[selectors.Duplicate]) -> str:
    """What the history keeps of a submission made knowing of a duplicate (empty: none)."""
    if not duplicates:
        return ""
    return _("Filed knowing of %(refs)s for the same villager and item (重复申请已确认).") % {
        "refs": "、".join(
            f"{d.application.reference} ({d.application.get_state_display()}, {d.since:%Y-%m-%d})"
            for d in duplicates
        )
    }


def _problems_besides(form: FilingForm, application: Application, data_form=None) -> list[str]:
    """What else stops a submission, without repeating "enter the villager" when the villager
    fields already carry their own errors, nor the form's answers shown next to their boxes."""
    problems = _problems_of(application)
    if any(field in form.errors for field in (*VILLAGER_FIELDS, "resident")):
        villager = _("Enter the villager's name, ID number and mobile.")
        problems = [problem for problem in problems if problem != villager]
    if data_form is not None and data_form.errors:
        problems = [
            problem
            for problem in problems
            if problem not in item_data.problems(application, today=services.today())
        ]
    return problems


# -- the item's application form (申请表) ------------------------------------------------------


def _data_form(application: Application | None, item=None, *, data=None) -> ItemDataForm | None:
    """The application form's inputs: on a draft every answer, after a return only the fields
    the one-time notice names (the others are shown as text); None when the item has no form."""
    if application is None:
        version = item_form_current(item.pk)
    elif application.state == State.DRAFT:
        version = item_data.version_for_draft(application)
    else:
        version = application.form_version
    if version is None or version.spec.is_empty:
        return None
    stored = item_data.full_data(application) if application is not None else {}
    keys = None
    if application is not None and application.state != State.DRAFT:
        keys = {
            line.field_key for line in services.open_notice_lines(application, settled=True) if line.field_key
        }
    return ItemDataForm(
        data,
        spec=version.spec,
        regions=item_data.regions(),
        stored=stored,
        keys=keys,
        initial_flat=flatten(version.spec, stored),
    )


def _save_item_data(request, application: Application) -> ItemDataForm | None:
    """Save the answers that passed; put each refusal next to its box (nothing typed is lost:
    the page is shown again with what was sent)."""
    data_form = _data_form(application, data=request.POST)
    if data_form is None:
        return None
    parsed = services.item_data_save(actor=request.user, application=application, raw=raw_input(request.POST))
    data_form.add_refusals(parsed.errors)
    return data_form


def _save_villager(request, form: FilingForm, application: Application) -> None:
    """Register the typed villager (or take the chosen one) and keep the request note."""
    resident = None
    typed_details: dict[str, str] = {}
    typed = any(form.data.get(field, "").strip() for field in VILLAGER_FIELDS)
    if form.villager_typed:
        data = form.cleaned_data
        try:
            resident, warnings = resident_register(
                actor=request.user,
                name=data["name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                village=application.village,
            )
        except ValidationError as error:
            _add_registration_error(form, error)
        except DomainError as error:
            form.add_error("id_number", str(error))
        else:
            for warning in warnings:
                messages.warning(request, warning)
            _warn_if_registered_differently(request, resident, data, application)
            typed_details = {"typed_name": data["name"], "typed_mobile": data["mobile"]}
    elif not typed and "resident" not in form.errors:
        resident = form.cleaned_data.get("resident")
    note = form.cleaned_data.get("request_note") if "request_note" not in form.errors else None
    try:
        services.draft_update(
            actor=request.user, application=application, resident=resident, request_note=note, **typed_details
        )
    except DomainError as error:
        form.add_error("id_number" if typed else "resident", str(error))
        services.draft_update(actor=request.user, application=application, request_note=note)


def _add_registration_error(form: FilingForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error("id_number", error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in VILLAGER_FIELDS else None, errors)


def _warn_if_registered_differently(request, resident, data, application: Application) -> None:
    """An ID number already registered in this village links that record; say so when its details
    differ, with the mobile masked (138****1234): the assistant sees whose record it is, not a
    number to copy. A record of another village is never mentioned (issue 16, finding 14): the
    form answers as for a new number, and the clerk resolves it (services.draft_update)."""
    if resident.village_id != application.village_id:
        return
    if resident.name != data["name"] or resident.mobile != data["mobile"]:
        messages.warning(
            request,
            _(
                "This ID number is already registered as %(name)s, mobile %(mobile)s; that record is used. "
                "If it is wrong, ask your administrator to correct it."
            )
            % {"name": resident.name, "mobile": mask_mobile(resident.mobile)},
        )


def _route_office(application: Application | None, item, village: Region | None) -> Office | None:
    """Where the submit button sends it: the office a returned application goes back to, or
    where a draft would be routed today (the county department once a delegation is revoked)."""
    if application is not None and application.handling_office_id:
        return application.current_office or application.handling_office
    if village is None or village.parent_id is None:
        return None
    try:
        return service_item_route(item=item, township=village.parent).office
    except Office.DoesNotExist:
        return None


def _render(
    request,
    form: FilingForm,
    *,
    application: Application | None,
    item=None,
    village: Region | None = None,
    problems: list[str] | None = None,
    tried_submit: bool = False,
    data_form: ItemDataForm | None = None,
):
    """The draft form: on a new draft the action is its edit page, so a second POST changes it."""
    item = item or application.item
    if data_form is None:
        data_form = _data_form(application, item)
    stored = selectors.files_of(application) if application else []
    notice = None
    if application is not None and application.state == State.RETURNED:
        supplements = [n for n in selectors.notices_of(application) if n.kind == Notice.Kind.SUPPLEMENT]
        notice = supplements[-1] if supplements else None
    supplied = services.notice_lines_supplied(notice) if notice is not None else {}
    answers = {answer_field(line) for line in form.notice_lines}
    lines_by_material: dict[int | None, list[dict]] = {}
    notice_lines = []
    for line in notice.items.all() if notice is not None else []:
        entry = {
            "line": line,
            "supplied": bool(supplied.get(line.pk)),
            "answer": form[answer_field(line)] if answer_field(line) in answers else None,
        }
        notice_lines.append(entry)
        lines_by_material.setdefault(line.material_id, []).append(entry)
    rows = []
    for field, kind, material, line in form.uploads():
        if line is not None:  # a slot of a notice line under 其他材料
            files = [f for f in stored if f.notice_item_id == line.pk]
            lines = [entry for entry in notice_lines if entry["line"].pk == line.pk]
        else:
            files = [
                f
                for f in stored
                if f.kind == kind and (kind != ApplicationFile.Kind.MATERIAL or f.material_id == material.pk)
            ]
            lines = lines_by_material.get(material.pk, []) if material else []
        rows.append(
            {
                "field": form[field],
                "material": material,
                "stored": files,
                "notice_lines": lines,
                "is_consent": field == CONSENT_FIELD,
                "is_other": line is not None,
            }
        )
    if application is not None and problems is None:
        problems = _problems_of(application)
    duplicates = (
        _duplicates(request.user, application)
        if application is not None and application.state == State.DRAFT
        else []
    )
    context = {
        "form": form,
        "data_form": data_form,
        "item": item,
        "application": application,
        "village": application.village if application else village,
        "rows": rows,
        "notice": notice,
        "notice_lines": notice_lines,
        "problems": problems or [],
        "tried_submit": tried_submit,
        "duplicates": duplicates,
        "duplicate_confirmed": request.method == "POST" and _duplicate_confirmed(request),
        "returned": application is not None and application.state == State.RETURNED,
        "action": (
            reverse("approvals:edit", args=[application.pk])
            if application
            else reverse("approvals:start", args=[item.pk])
        ),
        "max_upload_bytes": max_upload_bytes(),
        # Masked (138****1234): the form shows whose draft it is, not a number to copy (finding 14).
        "filed_for_mobile": mask_mobile(application.applicant_mobile) if application else "",
        "route_office": _route_office(application, item, application.village if application else village),
        # 免提交: the villager handed in papers or answers before (one query; the page lists them).
        "can_reuse": bool(
            application is not None
            and application.resident_id
            and reuse_sources_for(request.user, application).exists()
        ),
    }
    # What the apps above add (online: the link to the villager's phone), without importing them.
    context["panels"] = (
        extensions.panels(
            extensions.filing_panels_asked.send(
                sender=Application, application=application, user=request.user
            )
        )
        if application is not None
        else []
    )
    return render(request, "approvals/filing_form.html", context)


# -- submit from the detail page -----------------------------------------------------------------


@login_required
@require_POST
def submit(request, pk: int):
    """Submit (or, after a return, resubmit); a second press finds it submitted and changes nothing."""
    application = _visible(request.user, pk)
    try:
        if application.state == State.RETURNED:
            application = services.application_resubmit(actor=request.user, application=application)
            submitted = True
        else:
            duplicates = _duplicates(request.user, application) if application.state == State.DRAFT else []
            if duplicates and not _duplicate_confirmed(request):
                messages.warning(request, _duplicate_question(duplicates))
                return redirect("approvals:edit", application.pk)
            application, submitted = services.application_submit(
                actor=request.user, application=application, comment=_duplicate_comment(duplicates)
            )
    except DomainError as error:
        messages.error(request, str(error))
        if application.state in EDITABLE_STATES and application_policy.user_has_permission_for_instance(
            request.user, policies.FILE, application
        ):
            return redirect("approvals:edit", application.pk)
        return redirect("approvals:detail", application.pk)
    if not submitted:
        return _already_submitted(request, application)
    messages.success(
        request,
        _("Application %(number)s was submitted. Give the villager this receipt.")
        % {"number": application.number},
    )
    return redirect("approvals:receipt", application.pk)


# -- the villager's receipt ----------------------------------------------------------------------


@login_required
@require_safe
def receipt(request, pk: int):
    """回执: what the villager takes home, printable on A4; for anyone who may see the application."""
    application = _visible(request.user, pk)
    if not application.number:
        if application_policy.user_has_permission_for_instance(request.user, policies.FILE, application):
            return redirect("approvals:edit", application.pk)
        return redirect("approvals:detail", application.pk)
    resident = application.resident
    delegation = application.delegation
    context = {
        "application": application,
        "number_groups": application.number.split("-"),
        "masked_name": mask_name(application.applicant_name),
        "masked_id": resident.id_number_masked if resident else "",
        "office": application.handling_office,
        "delegation": delegation,
        "mode_label": DelegationMode(application.mode).label if application.mode else "",
        "is_entrustment": application.mode == DelegationMode.ENTRUSTMENT,
        "limit_days": application.limit_days or application.item.promised_limit_days,
        "window_days": deadlines.ACCEPTANCE_WINDOW_DAYS,
        "accept_by_note": deadlines.provisional_note_between(application.received_on, application.accept_by),
        "due_note": deadlines.provisional_note_between(application.accepted_on, application.due_on),
        "track_url": request.build_absolute_uri(reverse("tracking:form")),
        "received": materials_received(application),
        "data_sections": data_received(application),
    }
    return render(request, "approvals/receipt.html", context)


urlpatterns = [
    path("new/", item_list, name="new"),
    path("new/<int:item_id>/", start, name="start"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/submit/", submit, name="submit"),
    path("<int:pk>/receipt/", receipt, name="receipt"),
]
