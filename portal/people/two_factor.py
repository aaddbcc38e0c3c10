"""TOTP second factor for staff (django-otp). Compulsory for administrators and centre
supervisors when OTP_REQUIRED_FOR_ADMINISTRATORS is on (the default when DEBUG is off), for
everyone with OTP_REQUIRED_FOR_STAFF, optional otherwise.

Every Cunban login is a staff account, so "staff" here means every authenticated user.
A wrong code counts as a failed login for django-axes (per account and per address) and the
device's own throttle doubles the wait after each miss, persisting across logins.
"""

from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from portal.errors import NotPermitted

from .models import Membership, User
from .roles import Role
from .services import staff_require_manage

# Roles whose holders can change accounts, grant roles or approve: a stolen password alone must
# not be enough for them.
SECOND_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.CENTRE_SUPERVISOR})


def user_must_enrol(user) -> bool:
    """Whether `user` may not work without a confirmed authenticator app: every account under
    OTP_REQUIRED_FOR_STAFF; superusers, administrators (county or township) and centre
    supervisors under OTP_REQUIRED_FOR_ADMINISTRATORS. One query for the roles."""
    if settings.OTP_REQUIRED_FOR_STAFF:
        return True
    if not getattr(settings, "OTP_REQUIRED_FOR_ADMINISTRATORS", False):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.current().filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


def totp_device_confirmed(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_pending(user) -> TOTPDevice:
    """The unconfirmed device being enrolled, created once so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="default", confirmed=False)


def totp_secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no script, no external image)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    out = BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def user_has_totp(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def totp_failure_record(request, user) -> None:
    """Count a wrong code as a failed login (django-axes and the audit log listen)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def two_factor_reset(*, actor: User | None, user: User, reason: str = "") -> int:
    """Remove every authenticator app of `user`, who lost or replaced the phone, so that they
    enrol again at the next login. Whoever may disable the account may do it (its offices'
    administrators, `staff_require_manage`), never the account's own holder (a stolen password
    would otherwise remove the second factor it guards); `actor` None is the operator at the
    command line (`manage.py reset_two_factor`). Audited either way, with the reason."""
    if actor is not None:
        if actor.pk == user.pk:
            raise NotPermitted(_("You may not reset your own second factor; ask another administrator."))
        staff_require_manage(actor, user)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        audit_record(
            event=AuditEntry.Event.TWO_FACTOR_RESET,
            user=actor,
            object_type="people.user",
            object_id=str(user.pk),
            detail={"username": user.get_username(), "devices": removed, "reason": reason[:500]},
        )
    return removed
