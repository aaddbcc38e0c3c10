"""State changes for delegation records (county administrators only; each change is logged in
Wagtail's append-only history: who, what, when, details) and for application form versions."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.errors import DomainError, NotPermitted
from portal.offices.models import Office, OfficeKind

from .item_forms.schema import digest
from .models import Delegation, ItemFormVersion, ServiceItemPage
from .policies import delegation_policy

REVOKE_LOG_ACTION = "cunban.delegation.revoke"


def _require_county_administrator(actor) -> None:
    if not delegation_policy.user_may_change_records(actor):
        raise NotPermitted(_("Only county administrators may change delegation records."))


@transaction.atomic
def delegation_save(*, actor, delegation: Delegation, centres: Iterable[Office]) -> Delegation:
    """Create or update a delegation record and its township centres.

    Work already routed keeps its own copy of office, mode and record, so editing a record
    never moves filed applications."""
    _require_county_administrator(actor)
    centres = list(centres)
    if not centres:
        raise DomainError(_("Choose at least one township centre."))
    if any(centre.kind != OfficeKind.CENTRE for centre in centres):
        raise DomainError(_("A delegation goes to township service centres only."))
    county_prefix = delegation.department.region.code[:6]
    if any(not centre.region.code.startswith(county_prefix) for centre in centres):
        raise DomainError(_("A department can only delegate to centres in its own county."))
    is_new = delegation.pk is None
    try:
        delegation.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    delegation.save()
    delegation.centres.set(centres)
    log(instance=delegation, action="wagtail.create" if is_new else "wagtail.edit", user=actor)
    return delegation


@transaction.atomic
def delegation_revoke(
    *, actor, delegation: Delegation, reason: str, on: datetime.date | None = None
) -> Delegation:
    """Revoke a record from `on` (default today): new work stops routing to the township."""
    _require_county_administrator(actor)
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.revoked_on is not None:
        raise DomainError(
            _("This delegation was already revoked on %(date)s.") % {"date": delegation.revoked_on}
        )
    if not reason.strip():
        raise DomainError(_("Give the reason for revoking it."))
    delegation.revoked_on = on or timezone.localdate()
    delegation.revoked_by = actor
    delegation.revoked_reason = reason.strip()
    delegation.save(update_fields=["revoked_on", "revoked_by", "revoked_reason"])
    log(
        instance=delegation,
        action=REVOKE_LOG_ACTION,
        user=actor,
        data={"reason": delegation.revoked_reason, "revoked_on": delegation.revoked_on.isoformat()},
    )
    return delegation


@transaction.atomic
def item_form_publish(*, item: ServiceItemPage, user=None) -> ItemFormVersion | None:
    """Keep the form the item was just published with as a new version, when it changed.

    Called when the page is published, which the two-person rule already guards, so nobody
    publishes a form alone; `user` is the author of the published revision (the approver is in
    the page's workflow history). The item's row is locked while the next number is taken, so two
    publications at once make one version, not an error. A page published without a form after one
    with a form makes an empty version: new filings then ask for nothing more.
    """
    definition = item.form_spec().to_json()
    if not any(section["fields"] for section in definition["sections"]):
        definition = {}
    fingerprint = digest(definition)
    # The item's row is the lock: a second publication waits here, then finds this version.
    ServiceItemPage.objects.select_for_update().filter(pk=item.pk).values_list("pk", flat=True).first()
    latest = ItemFormVersion.objects.filter(item=item).order_by("-number").first()
    if latest is None and not definition:
        return None
    if latest is not None and latest.digest == fingerprint:
        return latest
    return ItemFormVersion.objects.create(
        item=item,
        number=(latest.number + 1) if latest else 1,
        definition=definition,
        digest=fingerprint,
        published_at=timezone.now(),
        written_by=user if getattr(user, "is_authenticated", False) else None,
    )
