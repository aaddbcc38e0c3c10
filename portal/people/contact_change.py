"""Changing a staff member's e-mail or mobile: requested by the owner or their administrator,
applied only when the owner confirms (issue 16, finding 2).

Why: the e-mail is where a password reset goes and the mobile is a login handle. If an
administrator could set them freely, they could reset a colleague's password to an address
they read and log in as them. So every change waits for the owner: logged in with their own
password, they open the link mailed to the new address, or type the code texted to the new
mobile. Until then the old value stays in force. The old address and mobile are told, with a
link that cancels ("this was not me"). Request, confirmation and cancellation are audited with
masked values.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from portal.errors import DomainError, NotPermitted
from portal.outbox.models import mask_mobile
from portal.outbox.services import message_queue
from portal.throttle import limits

from .crypto import keyed_digest
from .identity import normalise_mobile, validate_mobile
from .models import ContactChange, User
from .services import staff_require_manage
from .tasks import account_mail_enqueue

CHANGE_LIFETIME = timedelta(hours=24)
MOBILE_CODE_ATTEMPTS = limits.CONTACT_CHANGE_WRONG_CODES.maximum
Field = ContactChange.Field
State = ContactChange.State


def mask_email(address: str) -> str:
    """z***@example.com: enough to recognise an address in the audit log, not to use it."""
    if not address:
        return ""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_contact(field: str, value: str) -> str:
    if not value:
        return ""
    return mask_email(value) if field == Field.EMAIL else mask_mobile(value)


def _digest(change_kind: str, secret: str) -> str:
    return keyed_digest(f"contact-change:{change_kind}:{secret}")


def _matches(stored: str, change_kind: str, secret: str) -> bool:
    return bool(stored) and hmac.compare_digest(stored, _digest(change_kind, secret))


def _audit(
    action: str, change: ContactChange, *, actor: User | None, outcome: str = AuditEntry.Outcome.OK
) -> None:
    audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        outcome=outcome,
        user=actor,
        object_type="people.user",
        object_id=str(change.user_id),
        detail={
            "act": action,
            "field": change.field,
            "before": mask_contact(change.field, change.old_value),
            "after": mask_contact(change.field, change.new_value),
            "change": change.pk,
            "account": change.user.get_username(),
        },
    )


def _clean_value(field: str, value: str, *, user: User) -> str:
    value = (value or "").strip()
    if field == Field.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as error:
            raise DomainError(_("Enter a valid e-mail address.")) from error
        return value
    value = normalise_mobile(value)
    try:
        validate_mobile(value)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    if User.objects.filter(mobile=value).exclude(pk=user.pk).exists():
        raise DomainError(_("Another account already uses this mobile."))
    return value


def _absolute(path: str) -> str:
    return f"{settings.SITE_BASE_URL}{path}"


def contact_change_request(*, actor: User, user: User, field: str, new_value: str) -> ContactChange | None:
    """Ask to change `user`'s e-mail or mobile to `new_value`; nothing changes until the owner
    confirms. `actor` is the owner or an administrator who may manage the account. Returns the
    pending change, or None when the value is already in force (an older request is then
    withdrawn). A newer request replaces an older one for the same field."""
    if field not in Field.values:
        raise DomainError(_("Unknown field."))
    if actor.pk != user.pk:
        staff_require_manage(actor, user)
    with transaction.atomic():
        # The values in force come from the database: a form may have set the new ones on `user`.
        user = User.objects.select_for_update().get(pk=user.pk)
        current = getattr(user, field) or ""
        previous = list(ContactChange.objects.filter(user=user, field=field, state=State.PENDING))
        for old in previous:
            old.state = State.SUPERSEDED
            old.decided_at = timezone.now()
            old.save(update_fields=["state", "decided_at"])
            _audit("contact_change_superseded", old, actor=actor)
        if not (new_value or "").strip():
            if current:
                _remove(actor=actor, user=user, field=field, current=current)
            return None
        value = _clean_value(field, new_value, user=user)
        if value == current:
            return None
        secret = secrets.token_urlsafe(24) if field == Field.EMAIL else f"{secrets.randbelow(10**6):06d}"
        cancel = secrets.token_urlsafe(24)
        change = ContactChange.objects.create(
            user=user,
            field=field,
            old_value=current,
            new_value=value,
            requested_by=actor,
            secret_digest=_digest("confirm", secret),
            cancel_digest=_digest("cancel", cancel),
            expires_at=timezone.now() + CHANGE_LIFETIME,
        )
        _audit("contact_change_requested", change, actor=actor)
        _notify(change, secret=secret, cancel=cancel, by_owner=actor.pk == user.pk)
    return change


def _remove(*, actor: User, user: User, field: str, current: str) -> None:
    """Removing an e-mail or mobile hands nothing to anyone (no reset link, no login handle
    goes elsewhere), so it applies at once; it is audited and the old value is told."""
    setattr(user, field, None if field == Field.MOBILE else "")
    user.save(update_fields=[field])
    audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        user=actor,
        object_type="people.user",
        object_id=str(user.pk),
        detail={
            "act": "contact_removed",
            "field": field,
            "before": mask_contact(field, current),
            "after": "",
            "account": user.get_username(),
        },
    )
    notice = _(
        "Cunban: the %(what)s of account %(account)s was removed. Not expected? Tell your administrator."
    ) % {
        "what": _("e-mail address") if field == Field.EMAIL else _("mobile"),
        "account": user.get_username(),
    }
    if field == Field.EMAIL:
        _mail_on_commit(_("A change of your account's contact details"), notice, current)
    else:
        message_queue(
            to_mobile=current,
            body=notice,
            topic="contact-change",
            template="contact-removed",
            params={"what": _("mobile"), "account": user.get_username()},
        )


def _notify(change: ContactChange, *, secret: str, cancel: str, by_owner: bool) -> None:
    """The new address gets the link (the new mobile the code); the old e-mail and mobile on file
    are told, with the cancel link. Queued in the request's transaction (SMS through the
    outbox) or sent after it commits (e-mail to an address that is not on file yet)."""
    user = change.user
    cancel_url = _absolute(reverse("people:contact_cancel", args=[change.pk, cancel]))
    hours = int(CHANGE_LIFETIME.total_seconds() // 3600)
    what = _("e-mail address") if change.field == Field.EMAIL else _("mobile")
    if change.field == Field.EMAIL:
        confirm_url = _absolute(reverse("people:contact_confirm", args=[change.pk, secret]))
        body = _(
            "Someone asked to make this the e-mail address of the Cunban account %(account)s. "
            "If it is yours, log in with your own password and open this link within %(hours)d "
            "hours: %(url)s\nIf not, ignore this message: nothing changes."
        ) % {"account": user.get_username(), "hours": hours, "url": confirm_url}
        _mail_on_commit(_("Confirm your new e-mail address"), body, change.new_value)
    else:
        body = _(
            "Cunban: code %(code)s confirms this mobile for account %(account)s. Enter it after "
            "logging in, within %(hours)d hours. Not you? Ignore this message."
        ) % {"code": secret, "account": user.get_username(), "hours": hours}
        message_queue(
            to_mobile=change.new_value,
            body=body,
            topic="contact-change",
            reference=f"contact:{change.pk}",
            template="contact-code",
            params={"code": secret, "account": user.get_username(), "hours": hours},
        )
    who = (
        _("you")
        if by_owner
        else (change.requested_by.get_full_name() if change.requested_by else _("an administrator"))
    )
    notice_values = {
        "who": who,
        "what": what,
        "account": user.get_username(),
        "new": mask_contact(change.field, change.new_value),
        "url": cancel_url,
    }
    notice = (
        _(
            "Cunban: %(who)s asked to change the %(what)s of account %(account)s to %(new)s. It "
            "changes only when the account's owner confirms. This was not you? Cancel it: %(url)s"
        )
        % notice_values
    )
    if user.email:
        _mail_on_commit(_("A change of your account's contact details was asked for"), notice, user.email)
    if user.mobile:
        message_queue(
            to_mobile=user.mobile,
            body=notice,
            topic="contact-change",
            reference=f"contact:{change.pk}",
            params=notice_values,
        )


def _mail_on_commit(subject: str, body: str, address: str) -> None:
    account_mail_enqueue(subject=subject, body=body, address=address)


def contact_change_pending(*, user: User) -> list[ContactChange]:
    """The owner's changes still waiting for confirmation (expired ones left out)."""
    return list(
        ContactChange.objects.filter(user=user, state=State.PENDING, expires_at__gt=timezone.now()).order_by(
            "field", "-created_at"
        )
    )


