"""State changes for offices. Region-scoped roles (county administrators, editors) gain or
lose their permissions on an office as it is created or moved, in the same transaction."""

from django.db import transaction
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission

from portal.errors import NotPermitted
from portal.people.jurisdiction import regions_managed_by, user_is_county_administrator, users_covering_office
from portal.people.models import User
from portal.people.services import permissions_sync_audited
from portal.places.services import region_is_strictly_below

from .models import Office


def _resync_covering(office: Office) -> None:
    for user in users_covering_office(office):
        permissions_sync_audited(user)


def _require_region_managed(actor, office: Office) -> None:
    if actor is not None and not regions_managed_by(actor).filter(pk=office.region_id).exists():
        raise NotPermitted(_("You may not manage offices in %(region)s.") % {"region": office.region})


# What an administrator below the county may change on the office of their own region (their
# township's centre): its contact details, not what it is, where it is or whether it works.
STRUCTURAL_FIELDS = ("kind", "region_id", "is_active")


def _require_within_level(actor, office: Office, before: Office | None) -> None:
    """Below the county, every field is bounded too: an office is created in, moved to and
    changed in a region strictly below the actor's own (a township administrator: village
    stations); the office on the actor's own region keeps its kind, region and active flag.
    A county administrator (or an operator, actor=None) may change any office of the county."""
    if actor is None or actor.is_superuser or user_is_county_administrator(actor):
        return
    if before is not None and not region_is_strictly_below(actor, before.region):
        if before.region_id != office.region_id:
            raise NotPermitted(_("You may not move %(office)s.") % {"office": before})
        _require_region_managed(actor, before)
        if any(getattr(before, name) != getattr(office, name) for name in STRUCTURAL_FIELDS):
            raise NotPermitted(
                _("Only a county administrator may change the kind or region of %(office)s, or close it.")
                % {"office": before}
            )
        return
    if not region_is_strictly_below(actor, office.region):
        raise NotPermitted(
            _("You may create and move offices only in the regions below your own: not in %(region)s.")
            % {"region": office.region}
        )


@transaction.atomic
def office_save(*, actor, office: Office) -> Office:
    """Create or update an office inside the actor's jurisdiction (actor=None: system job)."""
    _require_region_managed(actor, office)
    previous_region_id = None
    before = None
    if office.pk:
        before = Office.objects.select_for_update().select_related("region").filter(pk=office.pk).first()
        previous_region_id = before.region_id if before else None
    if before is not None:
        _require_region_managed(actor, before)
    _require_within_level(actor, office, before)
    office.full_clean()
    office.save()
    if previous_region_id != office.region_id:
        _resync_covering(office)
        if previous_region_id is not None:
            # Users who covered the old place lose the office: resync everyone who had rights on it.
            holder_ids = UserObjectPermission.objects.filter(
                content_type__app_label="offices", object_pk=str(office.pk)
            ).values_list("user_id", flat=True)
            for user in User.objects.filter(pk__in=holder_ids):
                permissions_sync_audited(user)
    return office
