"""Rating pages: the villager's form behind the tracking proof, the assistant's form for the
villager, and the staff pages that work bad ratings (rectification, revisit, appeal), the
figures and the county's rules. Views fetch through `ratings.selectors` and change things only
through `ratings.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from approvals import selectors as application_selectors
from approvals import tracking_session
from approvals.models import Application
from approvals.tracking import normalise_number
from portal.errors import DomainError
from portal.people.identity import mask_name
from portal.web.steps import perform_step

from . import figures, forms, panels, policies, selectors, services
from .models import Channel, QualitySettings, Rating, RatingAppeal, Rectification
from .policies import appeal_policy, rating_policy

PAGE_SIZE = 50
"""Applications this browser reached through a paper's QR code: their rating says so."""


def _status(form) -> int:
    return 400 if form.is_bound and not form.is_valid() else 200


def _initial(rating: Rating | None) -> dict:
    if rating is None:
        return {}
    return {
        "level": rating.level,
        "reasons": rating.reasons,
        "comment": rating.comment,
        "assistant_level": rating.assistant_level,
    }


def _submit(request, form, application: Application, *, channel: str, actor) -> DomainError | None:
    data = form.cleaned_data
    try:
        services.rating_submit(
            application=application,
            level=data["level"],
            reasons=data["reasons"],
            comment=data["comment"],
            assistant_level=data["assistant_level"],
            channel=channel,
            actor=actor,
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return error
    return None


# -- the villager ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def villager_rate(request, number: str):
    """After the tracking proof only; the page never shows who handled the case by name."""
    number = normalise_number(number)
    application = tracking_session.tracked_application(request.session, number)
    if application is None:
        return tracking_session.to_tracking_form(number)
    context = panels.rating_panel(application)
    detail = reverse("tracking:detail", args=[application.number])
    if not context["rating_open"]:
        messages.info(request, context["rating_blocker"] or _("This application has been rated. Thank you."))
        return redirect(detail)
    form = forms.RatingForm(request.POST or None, initial=_initial(context["rating"]))
    if request.method == "POST" and form.is_valid():
        via_qr = tracking_session.came_by_qr(request.session, application.pk)
        channel = Channel.QR if via_qr else Channel.TRACKING
        if _submit(request, form, application, channel=channel, actor=None) is None:
            messages.success(request, _("Thank you: your rating has been recorded (评价已提交)."))
            return redirect(detail)
    return render(
        request,
        "ratings/rate.html",
        {
            "application": application,
            "form": form,
            "name": mask_name(application.applicant_name),
            "back": detail,
            **context,
        },
        status=_status(form),
    )


# -- the assistant records it for the villager ----------------------------------------------------


def _application(request, pk: int) -> Application:
    try:
        return application_selectors.application_detail_for(request.user, pk)
    except Application.DoesNotExist as error:
        raise Http404 from error


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assisted_rate(request, pk: int):
    application = _application(request, pk)
    detail = reverse("approvals:detail", args=[pk])
    if not rating_policy.user_has_permission_for_instance(request.user, policies.RATE, application):
        messages.error(request, _("Only the village assistant of the villager's station records a rating."))
        return redirect(detail)
    context = panels.rating_panel(application, assisted=True)
    if not context["rating_open"]:
        messages.info(request, context["rating_blocker"] or _("This application has been rated already."))
        return redirect(detail)
    form = forms.AssistedRatingForm(request.POST or None, initial=_initial(context["rating"]))
    if request.method == "POST" and form.is_valid():
        channel = form.cleaned_data["channel"]
        if _submit(request, form, application, channel=channel, actor=request.user) is None:
            messages.success(request, _("The villager's rating is recorded, marked as entered by you."))
            return redirect(detail)
    return render(
        request,
        "ratings/rate.html",
        {
            "application": application,
            "form": form,
            "name": application.applicant_name,
            "back": detail,
            **context,
        },
        status=_status(form),
    )


# -- rectification --------------------------------------------------------------------------------


def _rectification(request, pk: int) -> Rectification:
    try:
        rectification = selectors.rectification_detail_for(request.user, pk)
    except Rectification.DoesNotExist as error:
        raise Http404 from error
    selectors.with_provisional_notes([rectification])
    return rectification


@login_required
@require_safe
def rectification_list(request):
    form = forms.RectificationFilterForm(request.GET or None)
    state, overdue = "", False
    if form.is_bound and form.is_valid():
        state, overdue = form.cleaned_data["state"], form.cleaned_data["overdue"]
    queryset = selectors.rectification_list_for(request.user, state=state, overdue=overdue)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_provisional_notes(page.object_list)
    return render(
        request,
        "ratings/rectification_list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "appeals": selectors.appeals_for(request.user).count()
            if appeal_policy.user_has_permission(request.user, policies.DECIDE)
            else None,
            # the figures' link only for whoever the figures page opens for (issue 18, gap 3)
            "may_see_figures": rating_policy.user_has_permission(request.user, policies.SEE_FIGURES),
        },
    )


@login_required
@require_safe
def rectification_detail(request, pk: int):
    rectification = _rectification(request, pk)
    rating = rectification.rating
    appeal = selectors.appeal_of(rating)
    return render(
        request,
        "ratings/rectification_detail.html",
        {
            "rectification": rectification,
            "rating": rating,
            "application": rating.application,
            "events": selectors.events_of(rating),
            "appeal": appeal,
            "may_answer": services.may_answer(request.user, rectification),
            "may_revisit": services.may_record_revisit(request.user, rectification),
            "may_appeal": rectification.is_open and services.may_appeal(request.user, rating),
            "today": timezone.localdate(),
        },
    )


