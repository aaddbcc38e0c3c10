"""Queueing text messages, and sending them at most once.

Two halves, run by different processes:

- `message_queue` runs inside the business service's transaction (accepting an application,
  say): the message is a row like any other, so it exists exactly when the change does.
- `outbox_send_pending` runs later (`manage.py send_outbox`, the `outbox_send_task` task),
  possibly in several processes at once. It claims one due message at a time, marks it
  `sending` and commits *before* calling the sender, then records the outcome. A message is
  therefore handed to the sender at most once: a second worker never sees it as due, and a
  process that dies after the sender call leaves the row in `sending`, where it is reported
  (`SendReport.stuck`), never resent. A lost SMS can be queued again; a doubled one cannot be
  taken back.
"""

import datetime
import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_slug
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.people.identity import normalise_mobile, validate_mobile

from .models import (
    BODY_MAX_LENGTH,
    DEDUPE_KEY_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    TEMPLATE_KEY_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    OutboxMessage,
)
from .senders import SendError, SmsGateway, get_sender

if TYPE_CHECKING:
    from portal.people.models import User

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Wait after the 1st, 2nd, … failed attempt. The attempt after the last wait is the last one:
# a message that fails MAX_ATTEMPTS times is abandoned.
RETRY_DELAYS = tuple(datetime.timedelta(minutes=m) for m in (1, 5, 30, 120, 360))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# A message still `sending` this long after it was claimed belongs to a process that died.
STUCK_AFTER = datetime.timedelta(minutes=15)

DUE_STATUSES = (Status.PENDING, Status.FAILED)


@dataclass
class SendReport:
    """What one sending run did. `stuck` counts messages left `sending` by a dead process."""

    sent: int = 0
    failed: int = 0
    abandoned: int = 0
    stuck: int = 0
    due: int = 0  # due when the run started, at most `limit`

    @property
    def processed(self) -> int:
        return self.sent + self.failed + self.abandoned


def message_queue(
    *,
    to_mobile: str,
    body: str,
    topic: str,
    to_user: "User | None" = None,
    dedupe_key: str | None = None,
    reference: str = "",
    template: str = "",
    params: Mapping[str, object] | None = None,
) -> OutboxMessage | None:
    """Queue one message in the caller's transaction (or on its own in autocommit).

    Call it from inside the service whose change the message announces: if that transaction
    rolls back, the message was never queued. `to_mobile` may be "" when `to_user` is given
    (the account's mobile or email is used when sending). With a `dedupe_key` ("overdue:
    <application number>:<deadline>"), a key already queued, even by a concurrent transaction,
    queues nothing and returns None, so a reminder stays once per state.

    Template providers (Aliyun, Tencent) send an approved template and its parameters, not the
    body: `params` are the values the body was written from ({"ref": …, "code": …}), stored
    as text so the gateway never parses the body. The template is chosen by `template`, by
    default the topic ("staff-" and the topic for a staff account, whose text differs from
    the villager's under the same topic); see `template_key_default`.

    Raises ValueError for a caller's mistake: no recipient, a malformed mobile, an empty or
    too long body (the limit is BODY_MAX_LENGTH characters: about seven SMS segments).
    """
    to_mobile = normalise_mobile(to_mobile) if to_mobile else ""
    try:
        if to_mobile:
            validate_mobile(to_mobile)
        validate_slug(topic)
    except ValidationError as error:
        raise ValueError(f"not a mobile number or not a slug topic: {to_mobile!r}, {topic!r}") from error
    if not to_mobile and to_user is None:
        raise ValueError("a message needs to_mobile or to_user")
    if len(topic) > TOPIC_MAX_LENGTH or len(reference) > REFERENCE_MAX_LENGTH:
        raise ValueError(f"topic or reference too long: {topic!r}, {reference!r}")
    dedupe_key = dedupe_key or None
    if dedupe_key is not None and len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise ValueError(f"dedupe_key longer than {DEDUPE_KEY_MAX_LENGTH} characters: {dedupe_key!r}")
    body = body.strip()
    if not body or len(body) > BODY_MAX_LENGTH:
        raise ValueError(f"a message body has 1 to {BODY_MAX_LENGTH} characters, not {len(body)}")
    template = template or template_key_default(topic=topic, to_staff=to_user is not None)
    try:
        validate_slug(template)
    except ValidationError as error:
        raise ValueError(f"not a slug template: {template!r}") from error
    if len(template) > TEMPLATE_KEY_MAX_LENGTH:
        raise ValueError(f"template longer than {TEMPLATE_KEY_MAX_LENGTH} characters: {template!r}")
    message = OutboxMessage(
        to_mobile=to_mobile,
        to_user=to_user,
        topic=topic,
        body=body,
        reference=reference,
        dedupe_key=dedupe_key,
        template_key=template,
        template_params=_template_params(params, reference=reference),
    )
    if dedupe_key is None:
        message.save()
        return message
    if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        # A savepoint: a concurrent transaction that queued the same key first makes this
        # insert fail, and that failure must not spoil the caller's transaction.
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    return message


