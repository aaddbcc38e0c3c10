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

from .auth import lockout_minutes_text
from .forms import OTPTokenForm, StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


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

    from .two_factor import totp_device_confirmed, totp_failure_record

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

    from .two_factor import totp_device_confirmed, totp_device_pending, totp_qr_svg, totp_secret_text

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
