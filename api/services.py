"""Every change to API clients and keys, and the catalogue's change log.

Each service asks `api.policies.api_client_policy` (actor=None is an operator's job: the demo,
a command), runs in one transaction and writes an `ApiClientEvent`. A key's secret is returned
once, by `api_key_issue`, and never stored: only its digest is.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.errors import NotPermitted
from portal.people.models import User

from . import keys
from .models import ApiClient, ApiClientEvent, ApiKey, CatalogueChange
from .policies import api_client_policy

ROLE = "administrator"


def _grace() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "CUNBAN_API_KEY_GRACE_DAYS", 7)))


def _event(client: ApiClient, act: str, actor: User | None, **data) -> ApiClientEvent:
    return ApiClientEvent.objects.create(
        client=client,
        act=act,
        actor=actor,
        actor_role=ROLE if actor is not None else "operator",
        actor_office=None,
        data=data,
    )


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the row, and the key itself, to be shown once and then forgotten."""

    key: ApiKey
    secret: str


def _fields(client: ApiClient) -> dict:
    return {
        "name": client.name,
        "system": client.system,
        "office": client.office_id,
        "scopes": list(client.scopes or []),
        "rate_limit_per_minute": client.rate_limit_per_minute,
        "is_active": client.is_active,
    }


@transaction.atomic
def api_client_save(*, actor: User | None, client: ApiClient) -> ApiClient:
    """Create or change a client inside the actor's jurisdiction, with scopes they hold."""
    before = ApiClient.objects.select_for_update().filter(pk=client.pk).first() if client.pk else None
    refusal = api_client_policy.refusal(actor, client, before)
    if refusal is not None:
        raise NotPermitted(refusal)
    client.scopes = sorted(set(client.scopes or []))
    client.full_clean()
    if before is None:
        client.created_by = actor
        client.save()
        _event(client, ApiClientEvent.Act.CREATE, actor, after=_fields(client))
    else:
        client.save()
        _event(client, ApiClientEvent.Act.CHANGE, actor, before=_fields(before), after=_fields(client))
    return client


def _require_may_change(actor: User | None, client: ApiClient) -> None:
    if actor is not None and not api_client_policy.user_has_permission_for_instance(actor, "change", client):
        raise NotPermitted(api_client_policy.refusal(actor, client, client) or "")


@transaction.atomic
def api_key_issue(
    *, actor: User | None, client: ApiClient, grace: datetime.timedelta | None = None, derived_from: str = ""
) -> IssuedKey:
    """A new key for `client`. Keys it already has stay valid for `grace` (default
    CUNBAN_API_KEY_GRACE_DAYS) and then expire: a rotation the partner has time to follow.
    `derived_from` (the demo only): the key is derived from SECRET_KEY and that label."""
    _require_may_change(actor, client)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    until = now + (grace if grace is not None else _grace())
    rotated = []
    for old in client.keys.filter(revoked_at__isnull=True).exclude(expires_at__lte=now):
        if old.expires_at is None or old.expires_at > until:
            old.expires_at = until
            old.save(update_fields=["expires_at"])
        rotated.append(old.prefix)
    secret, prefix = keys.key_derived(derived_from) if derived_from else keys.key_new()
    key = ApiKey.objects.create(
        client=client, prefix=prefix, digest=keys.key_digest(secret), created_by=actor, created_at=now
    )
    act = ApiClientEvent.Act.KEY_ROTATE if rotated else ApiClientEvent.Act.KEY_ISSUE
    _event(
        client,
        act,
        actor,
        key=prefix,
        old_keys=rotated,
        old_valid_until=until.isoformat() if rotated else None,
    )
    return IssuedKey(key=key, secret=secret)


@transaction.atomic
def api_key_revoke(*, actor: User | None, key: ApiKey) -> ApiKey:
    """Revoke a key at once (a leaked key). Idempotent."""
    key = ApiKey.objects.select_for_update().select_related("client__office").get(pk=key.pk)
    _require_may_change(actor, key.client)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = actor
        key.save(update_fields=["revoked_at", "revoked_by"])
        _event(key.client, ApiClientEvent.Act.KEY_REVOKE, actor, key=key.prefix)
    return key


def api_key_used(*, key: ApiKey, at: datetime.datetime) -> None:
    """Note when a key was last used, at most once a minute (no write on every call)."""
    if key.last_used_at is None or at - key.last_used_at > datetime.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=at)
        key.last_used_at = at


def catalogue_change_note(*, item_id: int, item_code: str, title: str, withdrawn: bool) -> CatalogueChange:
    """An item changed now (or was withdrawn): its row in the sync log moves to the end."""
    change, _created = CatalogueChange.objects.update_or_create(
        item_id=item_id,
        defaults={
            "item_code": item_code,
            "title": title[:255],
            "withdrawn": withdrawn,
            "changed_at": timezone.now(),
        },
    )
    return change