def template_key_default(*, topic: str, to_staff: bool) -> str:
    """The template a message uses when its caller names none: the topic, or for a staff
    account "staff-<topic>", because approvals and the ledger write the villager's and the
    staff member's different texts under one topic."""
    return f"staff-{topic}"[:TEMPLATE_KEY_MAX_LENGTH] if to_staff else topic


# Longer values are cut: a template variable is a number, a date or a short name, and the
# providers refuse long ones anyway (Aliyun: 35 characters for most variable types).
TEMPLATE_PARAM_MAX_LENGTH = 120


def _template_params(params: Mapping[str, object] | None, *, reference: str) -> dict[str, str]:
    """The parameters as text, with `ref` (the reference) unless the caller gave one."""
    values = {"ref": reference} if reference else {}
    for name, value in (params or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"a template parameter is named like a variable, not {name!r}")
        values[name] = ("" if value is None else str(value))[:TEMPLATE_PARAM_MAX_LENGTH]
    return values


def outbox_send_pending(
    *,
    limit: int = 500,
    now: datetime.datetime | None = None,
    progress: Callable[[SendReport], None] | None = None,
) -> SendReport:
    """Send up to `limit` due messages (pending, or failed with their retry time reached).

    Safe to run in several processes at once and to run again at any time: each message is
    claimed and committed as `sending` before the sender sees it (module docstring). A failed
    send (`SendError`) is retried after RETRY_DELAYS and abandoned after MAX_ATTEMPTS; any
    other exception abandons the message at once, since it may or may not have gone out.
    `progress`, if given, is called with the running report after each message.

    Must not run inside a transaction: each claim has to commit before the sender is called, so
    it is a durable atomic block and raises RuntimeError when nested. Cost: about four short
    queries per message.
    """
    now = now or timezone.now()
    report = SendReport(
        stuck=outbox_stuck_count(now=now),
        due=min(
            limit, OutboxMessage.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now).count()
        ),
    )
    if report.stuck:
        logger.warning(
            "%s outbox message(s) have been 'sending' for over %s: a sending process stopped "
            "mid-way. They are not resent; check with the provider and queue again if needed.",
            report.stuck,
            STUCK_AFTER,
        )
    # Made before the first claim: a sender that cannot start must not strand a claimed message.
    sender = get_sender()
    while report.processed < limit:
        message = _claim_next(now=now)
        if message is None:
            break
        status = _record(message, _deliver(message, sender), now=now)
        if status == Status.SENT:
            report.sent += 1
        elif status == Status.FAILED:
            report.failed += 1
        else:
            report.abandoned += 1
        if progress is not None:
            progress(report)
    return report


