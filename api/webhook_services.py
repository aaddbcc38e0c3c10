"""Webhooks' rules: subscribing, the deliveries an event causes, one attempt, backoff, pausing.

- `webhook_subscribe` (a county administrator, for a client of their county): the event types
  must be ones the client's scopes allow (`EVENT_SCOPE`); the secret is made here and returned
  once;
- `deliveries_for_event` (called by `api.webhook_events` inside the changing step's
  transaction): one `WebhookDelivery` per active subscription of a client whose jurisdiction
  holds the event's place and whose scope allows the event; the body is built per client by the
  event's `payload(client)`, so a client gets no more than its scopes allow; the task is queued
  when the step commits (a rolled-back step sends nothing);
- `webhook_attempt`: one signed POST (`api.webhook_signing`, `api.webhook_transport`); a failure
  schedules the next try after `backoff(attempts)` (30 s doubling, at most 6 h) up to
  `CUNBAN_WEBHOOK_MAX_ATTEMPTS`; `CUNBAN_WEBHOOK_PAUSE_AFTER_FAILURES` failures in a row pause the
  subscription, flag it in the back office and tell the county's administrators;
- `webhook_resume`, `webhook_end`: the administrator's answers;
- `webhook_secret_rotate` (the same administrators): a new secret, shown once; for
  `CUNBAN_WEBHOOK_SECRET_GRACE_HOURS` every delivery is signed with the new and the old one;
- `deliveries_send_due`: the sweep that tries whatever is due (`manage.py deliver_webhooks`,
  `webhook_deliver_due_task`);
- `webhook_deliveries_prune`: finished deliveries older than `CUNBAN_WEBHOOK_RETENTION_DAYS`
  go, with their attempts (`manage.py prune_webhook_deliveries`); `webhook_old_secrets_forget`:
  a replaced secret is not kept past its grace.
"""

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from portal.batches import rows_delete_in_batches
from portal.errors import DomainError, NotPermitted
from portal.outbox.services import message_queue
from portal.people.models import User
from portal.places.models import Region

from . import webhook_signing, webhook_transport
from .models import ApiClient
from .policies import county_administrators_of, may_manage_webhooks
from .scopes import Scope
from .webhook_models import EventType, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription

EVENT_SCOPE: dict[str, str] = {
    EventType.APPLICATION_STATE_CHANGED: Scope.APPLICATIONS_READ_STATUS,
    EventType.CERTIFICATE_ISSUED: Scope.APPLICATIONS_READ_STATUS,
    EventType.CERTIFICATE_REVOKED: Scope.APPLICATIONS_READ_STATUS,
    EventType.LEDGER_ITEM_CHANGED: Scope.REQUESTS_WRITE,
    EventType.BAD_RATING_OPENED: Scope.RATINGS_READ,
}
"""The scope a client needs to be told of each event type."""

BACKOFF_FIRST = datetime.timedelta(seconds=30)
BACKOFF_MOST = datetime.timedelta(hours=6)


# -- what a client may hear of -----------------------------------------------------------------------


def event_types_allowed(client: ApiClient) -> list[str]:
    return [event for event, scope in EVENT_SCOPE.items() if client.has_scope(scope)]


# -- subscriptions ----------------------------------------------------------------------------------


def _record(subscription: WebhookSubscription, act: str, actor: User | None, before: str, after: str, **data):
    return WebhookEvent.objects.create(
        subscription=subscription,
        act=act,
        actor=actor,
        actor_role="administrator" if actor else "system",
        from_state=before,
        to_state=after,
        data=data,
        at=timezone.now(),
    )


def _state(subscription: WebhookSubscription) -> str:
    if not subscription.is_active:
        return "ended"
    return "paused" if subscription.is_paused else "active"


def _check_manager(actor: User, client: ApiClient) -> None:
    if not may_manage_webhooks(actor, client):
        raise NotPermitted(_("Only a county administrator of the client's county sets up its webhooks."))


