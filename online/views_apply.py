"""The villager's pages to apply online (网上申请) from an item's guide page, under /apply/:
who you are, the texted code, your village; then the same pages as a link from the assistant
(/m/<token>/), already open in this browser. No login, plain POST forms without JavaScript.

What the villager proved is kept in this browser's session only, for one draft: after the draft
is made, starting another needs a new code."""

import datetime
import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from approvals.tracking import CODE_DIGITS, CODE_VALID
from approvals.tracking_session import browser_value
from portal.errors import DomainError
from portal.outbox.models import mask_mobile
from portal.throttle.client_address import client_address

from . import apply
from .forms_apply import ApplicantForm, ApplyCodeForm, VillageForm

SESSION_KEY = "apply_online"
VERIFIED_FOR = datetime.timedelta(minutes=30)
"""How long a proved mobile may be used to choose the village and start the draft."""


def _item(code: str):
    item = apply.apply_item(code)
    if item is None:
        raise Http404
    return item


def _pending(request, item) -> dict | None:
    """This browser's application in progress for `item` (name, mobile, proved when), or None."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("item") != item.pk:
        return None
    return state


def _verified(state: dict | None) -> bool:
    at = parse_datetime(state.get("verified_at") or "") if state else None
    return at is not None and timezone.now() - at < VERIFIED_FOR


def _code_sent_text(mobile: str) -> str:
    return _(
        "A %(digits)s-digit code is on its way to %(mobile)s. Type it below within %(minutes)s minutes, "
        "in this browser."
    ) % {
        "digits": CODE_DIGITS,
        "mobile": mask_mobile(mobile),
        "minutes": int(CODE_VALID.total_seconds() // 60),
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request, code: str):
    """Who is applying: name and mobile; a code is texted to the mobile."""
    item = _item(code)
    state = _pending(request, item) or {}
    form = ApplicantForm(
        request.POST or None, initial={"name": state.get("name", ""), "mobile": state.get("mobile", "")}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mobile = apply.apply_mobile(form.cleaned_data["mobile"])
                apply.apply_code_send(
                    item=item,
                    mobile=mobile,
                    address=client_address(request),
                    browser=browser_value(request.session),
                )
            except apply.ApplyRefused as refusal:
                form.add_error(None, str(refusal))
                status = 429
            except DomainError as error:
                form.add_error("mobile", str(error))
            else:
                request.session[SESSION_KEY] = {
                    "item": item.pk,
                    "name": " ".join(form.cleaned_data["name"].split()),
                    "mobile": mobile,
                    "verified_at": None,
                    "token": str(uuid.uuid4()),
                }
                messages.info(request, _code_sent_text(mobile))
                return redirect("apply:code", item.item_code)
    return render(request, "online/apply_start.html", {"item": item, "form": form}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def code(request, code: str):
    """The texted code: it proves the mobile in this browser."""
    item = _item(code)
    state = _pending(request, item)
    if state is None:
        return redirect("apply:start", item.item_code)
    if _verified(state):
        return redirect("apply:village", item.item_code)
    form = ApplyCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and apply.apply_code_check(
            mobile=state["mobile"], code=form.cleaned_data["code"], browser=browser_value(request.session)
        ):
            request.session.cycle_key()  # a new session id once the browser proved the mobile
            state["verified_at"] = timezone.now().isoformat()
            request.session[SESSION_KEY] = state
            return redirect("apply:village", item.item_code)
        if form.is_valid():
            form.add_error("code", _("That code is wrong, used up or expired. Ask for a new code."))
    context = {"item": item, "form": form, "mobile": mask_mobile(state["mobile"])}
    return render(request, "online/apply_code.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def village(request, code: str):
    """Your village: its station's assistant checks the application before the township sees it."""
    item = _item(code)
    state = _pending(request, item)
    if state is None or not _verified(state):
        if state is not None:
            messages.info(request, _("Please prove your mobile again with a new code."))
        return redirect("apply:start", item.item_code)
    villages = list(apply.apply_villages(item))
    form = VillageForm(request.POST or None, villages=villages)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            chosen = next((v for v in villages if v.pk == form.cleaned_data["village"]), None)
            try:
                if chosen is None:
                    raise DomainError(_("Choose a village of this county."))
                _application, token = apply.villager_start(
                    item=item,
                    village=chosen,
                    mobile=state["mobile"],
                    name=state["name"],
                    browser=browser_value(request.session),
                    client_token=uuid.UUID(state["token"]),
                )
            except DomainError as error:
                form.add_error("village", str(error))
            else:
                request.session.pop(SESSION_KEY, None)  # one proof, one draft
                return redirect("online:open", token)
    context = {"item": item, "form": form, "name": state["name"]}
    return render(request, "online/apply_village.html", context, status=status)


urlpatterns = [
    path("<str:code>/", start, name="start"),
    path("<str:code>/code/", code, name="code"),
    path("<str:code>/village/", village, name="village"),
]
