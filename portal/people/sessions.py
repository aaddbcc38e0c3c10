"""Absolute session lifetime, and the password-expiry gate of the dengbao policy.

A staff session ends a fixed time after login, however busy.

The idle timeout lives in settings (SESSION_COOKIE_AGE, renewed by use: `RenewingSessionMiddleware`
below); this adds the hard limit, so a session kept alive by constant use still ends (OWASP ASVS
5.0 V7.3.2).
The check runs in ``process_view``, after every middleware's request phase, so the messages
framework is ready for the "please log in again" note.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.middleware import SessionMiddleware
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from .two_factor import user_has_totp, user_must_enrol

LOGIN_AT_SESSION_KEY = "cunban_login_at"
RENEWED_AT_SESSION_KEY = "cunban_renewed_at"

# What a user who still owes a second-factor code may reach.
SECOND_FACTOR_ALLOWED = {
    "people:otp_verify",
    "people:otp_setup",
    "people:logout",
    "people:login",
    "people:contact_cancel",
    "set_language",
    "web:set_elderly_mode",
}

# What a user with an expired password may still reach: the change page itself, logout, and the
# display preferences.
EXPIRED_PASSWORD_ALLOWED = {
    "people:password_change",
    "people:logout",
    "set_language",
    "web:set_elderly_mode",
}


class RenewingSessionMiddleware(SessionMiddleware):
    """Django's session middleware, pushing an idle session's expiry forward at most once every
    SESSION_RENEW_SECONDS (60) instead of on every request.

    Why: saving the session on every request (SESSION_SAVE_EVERY_REQUEST) made every staff page
    a write and a commit, a durable WAL flush, for nothing but a timestamp: three queries and a
    few milliseconds of each page (bench/province.py). The idle limit now ends a session between
    SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE after its last use; a
    session is still saved at once whenever its content changes. Only sessions the request
    read count as used, as before (an unread session was never saved either)."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.modified and not session.is_empty():
            now = timezone.now().timestamp()
            every = min(settings.SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 2)
            renewed_at = session.get(RENEWED_AT_SESSION_KEY)
            if not isinstance(renewed_at, int | float) or not 0 <= now - renewed_at < every:
                session[RENEWED_AT_SESSION_KEY] = now
        return super().process_response(request, response)


@receiver(user_logged_in, dispatch_uid="cunban_session_login_time")
def _remember_login_time(sender, request, user, **kwargs) -> None:
    """Stamp the session at login; the middleware measures the absolute lifetime from it."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = timezone.now().timestamp()


class SessionLifetimeMiddleware:
    """Log out a user whose session is older than SESSION_ABSOLUTE_SECONDS and send them to login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = timezone.now().timestamp()
        login_at = request.session.get(LOGIN_AT_SESSION_KEY)
        if login_at is None:
            # A session from before this check existed: start counting now.
            request.session[LOGIN_AT_SESSION_KEY] = now
            return None
        limit = settings.SESSION_ABSOLUTE_SECONDS
        if limit and now - float(login_at) > limit:
            next_path = request.get_full_path()
            logout(request)
            messages.info(request, gettext("Your session has ended for safety. Please log in again."))
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': next_path})}")
        return self._second_factor_gate(request, user) or self._password_expiry_gate(request, user)

    @staticmethod
    def _second_factor_gate(request, user):
        """Staff with a confirmed authenticator enter a code before anything else; those who
        must have one (`user_must_enrol`: administrators and supervisors in production, everyone
        with OTP_REQUIRED_FOR_STAFF) enrol first. Costs one or two queries per request until
        the session is verified."""
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in SECOND_FACTOR_ALLOWED:
            return None
        if not hasattr(user, "is_verified") or user.is_verified():
            return None
        query = urlencode({"next": request.get_full_path()})
        if user_has_totp(user):
            return redirect(f"{reverse('people:otp_verify')}?{query}")
        if user_must_enrol(user):
            return redirect(f"{reverse('people:otp_setup')}?{query}")
        return None

    @staticmethod
    def _password_expiry_gate(request, user):
        """Under PASSWORD_MAX_AGE_DAYS, an old password sends the user to change it first."""
        max_age = settings.PASSWORD_MAX_AGE_DAYS
        if not max_age or not user.password_expired(max_age_days=max_age):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in EXPIRED_PASSWORD_ALLOWED:
            return None
        messages.warning(
            request,
            gettext("Your password is older than %(days)d days. Please choose a new one.")
            % {"days": max_age},
        )
        return redirect("people:password_change")