def outbox_stuck_count(*, now: datetime.datetime | None = None) -> int:
    """How many messages were claimed over STUCK_AFTER ago and are still `sending`."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).count()


def _claim_next(*, now: datetime.datetime) -> OutboxMessage | None:
    """Take the next due message for this process and commit it as `sending`.

    On PostgreSQL the row is locked with SKIP LOCKED, so concurrent workers each take a
    different row without waiting. Elsewhere (SQLite, one writer at a time) the claim is a
    compare-and-set on the row's status and attempts, which a second worker loses.
    """
    due = OutboxMessage.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    while True:
        # durable: this commit is what keeps a second worker away, so it must be a real one.
        with transaction.atomic(durable=True):
            row = due.values("pk", "status", "attempts").first()
            if row is None:
                return None
            claimed = OutboxMessage.objects.filter(**row).update(status=Status.SENDING, claimed_at=now)
            if claimed:
                return OutboxMessage.objects.select_related("to_user").get(pk=row["pk"])
        # Another worker claimed it between our read and our update: take the next one.


@dataclass(frozen=True)
class _Outcome:
    status: str
    channel: str = ""
    provider_id: str = ""
    error: str = ""
    to_mobile: str = ""
    provider_code: str = ""


def _deliver(message: OutboxMessage, sender: SmsGateway) -> _Outcome:
    """Send by SMS, or by email to a staff account without a mobile. Never raises."""
    user = message.to_user
    if not message.to_mobile and user is not None:
        if not user.is_active:
            return _Outcome(Status.ABANDONED, error="The staff account is deactivated.")
        if user.mobile:
            message.to_mobile = user.mobile
        elif user.email:
            return _deliver_email(message, user.email)
        else:
            return _Outcome(
                Status.ABANDONED,
                error="The staff account has neither a mobile number nor an email address.",
            )
    try:
        provider_id = sender.send(message)
    except SendError as error:
        return _Outcome(
            Status.ABANDONED if error.permanent else Status.FAILED,
            channel=OutboxMessage.Channel.SMS,
            error=str(error) or type(error).__name__,
            to_mobile=message.to_mobile,
            provider_code=error.code[:100],
        )
    except Exception as error:
        logger.exception("SMS sender raised unexpectedly for outbox message %s", message.pk)
        return _Outcome(
            Status.ABANDONED,
            channel=OutboxMessage.Channel.SMS,
            error=f"Unexpected {type(error).__name__}: {error}. It may or may not have been delivered, "
            "so it is not retried.",
            to_mobile=message.to_mobile,
        )
    return _Outcome(
        Status.SENT,
        channel=OutboxMessage.Channel.SMS,
        provider_id=str(provider_id or "")[:100],
        to_mobile=message.to_mobile,
    )


def _deliver_email(message: OutboxMessage, address: str) -> _Outcome:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(site)s notice") % {"site": settings.WAGTAIL_SITE_NAME}
        if message.reference:
            subject = f"{subject} · {message.reference}"
    try:
        send_mail(subject, message.body, None, [address])
    except (smtplib.SMTPException, OSError) as error:
        return _Outcome(Status.FAILED, channel=OutboxMessage.Channel.EMAIL, error=f"email: {error}")
    except Exception as error:
        logger.exception("email backend raised unexpectedly for outbox message %s", message.pk)
        return _Outcome(
            Status.ABANDONED, channel=OutboxMessage.Channel.EMAIL, error=f"email: unexpected {error!r}"
        )
    return _Outcome(Status.SENT, channel=OutboxMessage.Channel.EMAIL)


def _record(message: OutboxMessage, outcome: _Outcome, *, now: datetime.datetime) -> str:
    """Write the outcome of one attempt to the claimed row; return the status it now has."""
    attempts = message.attempts + 1
    status = outcome.status
    changes = {
        "attempts": attempts,
        "channel": outcome.channel,
        "last_error": outcome.error[:2000],
        "provider_code": outcome.provider_code,
    }
    if outcome.to_mobile:
        changes["to_mobile"] = outcome.to_mobile
    if status == Status.SENT:
        changes.update(sent_at=timezone.now(), provider_id=outcome.provider_id)
    elif status == Status.FAILED:
        if attempts >= MAX_ATTEMPTS:
            status = Status.ABANDONED
            changes["last_error"] = f"Gave up after {attempts} attempts. Last error: {outcome.error}"[:2000]
        else:
            changes["next_attempt_at"] = now + RETRY_DELAYS[attempts - 1]
    changes["status"] = status
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(**changes)
    return status