def _rectification_step(request, pk: int, form_class, run, *, title: str, allowed):
    rectification = _rectification(request, pk)
    back = reverse("ratings:rectification", args=[pk])
    if not allowed(rectification):
        messages.error(request, _("You cannot do that on this rectification now."))
        return redirect(back)
    form = form_class(request.POST or None)
    done = perform_step(request, form, lambda: run(rectification, form.cleaned_data), back)
    if done is not None:
        return done
    return render(
        request,
        "ratings/step.html",
        {
            "rectification": rectification,
            "application": rectification.rating.application,
            "form": form,
            "title": title,
            "back": back,
        },
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rectification_answer(request, pk: int):
    def run(rectification, data):
        services.rectification_answer(actor=request.user, rectification=rectification, answer=data["answer"])
        return _("The answer is recorded. Now call the villager and record the revisit (回访).")

    return _rectification_step(
        request,
        pk,
        forms.AnswerForm,
        run,
        title=_("Answer the bad rating (整改反馈)"),
        allowed=lambda r: services.may_answer(request.user, r),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rectification_revisit(request, pk: int):
    def run(rectification, data):
        services.rectification_revisit(
            actor=request.user, rectification=rectification, satisfied=data["satisfied"], note=data["note"]
        )
        return _("The revisit is recorded.")

    return _rectification_step(
        request,
        pk,
        forms.RevisitForm,
        run,
        title=_("Record the revisit (回访)"),
        allowed=lambda r: services.may_record_revisit(request.user, r),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rectification_appeal(request, pk: int):
    def run(rectification, data):
        services.appeal_file(actor=request.user, rating=rectification.rating, reason=data["reason"])
        return _("The appeal is sent to the county administrator. The rectification's date still stands.")

    return _rectification_step(
        request,
        pk,
        forms.AppealForm,
        run,
        title=_("Appeal the rating (差评申诉)"),
        allowed=lambda r: r.is_open and services.may_appeal(request.user, r.rating),
    )


# -- appeals --------------------------------------------------------------------------------------


@login_required
@require_safe
def appeal_list(request):
    if not appeal_policy.user_has_permission(request.user, policies.DECIDE):
        raise Http404
    page = Paginator(selectors.appeals_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ratings/appeal_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_decide(request, pk: int):
    try:
        appeal = selectors.appeal_detail_for(request.user, pk)
    except RatingAppeal.DoesNotExist as error:
        raise Http404 from error
    rating = appeal.rating
    rectification = rating.rectifications.order_by("-pk").first()
    decidable = (
        services.may_decide_appeal(request.user, appeal) and appeal.outcome == RatingAppeal.Outcome.PENDING
    )
    form = forms.AppealDecisionForm(request.POST or None) if decidable else None
    if request.method == "POST":
        if form is None:
            messages.error(
                request, _("This appeal is not yours to decide, or was decided already. (已被处理)")
            )
            return redirect("ratings:appeal", pk=pk)
        if form.is_valid():
            try:
                services.appeal_decide(
                    actor=request.user,
                    appeal=appeal,
                    set_aside=form.cleaned_data["outcome"] == RatingAppeal.Outcome.SET_ASIDE,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("ratings:appeals")
    return render(
        request,
        "ratings/appeal_detail.html",
        {
            "appeal": appeal,
            "rating": rating,
            "rectification": rectification,
            "application": rating.application,
            "events": selectors.events_of(rating),
            "form": form,
        },
        status=_status(form) if form is not None else 200,
    )


# -- figures and rules ----------------------------------------------------------------------------


@login_required
@require_safe
def figures_page(request):
    tables = figures.for_user(request.user)
    if not any(tables.values()) and not rating_policy.user_has_permission(request.user, policies.SEE_FIGURES):
        raise Http404
    return render(
        request,
        "ratings/figures.html",
        {**tables, "may_set_rules": rating_policy.user_has_permission(request.user, policies.SET_RULES)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rules(request):
    if not rating_policy.user_has_permission(request.user, policies.SET_RULES):
        raise Http404
    current = QualitySettings.current()
    form = forms.RulesForm(
        request.POST or None,
        initial={
            "rectification_days": current.rectification_days,
            "change_window_hours": current.change_window_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quality_settings_save(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The rating rules are saved; they apply to ratings from now on."))
            return redirect("ratings:figures")
    return render(request, "ratings/rules.html", {"form": form, "current": current}, status=_status(form))


@require_safe
def public_summary(request):
    """Per township: counts and shares only. No person, no case, no office's staff."""
    townships = selectors.townships()
    table = figures.by_township(townships)
    codes = {township.pk: township.code for township in townships}
    for row in table:  # each township's name opens its public promise list
        row.link = reverse("promises:list", args=[codes[row.key]])
    response = render(request, "ratings/public_summary.html", {"table": table})
    response["Cache-Control"] = "public, max-age=300"
    return response


tracking_urlpatterns = [path("<str:number>/rate/", villager_rate, name="rate")]

urlpatterns = [
    path("applications/<int:pk>/rating/", assisted_rate, name="assisted_rate"),
    path("rectifications/", rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", rectification_detail, name="rectification"),
    path("rectifications/<int:pk>/answer/", rectification_answer, name="answer"),
    path("rectifications/<int:pk>/revisit/", rectification_revisit, name="revisit"),
    path("rectifications/<int:pk>/appeal/", rectification_appeal, name="appeal_file"),
    path("appeals/", appeal_list, name="appeals"),
    path("appeals/<int:pk>/", appeal_decide, name="appeal"),
    path("satisfaction/", figures_page, name="figures"),
    path("satisfaction/rules/", rules, name="rules"),
]

public_urlpatterns = [path("", public_summary, name="summary")]
