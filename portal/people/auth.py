"""Staff log in with their username or their mobile number and a password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

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