def contact_change_confirm(*, actor: User, change_id: int, secret: str) -> ContactChange:
    """The owner, logged in, proves the new address (the link's secret) or mobile (the code),
    and the new value comes into force. Anyone else, a used, cancelled, replaced or expired
    request, or a wrong secret is refused; five wrong mobile codes end the request."""
    with transaction.atomic():
        change = ContactChange.objects.select_for_update().select_related("user").filter(pk=change_id).first()
        if change is None or change.user_id != actor.pk:
            raise NotPermitted(_("This confirmation is for another account. Log in as its owner."))
        if change.state != State.PENDING or change.expires_at <= timezone.now():
            raise DomainError(_("This request is no longer open. Ask for the change again."))
        if not _matches(change.secret_digest, "confirm", (secret or "").strip()):
            change.failed_attempts += 1
            if change.failed_attempts >= MOBILE_CODE_ATTEMPTS:
                change.state = State.FAILED
                change.decided_at = timezone.now()
            change.save(update_fields=["failed_attempts", "state", "decided_at"])
            _audit("contact_change_confirm_failed", change, actor=actor, outcome=AuditEntry.Outcome.FAILED)
            wrong = DomainError(_("That code is not right."))
        else:
            wrong = None
            user = User.objects.select_for_update().get(pk=change.user_id)
            setattr(user, change.field, change.new_value)
            try:
                with transaction.atomic():
                    user.save(update_fields=[change.field])
            except IntegrityError as error:
                raise DomainError(_("Another account already uses this mobile.")) from error
            change.state = State.CONFIRMED
            change.decided_at = timezone.now()
            change.save(update_fields=["state", "decided_at"])
            _audit("contact_change_confirmed", change, actor=actor)
    if wrong is not None:  # the failed attempt above is committed before the refusal
        raise wrong
    return change


def contact_change_cancel(*, change_id: int, secret: str = "", actor: User | None = None) -> ContactChange:
    """ "This was not me": the holder of the old address or mobile (the cancel link's secret) or
    the owner, logged in, withdraws a pending change."""
    with transaction.atomic():
        change = ContactChange.objects.select_for_update().select_related("user").filter(pk=change_id).first()
        owner = actor is not None and change is not None and change.user_id == actor.pk
        if change is None or not (owner or _matches(change.cancel_digest, "cancel", secret or "")):
            raise DomainError(_("This link is not valid."))
        if change.state != State.PENDING:
            return change
        change.state = State.CANCELLED
        change.decided_at = timezone.now()
        change.save(update_fields=["state", "decided_at"])
        _audit("contact_change_cancelled", change, actor=actor)
    return change
