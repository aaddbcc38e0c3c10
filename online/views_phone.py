"""The villager's pages on their own phone (/m/<token>/): no account, plain POST forms that work
without JavaScript, one file a request, small pages.

The token is in the address, so every answer says `Referrer-Policy: same-origin` (no referrer
to any other site) and
`Cache-Control: no-store`, and no page links away with it. Every request after the code passes
`services.remote_access` (the one check); a token nobody has is answered exactly like a link
not opened in this browser yet.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals import item_data
from approvals.forms_item_data import ItemDataForm, raw_input
from approvals.tracking import CODE_DIGITS, CODE_VALID
from approvals.tracking_session import browser_value
from portal.errors import DomainError, NotPermitted
from portal.throttle.client_address import client_address
from portal.web.cache_headers import no_store
from services_catalog.item_forms.values import flatten

from . import selectors, services
from .forms import CodeForm, SignForm, UploadForm
from .models import RemoteLink

TOKEN_MAX = 64


REFERRER_POLICY = "same-origin"
"""The token never leaves this site in a Referer. Not "no-referrer": with it, browsers send
`Origin: null` on the pages' own POSTs, which Django's CSRF check rightly refuses."""


def phone_page(view):
    """No referrer to other sites (the token is in the address), never stored by a cache,
    never indexed."""

    @no_store
    @wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        token = token if len(token) <= TOKEN_MAX else ""
        response = view(request, token, *args, **kwargs)
        response["Referrer-Policy"] = REFERRER_POLICY
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _browser(request) -> str:
    return browser_value(request.session)


def _code_sent_text() -> str:
    return _(
        "If this link is still valid, a %(digits)s-digit code is on its way to the phone it was sent to. "
        "Type it below within %(minutes)s minutes, in this browser. No text after a few minutes? The link "
        "may have expired or been withdrawn: ask your village assistant for a new one."
    ) % {"digits": CODE_DIGITS, "minutes": int(CODE_VALID.total_seconds() // 60)}


def _code_page(request, token: str, *, form=None, sent: str = "", refused: str = "", status: int = 200):
    return render(
        request,
        "online/phone_code.html",
        {"token": token, "form": form or CodeForm(), "sent": sent, "refused": refused},
        status=status,
    )


def _closed_page(request, token: str, message: str, link: RemoteLink | None = None):
    return render(request, "online/phone_closed.html", {"token": token, "message": message, "link": link})


def _data_form(link: RemoteLink, data=None) -> ItemDataForm | None:
    """The asked fields of the item's form (the rest of the form is not shown here)."""
    application = link.application
    version = (
        item_data.version_for_draft(application) if application.state == "draft" else application.form_version
    )
    if version is None or version.spec.is_empty or not link.field_keys:
        return None
    keys = {
        k for k in link.field_keys if (spec := version.spec.field(k)) is not None and not spec.office_only
    }
    # Masked, as every page but the filer's own shows the data: the link may reach a phone that
    # is not the villager's, and a household member's ID number is not the link holder's to read
    # (the service puts a masked number left as shown back to the full one).
    shown = application.item_data or {}
    return ItemDataForm(
        data,
        spec=version.spec,
        regions=item_data.regions(),
        stored=shown,
        keys=keys,
        initial_flat=flatten(version.spec, shown),
    )


def _main_page(
    request,
    token: str,
    link: RemoteLink,
    *,
    upload_errors=None,
    data_form=None,
    sign_form=None,
    status: int = 200,
):
    application = link.application
    materials = list(application.item.materials.filter(pk__in=link.material_ids)) if link.material_ids else []
    files = selectors.villager_files(link)
    consent = selectors.latest_consent(link) if link.asks_consent else None
    rows = [
        {
            "material": material,
            "files": files.get(material.pk, []),
            "errors": (upload_errors or {}).get(material.pk, []),
            "form": UploadForm(auto_id=f"id_m{material.pk}_%s"),
        }
        for material in materials
    ]
    context = {
        "token": token,
        "link": link,
        "application": application,
        "assistant": link.sent_by,
        "rows": rows,
        "data_form": data_form if data_form is not None else _data_form(link),
        "consent": consent,
        "consent_text": services.consent_text_for(link) if link.asks_consent and consent is None else "",
        "sign_form": sign_form or SignForm(initial={"name": "", "method": "typed"}),
    }
    return render(request, "online/phone_main.html", context, status=status)


def _access(request, token: str, *, change: bool = True):
    """(link, None), or (None, the page to answer with)."""
    try:
        return services.remote_access(token=token, browser=_browser(request), change=change), None
    except services.NotOpened:
        return None, _code_page(request, token)
    except services.RemoteRefused as error:
        link = services.remote_access(token=token, browser=_browser(request), change=False)
        return None, _closed_page(request, token, str(error), link)


