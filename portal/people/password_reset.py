"""The one way to reset a staff password without being logged in (issue 16, finding 15).

Why its own path: Wagtail's `/admin/password_reset/` counted nothing, wrote no audit entry and,
with an e-mail an administrator could set freely, handed accounts over (finding 2). Here a
request by username or e-mail mails a one-time link (Django's token generator: it dies when the
password changes or after PASSWORD_RESET_TIMEOUT) to the e-mail in force, never to a pending
one. Requests are counted per account and per client address from the audit log itself, so the
limit holds across processes and is visible to auditors; the answer is the same whether the
account exists, has an e-mail, or was throttled.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record

from .models import User
from .tasks import account_mail_enqueue

REQUESTED = "password_reset_requested"
COMPLETED = "password_reset_completed"
THROTTLE_WINDOW = timedelta(hours=1)


def _recent(**filters) -> int:
    since = timezone.now() - THROTTLE_WINDOW
    return AuditEntry.objects.filter(
        event=AuditEntry.Event.STATE_CHANGE, detail__act=REQUESTED, at__gte=since, **filters
    ).count()


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
    address_count = _recent(ip_address=client_address) if client_address else 0
    address_limited = address_count >= settings.PASSWORD_RESET_PER_ADDRESS_HOUR
    with transaction.atomic():
        if not accounts:
            audit_record(
                event=AuditEntry.Event.STATE_CHANGE,
                outcome=AuditEntry.Outcome.REFUSED if address_limited else AuditEntry.Outcome.FAILED,
                username="",
                detail={"act": REQUESTED, "reason": "throttled" if address_limited else "no account"},
            )
            return
        for user in accounts:
            account_limited = _recent(object_id=str(user.pk)) >= settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
            limited = address_limited or account_limited
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
