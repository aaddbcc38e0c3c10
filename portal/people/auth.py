"""Staff log in with their username or their mobile number and a password."""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils.timesince import timeuntil

from .identity import normalise_mobile


class UsernameOrMobileBackend(ModelBackend):
    """ModelBackend that also accepts an 11-digit mobile in the username field.

    Like ModelBackend it runs the hasher for unknown users too, so the response time does not
    tell an attacker whether an account exists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        handle = username.strip()
        mobile = normalise_mobile(handle)
        user_model = get_user_model()
        condition = Q(username__iexact=handle)
        if mobile.isdigit() and len(mobile) == 11:
            condition |= Q(mobile=mobile)
        user = user_model._default_manager.filter(condition).order_by("pk").first()
        if user is None:
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials=None) -> str:
    """The key django-axes counts failures under: the account's own username when the handle
    names an account, else the typed handle in lower case.

    Without it "clerk_a", "Clerk_A" and the clerk's mobile would each get their own five tries,
    since the backend matches all three to one account. Nothing of the lookup reaches the
    client: the same lockout page answers for unknown handles.
    """
    handle = ""
    if credentials:
        handle = credentials.get("username") or ""
    if not handle and request is not None:
        handle = getattr(request, "POST", {}).get("username", "")
    handle = (handle or "").strip()
    if not handle:
        return ""
    condition = Q(username__iexact=handle)
    mobile = normalise_mobile(handle)
    if mobile.isdigit() and len(mobile) == 11:
        condition |= Q(mobile=mobile)
    username = (
        get_user_model()
        ._default_manager.filter(condition)
        .order_by("pk")
        .values_list("username", flat=True)
        .first()
    )
    return (username or handle).lower()


def lockout_minutes_text(cooloff: timedelta) -> str:
    """The cool-off as words in the current language ("15 分钟"), from Django's own catalogue."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return timeuntil(start + cooloff, start)