@phone_page
@require_http_methods(["GET", "HEAD"])
def open_link(request, token: str):
    """The code page until this browser opened the link; then what the assistant asked for."""
    link, answer = _access(request, token)
    if answer is not None:
        return answer
    return _main_page(request, token, link)


@phone_page
@require_POST
def code_send(request, token: str):
    try:
        services.remote_code_send(token=token, address=client_address(request), browser=_browser(request))
    except services.RemoteRefused as error:
        return _code_page(request, token, refused=str(error), status=429)
    return _code_page(request, token, sent=_code_sent_text())


@phone_page
@require_POST
def code_enter(request, token: str):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, token, form=form, status=400)
    try:
        services.remote_link_open(
            token=token,
            code=form.cleaned_data["code"],
            address=client_address(request),
            browser=_browser(request),
        )
    except services.OtherDevice as error:
        return _closed_page(request, token, str(error))
    except services.RemoteRefused as error:
        return _code_page(request, token, form=CodeForm(), refused=str(error), status=400)
    request.session.cycle_key()  # a new session id once the link is bound to this browser
    return redirect("online:open", token)


@phone_page
@require_POST
def upload(request, token: str, material_id: int):
    """One file for one material: a refusal comes back next to that material only."""
    link, answer = _access(request, token)
    if answer is not None:
        return answer
    form = UploadForm(request.POST, request.FILES, auto_id=f"id_m{material_id}_%s")
    errors: list[str] = []
    if form.is_valid():
        try:
            services.remote_upload(
                token=token,
                browser=_browser(request),
                material_id=material_id,
                uploaded=form.cleaned_data["file"],
            )
        except ValidationError as error:
            errors = list(error.messages)
        except NotPermitted as error:
            errors = [str(error)]
        except DomainError as error:
            return _closed_page(request, token, str(error), link)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    if errors:
        return _main_page(request, token, link, upload_errors={material_id: errors}, status=400)
    messages.success(request, _("Uploaded. Your assistant can see it now."))
    return redirect(reverse("online:open", args=[token]) + f"#m{material_id}")


@phone_page
@require_POST
def answers(request, token: str):
    link, answer = _access(request, token)
    if answer is not None:
        return answer
    data_form = _data_form(link, data=request.POST)
    if data_form is None:
        return _closed_page(request, token, _("This link does not ask for any answers."), link)
    try:
        parsed = services.remote_fields_save(
            token=token, browser=_browser(request), raw=raw_input(request.POST)
        )
    except DomainError as error:
        return _closed_page(request, token, str(error), link)
    if parsed.errors:
        data_form.add_refusals(parsed.errors)
        return _main_page(request, token, link, data_form=data_form, status=400)
    messages.success(request, _("Your answers were saved."))
    return redirect(reverse("online:open", args=[token]) + "#answers")


@phone_page
@require_POST
def sign_code(request, token: str):
    """A fresh code for signing with the typed name (the way without the signature box)."""
    link, answer = _access(request, token)
    if answer is not None:
        return answer
    try:
        services.remote_code_send(
            token=token, address=client_address(request), browser=_browser(request), purpose="sign"
        )
    except services.RemoteRefused as error:
        messages.error(request, str(error))
    else:
        messages.info(
            request, _("A code to sign is on its way by text message. Type it below with your name.")
        )
    return redirect(reverse("online:open", args=[token]) + "#consent")


@phone_page
@require_POST
def sign(request, token: str):
    link, answer = _access(request, token)
    if answer is not None:
        return answer
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.remote_consent_sign(
                token=token,
                browser=_browser(request),
                name=form.cleaned_data["name"],
                method=form.cleaned_data["method"],
                signature=form.cleaned_data["signature"],
                code=form.cleaned_data["code"],
                user_agent=request.headers.get("User-Agent", ""),
                address=client_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.RemoteRefused as error:
            form.add_error("code", str(error))
        except NotPermitted as error:
            form.add_error(None, str(error))
    if form.errors:
        return _main_page(request, token, link, sign_form=form, status=400)
    messages.success(request, _("Thank you: the authorisation is signed. Your assistant can see it now."))
    return redirect(reverse("online:open", args=[token]) + "#consent")


@phone_page
@require_POST
def done(request, token: str):
    link, answer = _access(request, token)
    if answer is not None:
        return answer
    services.remote_link_finish(token=token, browser=_browser(request))
    assistant = link.sent_by.get_full_name() if link.sent_by else _("your village assistant")
    return _closed_page(
        request,
        token,
        _("Done. %(assistant)s will check what you sent and hand in the application for you.")
        % {"assistant": assistant},
        link,
    )
