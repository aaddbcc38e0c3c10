import functools

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from portal.errors import DomainError
from portal.throttle.client_address import client_address

from .auth import lockout_minutes_text
from .contact_change import (
    contact_change_cancel,
    contact_change_confirm,
    contact_change_pending,
    contact_change_request,
)
from .forms import (
    ContactChangeForm,
    ContactCodeForm,
    OTPTokenForm,
    PasswordResetRequestForm,
    StaffLoginForm,
)
from .password_reset import password_reset_completed
from .password_reset import password_reset_request as reset_request
from .two_factor import (
    totp_device_confirmed,
    totp_device_pending,
    totp_failure_record,
    totp_qr_svg,
    totp_secret_text,
)

BACK_OFFICE_PERMISSION = "wagtailadmin.access_admin"
"""Wagtail's own question for entering /admin/; the jurisdiction's groups grant it
(administrators and editors, `jurisdiction_sync`)."""

_OPEN_TO_EVERY_LOGIN = frozenset({"wagtailadmin_logout"})


def back_office_gate(view):
    """Wraps every view of /admin/ (portal.urls): a logged-in user without back-office access
    gets a 403 page that says so, in Chinese first, and leads to their own work (/staff/).
    Wagtail itself would send them to the login page, which, as they are logged in, can only
    send them back or away (issue 16 found the loop, issue 18 the wrong answer). Anonymous
    visitors and those with access reach Wagtail unchanged."""

    @functools.wraps(view)
    def gated(request, *args, **kwargs):
        user = request.user
        match = request.resolver_match
        if (
            user.is_authenticated
            and not user.has_perm(BACK_OFFICE_PERMISSION)
            and (match is None or match.url_name not in _OPEN_TO_EVERY_LOGIN)
        ):
            return render(request, "403.html", {"back_office": True}, status=403)
        return view(request, *args, **kwargs)

    return gated


def _no_back_office(request):
    """A logged-in user whom Wagtail turned away from /admin/: told, and sent to their start page
    (sending them back to /admin/ would go round in circles with the login page)."""
    messages.info(request, gettext("Your account has no access to the back office (后台). Your work starts here."))
    return redirect("web:staff_home")


class StaffLoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.get_redirect_url().startswith("/admin/")
            and not request.user.has_perm(BACK_OFFICE_PERMISSION)
        ):
            return _no_back_office(request)
        return super().dispatch(request, *args, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
def admin_login(request):
    """Wagtail's own login page. Anonymous visitors go to the one
    staff login (which django-axes guards); a logged-in user without back-office access would
    otherwise bounce between the login page and /admin/ for ever, so they are told and sent to
    their own start page."""
    if request.user.is_authenticated and not request.user.has_perm(BACK_OFFICE_PERMISSION):
        return _no_back_office(request)
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("people:login") + (f"?{query}" if query else ""))


class StaffLogoutView(auth_views.LogoutView):
    pass


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: the current one and the new one twice (ASVS 6.2.3).
    Saving stamps ``User.password_changed_at``, which lifts the expiry gate."""

    template_name = "people/password_change.html"
    success_url = reverse_lazy("web:staff_home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, gettext("Your password has been changed."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """The lockout page (AXES_LOCKOUT_CALLABLE): the same words and status for every handle,
    known or not, and the wait in plain words instead of axes' ISO 8601 duration."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_time": lockout_minutes_text(settings.AXES_COOLOFF_TIME),
    }
    return render(request, "people/locked_out.html", context, status=429)


@login_required
def otp_verify(request):
    """The second step of login for staff with a confirmed authenticator."""
    from django_otp import login as otp_login
    from django_otp import verify_token

    device = totp_device_confirmed(request.user)
    next_url = _safe_next(request)
    if device is None:
        return redirect(next_url)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, {"username": request.user.get_username()}):
            logout(request)
            return locked_out(request)
        verified = verify_token(request.user, device.persistent_id, form.cleaned_data["code"])
        if verified is not None:
            otp_login(request, verified)
            return redirect(next_url)
        totp_failure_record(request, request.user)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
        form.add_error("code", gettext("That code is not right. Wait for a new one and try again."))
    return render(request, "people/otp_verify.html", {"form": form, "next": next_url})


