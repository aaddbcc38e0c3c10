"""The one way to reset a staff password without being logged in (issue 16, finding 15).

Why its own path: Wagtail's `/admin/password_reset/` counted nothing, wrote no audit entry and,
with an e-mail an administrator could set freely, handed accounts over (finding 2). Here a
request by username or e-mail mails a one-time link (Django's token generator: it dies when the
password changes or after PASSWORD_RESET_TIMEOUT) to the e-mail in force, never to a pending
one. Requests are counted per account and per client address in the one attempts store
(portal.throttle.limits: PASSWORD_RESETS_PER_ACCOUNT, PASSWORD_RESETS_PER_CLIENT), and every
one is an audit row; the answer is the same whether the account exists, has an e-mail, or was
throttled.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from portal.throttle import limits
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import limit_reached
from portal.throttle.services import attempt_record, attempts_lock

from .models import User
from .tasks import account_mail_enqueue

REQUESTED = "password_reset_requested"
COMPLETED = "password_reset_completed"
THROTTLE_WINDOW = limits.PASSWORD_RESETS_PER_ACCOUNT.window


def password_reset_accounts(*, handle: str) -> list[User]:
    """Active accounts with a usable password whose username (any case) or e-mail in force is
    `handle`. A pending e-mail change never counts: only the owner's confirmation makes it so."""
    handle = (handle or "").strip()
    if not handle:
        return []
    found = User.objects.filter(Q(username__iexact=handle) | Q(email__iexact=handle), is_active=True)
    return [user for user in found.exclude(email="") if user.has_usable_password()]


def password_reset_request(*, handle: str, client_address: str | None) -> None:
    """Mail a reset link to each matching account, unless this account or this address has
    asked too often in the last hour. Returns nothing: the caller answers the same either way.
    Every request is an audit row (the handle is not stored, only the account it matched)."""
    accounts = password_reset_accounts(handle=handle)
    with transaction.atomic():
        attempts_lock(scope=Scope.PASSWORD_RESET, client=client_address)
        address_limited = (
            limit_reached([limits.PASSWORD_RESETS_PER_CLIENT], client=client_address) is not None
        )
        if not accounts:
            audit_record(
                event=AuditEntry.Event.STATE_CHANGE,
                outcome=AuditEntry.Outcome.REFUSED if address_limited else AuditEntry.Outcome.FAILED,
                username="",
                detail={"act": REQUESTED, "reason": "throttled" if address_limited else "no account"},
            )
            attempt_record(
                scope=Scope.PASSWORD_RESET,
                client=client_address,
                outcome=Attempt.Outcome.REFUSED if address_limited else Attempt.Outcome.FAILED,
            )
            return
        for user in sorted(accounts, key=lambda account: account.pk):
            attempts_lock(scope=Scope.PASSWORD_RESET, key=str(user.pk))
            account_limited = (
                limit_reached([limits.PASSWORD_RESETS_PER_ACCOUNT], key=str(user.pk)) is not None
            )
            limited = address_limited or account_limited
            attempt_record(
                scope=Scope.PASSWORD_RESET,
                key=str(user.pk),
                client=client_address,
                outcome=Attempt.Outcome.REFUSED if limited else Attempt.Outcome.OK,
            )
            audit_record(
                event=AuditEntry.Event.STATE_CHANGE,
                outcome=AuditEntry.Outcome.REFUSED if limited else AuditEntry.Outcome.OK,
                username=user.get_username(),
                object_type="people.user",
                object_id=str(user.pk),
                detail={"act": REQUESTED, **({"reason": "throttled"} if limited else {})},
            )
            if not limited:
                _send_link(user)


def _send_link(user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = f"{settings.SITE_BASE_URL}{reverse('people:password_reset_confirm', args=[uid, token])}"
    minutes = int(settings.PASSWORD_RESET_TIMEOUT // 60)
    body = _(
        "Someone asked to reset the password of the Cunban account %(account)s. To choose a new "
        "password, open this link within %(minutes)d minutes; it works once: %(url)s\n"
        "If it was not you, ignore this message: your password stays as it is."
    ) % {"account": user.get_username(), "minutes": minutes, "url": url}
    account_mail_enqueue(subject=_("Reset your Cunban password"), body=body, address=user.email)


def password_reset_completed(*, user: User) -> None:
    """The audit row for a password set through a reset link."""
    audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        user=user,
        object_type="people.user",
        object_id=str(user.pk),
        detail={"act": COMPLETED},
    )