def _lock_for_manager(actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    """A fresh copy of the subscription, its row locked until the caller's transaction ends,
    with the client's office and region the permission reads; NotPermitted unless `actor`
    manages the client's webhooks. Each administrator's change starts here, so two of them
    (a resume and a rotation) apply one after the other to the state each found."""
    locked = (
        WebhookSubscription.objects.select_for_update()
        .select_related("client__office__region")
        .get(pk=subscription.pk)
    )
    _check_manager(actor, locked.client)
    return locked


@transaction.atomic
def webhook_subscribe(
    *, actor: User, client: ApiClient, url: str, event_types: list[str]
) -> tuple[WebhookSubscription, str]:
    """Subscribe `client`'s endpoint `url` to `event_types`; returns the subscription and its
    secret (`whsec_…`), which is shown this once."""
    _check_manager(actor, client)
    try:
        webhook_transport.check_url(url)
    except webhook_transport.TargetRefused as refused:
        raise DomainError(str(refused)) from refused
    allowed = event_types_allowed(client)
    chosen = [event for event in EventType.values if event in set(event_types)]
    if not chosen:
        raise DomainError(_("Choose at least one event."))
    not_allowed = [event for event in chosen if event not in allowed]
    if not_allowed:
        raise DomainError(
            _("This client's scopes do not allow these events: %(events)s.")
            % {"events": ", ".join(not_allowed)}
        )
    secret = webhook_signing.new_secret()
    subscription = WebhookSubscription.objects.create(
        client=client, url=url, event_types=chosen, secret=secret, created_by=actor, created_at=timezone.now()
    )
    _record(subscription, WebhookEvent.Act.CREATE, actor, "", "active", url=url, event_types=chosen)
    return subscription, secret


@transaction.atomic
def webhook_resume(*, actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    """Resume a paused subscription: its waiting deliveries are tried again now."""
    locked = _lock_for_manager(actor, subscription)
    if not locked.is_paused:
        return locked
    locked.paused_at, locked.paused_reason, locked.consecutive_failures = None, "", 0
    locked.save(update_fields=["paused_at", "paused_reason", "consecutive_failures"])
    _record(locked, WebhookEvent.Act.RESUME, actor, "paused", "active")
    now = timezone.now()
    waiting = WebhookDelivery.objects.filter(
        subscription=locked, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
    )
    waiting.update(next_attempt_at=now)
    _enqueue_on_commit(list(waiting.values_list("pk", flat=True)))
    return locked


def _secret_grace() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.CUNBAN_WEBHOOK_SECRET_GRACE_HOURS)


@transaction.atomic
def webhook_secret_rotate(
    *, actor: User, subscription: WebhookSubscription
) -> tuple[WebhookSubscription, str]:
    """Give the subscription a new secret; returns it with the secret, which is shown this once.

    The secret it replaces keeps signing too until the grace is over (`signing_secrets`): the
    partner installs the new one when it likes, and no delivery in between fails its check. A
    second rotation within the grace drops the oldest secret at once: only the last two sign."""
    locked = _lock_for_manager(actor, subscription)
    if not locked.is_active:
        raise DomainError(_("This webhook has ended: subscribe the endpoint again for a new secret."))
    now = timezone.now()
    dropped = locked.previous_secret_valid_at(now)
    secret = webhook_signing.new_secret()
    locked.previous_secret, locked.previous_secret_until = locked.secret, now + _secret_grace()
    locked.secret = secret
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    state = _state(locked)
    _record(
        locked,
        WebhookEvent.Act.ROTATE,
        actor,
        state,
        state,
        old_secret_valid_until=locked.previous_secret_until.isoformat(),
        older_secret_dropped=dropped,
    )
    return locked, secret


@transaction.atomic
def webhook_end(*, actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    """End a subscription: nothing more is sent; its deliveries stay listed."""
    locked = _lock_for_manager(actor, subscription)
    if locked.is_active:
        before = _state(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _record(locked, WebhookEvent.Act.END, actor, before, "ended")
    return locked


# -- deliveries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """Something that happened that clients may be told of: its type, when, the place it
    belongs to (a region; a client whose office's region holds it may hear of it), and its body's
    `data` for one client (None: nothing for this client)."""

    event_type: str
    at: datetime.datetime
    region: Region
    payload: Callable[[ApiClient], dict | None]


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    def enqueue(delivery_id: int) -> Callable[[], object]:
        return lambda: webhook_deliver_task.enqueue(delivery_id)

    for delivery_id in delivery_ids:
        transaction.on_commit(enqueue(delivery_id))


def _body(msg_id: str, occurrence: Occurrence, data: dict) -> str:
    """The Standard Webhooks payload shape: type, timestamp, data."""
    return json.dumps(
        {"type": occurrence.event_type, "timestamp": occurrence.at.isoformat(), "id": msg_id, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def deliveries_for_event(occurrence: Occurrence) -> list[WebhookDelivery]:
    """Write the deliveries of one occurrence (in the caller's transaction) and queue their
    sending for when it commits. One query when nobody subscribes."""
    subscriptions = WebhookSubscription.objects.filter(is_active=True, client__is_active=True).select_related(
        "client__office__region"
    )
    deliveries = []
    for subscription in subscriptions:
        client = subscription.client
        if occurrence.event_type not in subscription.event_types:
            continue
        if not client.has_scope(EVENT_SCOPE[occurrence.event_type]):
            continue
        if not client.office.region.contains(occurrence.region):
            continue
        data = occurrence.payload(client)
        if data is None:
            continue
        msg_id = f"msg_{uuid.uuid4().hex}"
        deliveries.append(
            WebhookDelivery(
                subscription=subscription,
                msg_id=msg_id,
                event_type=occurrence.event_type,
                body=_body(msg_id, occurrence, data),
                created_at=occurrence.at,
                next_attempt_at=occurrence.at,
            )
        )
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
        _enqueue_on_commit([delivery.pk for delivery in deliveries])
    return deliveries


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min … at most 6 h."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MOST)


def deliveries_due(now: datetime.datetime) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        next_attempt_at__lte=now,
        subscription__is_active=True,
        subscription__paused_at__isnull=True,
    ).order_by("next_attempt_at", "pk")


def _tell_administrators(subscription: WebhookSubscription) -> None:
    client = subscription.client
    administrators = county_administrators_of(client)
    body = _(
        "[村办] The webhook of API client %(client)s (%(url)s) failed %(n)s times in a row and is paused. "
        "Check the endpoint with the partner, then resume it in the back office."
    ) % {"client": client.name, "url": subscription.url[:80], "n": subscription.consecutive_failures}
    for user in administrators:
        message_queue(
            to_mobile="",
            to_user=user,
            body=body,
            topic="webhook-paused",
            reference=f"webhook-{subscription.pk}",
            dedupe_key=f"webhook-paused:{subscription.pk}:{subscription.paused_at:%Y%m%d%H%M%S}:{user.pk}",
        )


@transaction.atomic
def webhook_attempt(
    *, delivery: WebhookDelivery, now: datetime.datetime | None = None
) -> WebhookAttempt | None:
    """One try of a due delivery (None when it is not due, delivered, or its subscription is
    paused or ended). The row is locked for the try, so two workers never send it twice."""
    now = now or timezone.now()
    locked = (
        WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("subscription__client__office__region")
        .filter(pk=delivery.pk)
        .first()
    )
    if locked is None or locked.status not in (
        WebhookDelivery.Status.PENDING,
        WebhookDelivery.Status.RETRYING,
    ):
        return None
    subscription = locked.subscription
    if not subscription.is_active or subscription.is_paused:
        return None
    if locked.next_attempt_at is not None and locked.next_attempt_at > now:
        return None
    body = locked.body.encode()
    headers = webhook_signing.sign(
        secrets_=subscription.signing_secrets(now), msg_id=locked.msg_id, at=now, body=body
    )
    outcome = webhook_transport.post(subscription.url, body, headers)
    attempt = WebhookAttempt.objects.create(
        delivery=locked,
        at=now,
        status_code=outcome.status_code,
        error=outcome.error or ("" if outcome.succeeded else f"HTTP {outcome.status_code}"),
        duration_ms=outcome.duration_ms,
    )
    locked.attempts += 1
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if outcome.succeeded:
        locked.status, locked.delivered_at, locked.next_attempt_at = (
            WebhookDelivery.Status.DELIVERED,
            now,
            None,
        )
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures"])
    else:
        if locked.attempts >= settings.CUNBAN_WEBHOOK_MAX_ATTEMPTS:
            locked.status, locked.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
        else:
            locked.status, locked.next_attempt_at = (
                WebhookDelivery.Status.RETRYING,
                now + backoff(locked.attempts),
            )
        subscription.consecutive_failures += 1
        fields = ["consecutive_failures"]
        if (
            subscription.consecutive_failures >= settings.CUNBAN_WEBHOOK_PAUSE_AFTER_FAILURES
            and not subscription.is_paused
        ):
            subscription.paused_at = now
            subscription.paused_reason = attempt.error[:300]
            fields += ["paused_at", "paused_reason"]
            _record(
                subscription,
                WebhookEvent.Act.PAUSE,
                None,
                "active",
                "paused",
                failures=subscription.consecutive_failures,
            )
            subscription.client = locked.subscription.client
            _tell_administrators(subscription)
        subscription.save(update_fields=fields)
    locked.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    if locked.status == WebhookDelivery.Status.RETRYING and not subscription.is_paused:
        _retry_later(locked.pk, locked.next_attempt_at)
    return attempt


def _retry_later(delivery_id: int, when: datetime.datetime | None) -> None:
    """Queue the next try for its time where the task backend can defer; elsewhere the sweep
    (`webhook_deliver_due_task`, on a timer) picks it up when it is due."""
    if when is None or not webhook_deliver_task.get_backend().supports_defer:
        return
    transaction.on_commit(lambda: webhook_deliver_task.using(run_after=when).enqueue(delivery_id))


@dataclass
class DeliveryRun:
    """What one sweep did. `held` counts the deliveries waiting on paused endpoints: not tried
    (their administrators were told when each was paused), reported so an operator sees them."""

    due: int = 0  # due when the run started, at most `limit`
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    held: int = 0

    @property
    def tried(self) -> int:
        return self.delivered + self.retrying + self.gave_up


def deliveries_held() -> QuerySet[WebhookDelivery]:
    """Deliveries waiting on a paused endpoint: sent once an administrator resumes it."""
    return WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        subscription__is_active=True,
        subscription__paused_at__isnull=False,
    )


def deliveries_send_due(
    *, limit: int = 200, progress: Callable[[DeliveryRun], None] | None = None
) -> DeliveryRun:
    """Try each delivery due now once, at most `limit` of them (the sweep); `progress`, if
    given, is called with the running report after each try.

    Each attempt is signed at its own moment, not the run's start: a run behind slow endpoints
    (up to CUNBAN_WEBHOOK_TIMEOUT_SECONDS each) could otherwise send timestamps older than the
    5 minutes a receiver accepts. Safe beside other runs and the per-delivery tasks: a delivery
    another process holds or has sent is skipped (`webhook_attempt`). Do not call it inside a
    transaction: each attempt commits on its own."""
    due = list(deliveries_due(timezone.now())[:limit])
    report = DeliveryRun(due=len(due), held=deliveries_held().count())
    for delivery in due:
        attempt = webhook_attempt(delivery=delivery)
        if attempt is None:
            continue
        status = attempt.delivery.status
        if status == WebhookDelivery.Status.DELIVERED:
            report.delivered += 1
        elif status == WebhookDelivery.Status.GAVE_UP:
            report.gave_up += 1
        else:
            report.retrying += 1
        if progress is not None:
            progress(report)
    return report


# -- retention -------------------------------------------------------------------------------------

PRUNE_BATCH = 1000


def webhook_deliveries_prune(
    *,
    days: int,
    dry_run: bool = False,
    batch_size: int = PRUNE_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete the deliveries that are over (delivered, given up, or left waiting on a
    subscription that has ended, which sends nothing more) and were made more than `days` ago,
    with their attempts; returns how many deliveries (would) go. Waiting ones of a live
    subscription (pending, retrying, held by a paused endpoint) stay whatever their age: they are
    still to be sent. Subscriptions and their history (`WebhookEvent`) are never pruned.

    Housekeeping with no permission to check: it runs as the system. Deletes in batches of
    `batch_size`, each in its own transaction, so a first run on a large table holds no long
    locks; `progress` is called with the running count after each batch."""
    if days < 1:
        raise ValueError("Keep webhook deliveries at least one day.")
    cutoff = timezone.now() - datetime.timedelta(days=days)
    finished = Q(status__in=[WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.GAVE_UP])
    over = WebhookDelivery.objects.filter(finished | Q(subscription__is_active=False), created_at__lt=cutoff)
    if dry_run:
        return over.count()
    return rows_delete_in_batches(
        over,
        batch_size=batch_size,
        progress=progress,
        dependents=lambda batch: WebhookAttempt.objects.filter(delivery_id__in=batch).delete(),
    )


def webhook_old_secrets_forget() -> int:
    """Clear the secrets replaced by a rotation whose grace is over (they sign nothing any more,
    see `WebhookSubscription.signing_secrets`); returns how many subscriptions held one."""
    return WebhookSubscription.objects.filter(previous_secret_until__lte=timezone.now()).update(
        previous_secret="", previous_secret_until=None
    )


# -- the background tasks (django-tasks) ----------------------------------------------------------
# Defined here, beside what they run, so that queueing them needs no import back into this module.


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """Try one delivery if it is due; returns its status afterwards. Queued when the step that
    caused it commits, and again for each retry where the backend can defer (`run_after`)."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    webhook_attempt(delivery=delivery)
    delivery.refresh_from_db(fields=["status"])
    return delivery.status


@task()
def webhook_deliver_due_task(limit: int = 200) -> dict[str, int]:
    """Try every due delivery once (on a timer, like the outbox's, or `manage.py
    deliver_webhooks`), so that a retry is never lost on a backend that cannot defer or after a
    worker stopped; returns the run's counts."""
    return asdict(deliveries_send_due(limit=limit))


@task()
def webhook_deliveries_prune_task(days: int | None = None) -> int:
    """`webhook_deliveries_prune` with `days` or CUNBAN_WEBHOOK_RETENTION_DAYS, then
    `webhook_old_secrets_forget`, for a site that runs its daily jobs on the task queue;
    returns how many deliveries went."""
    deleted = webhook_deliveries_prune(days=days or settings.CUNBAN_WEBHOOK_RETENTION_DAYS)
    webhook_old_secrets_forget()
    return deleted