@login_required
def otp_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    from django_otp import login as otp_login

    next_url = _safe_next(request)
    if totp_device_confirmed(request.user) is not None:
        if not request.user.is_verified():
            return redirect(f"{reverse('people:otp_verify')}?next={next_url}")
        return render(request, "people/otp_setup.html", {"done": True})
    device = totp_device_pending(request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, gettext("Your authenticator app is set up."))
            return redirect(next_url)
        form.add_error("code", gettext("That code is not right. Wait for a new one and try again."))
    context = {
        "form": form,
        "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308  (qrcode's own SVG, no user text)
        "secret": totp_secret_text(device),
        "next": next_url,
    }
    return render(request, "people/otp_setup.html", context)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


# -- password reset (the only one: Wagtail's is off) -------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    """Ask for a reset link by username or e-mail. The same answer whether or not an account
    matched or the request was throttled (people.password_reset)."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reset_request(handle=form.cleaned_data["handle"], client_address=client_address(request))
        return render(request, "people/password_reset_requested.html")
    return render(request, "people/password_reset.html", {"form": form})


class StaffPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from a mailed link; the link dies with the old password."""

    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("people:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_completed(user=form.user)
        messages.success(self.request, gettext("Your password has been reset. Please log in."))
        return response


# -- e-mail and mobile changes, confirmed by the owner -------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contact_settings(request):
    """The owner's own e-mail and mobile: ask for a change, type the code texted to a new
    mobile, or withdraw a pending change."""
    user = request.user
    form = ContactChangeForm(
        request.POST if request.POST.get("action") == "request" else None,
        initial={"email": user.email, "mobile": user.mobile or ""},
    )
    code_form = ContactCodeForm(request.POST if request.POST.get("action") == "code" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "request" and form.is_valid():
                asked = [
                    contact_change_request(
                        actor=user, user=user, field=name, new_value=form.cleaned_data[name]
                    )
                    for name in ("email", "mobile")
                    if (form.cleaned_data[name] or "") != (getattr(user, name) or "")
                ]
                if any(asked):
                    messages.success(
                        request,
                        gettext(
                            "We sent a link to the new e-mail or a code to the new mobile. "
                            "The change applies when you confirm it."
                        ),
                    )
                return redirect("people:contact")
            if action == "code" and code_form.is_valid():
                contact_change_confirm(
                    actor=user,
                    change_id=_int(request.POST.get("change")),
                    secret=code_form.cleaned_data["code"],
                )
                messages.success(request, gettext("Your new mobile is confirmed."))
                return redirect("people:contact")
            if action == "cancel":
                contact_change_cancel(change_id=_int(request.POST.get("change")), actor=user)
                messages.success(request, gettext("The change was cancelled."))
                return redirect("people:contact")
        except DomainError as error:
            (code_form if action == "code" else form).add_error(None, str(error))
    context = {"form": form, "code_form": code_form, "pending": contact_change_pending(user=user)}
    return render(request, "people/contact.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_confirm(request, pk: int, token: str):
    """The link mailed to a new e-mail address: the owner, logged in, confirms with a button."""
    error = ""
    if request.method == "POST":
        try:
            contact_change_confirm(actor=request.user, change_id=pk, secret=token)
        except DomainError as refused:
            error = str(refused)
        else:
            messages.success(request, gettext("Your new e-mail address is confirmed."))
            return redirect("people:contact")
    status = 400 if error else 200
    return render(request, "people/contact_confirm.html", {"error": error}, status=status)


@require_http_methods(["GET", "POST"])
def contact_cancel(request, pk: int, token: str):
    """ "This was not me": the link sent to the old e-mail and mobile cancels a pending change."""
    error, done = "", False
    if request.method == "POST":
        try:
            contact_change_cancel(change_id=pk, secret=token)
            done = True
        except DomainError as refused:
            error = str(refused)
    status = 400 if error else 200
    return render(request, "people/contact_cancel.html", {"error": error, "done": done}, status=status)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
